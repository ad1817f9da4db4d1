/**
 * An open-loop load generator: requests leave at a fixed arrival rate (evenly spaced or Poisson) whatever the
 * answers take, and each latency runs from the request's INTENDED send time. A closed loop (autocannon's N
 * connections) sends the next request only when an answer came back, so a stall of the server or of the
 * generator delays the requests that would have been sent meanwhile and never counts them ("coordinated
 * omission"); here a request due during a stall is late, and its lateness is part of its latency.
 * openLoop() runs in the calling process (the unit tests); runOpenLoop() runs it in a child process of its own
 * (bench/open-loop-worker.ts), as every load of the bench does, so that it never shares an event loop with a server.
 */
import http from 'node:http';
import { inWorker } from './load.js';
import { listenOverflows } from './process.js';
import { ClassedSamples, Samples, type LatencySummary } from './stats.js';

export interface OpenLoopSpec {
  /** Origin of the server, e.g. http://127.0.0.1:5100 */
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Cycled request by request: each one's body and extra headers. */
  items?: Array<{ body?: string; headers?: Record<string, string> }>;
  /** Requests offered per second. */
  rate: number;
  /** 'uniform' (default): every 1/rate s; 'poisson': exponential gaps of mean 1/rate s (seeded, reproducible). */
  arrival?: 'uniform' | 'poisson';
  seed?: number;
  /**
   * Keep-alive sockets, opened with GET `prewarmPath` before the clock starts (opening hundreds at a saturated
   * server would measure SYN retransmits). A request due while every socket is busy waits for one: that wait
   * is the client's queue, and counts in its latency.
   */
  connections: number;
  prewarmPath?: string;
  /** Offered but not recorded (JIT, caches, the server's pools settling), then recorded for durationSec. */
  warmupSec: number;
  durationSec: number;
  /** A request not answered this long after its intended time is abandoned and counted as a timeout. */
  timeoutMs?: number;
  /** Epoch ms at which the first request is due: lines up generators running in separate processes. */
  startAt?: number;
}

export interface OpenLoopResult {
  /** The recorded window: requests intended in it, per second offered, and those answered (any status). */
  seconds: number;
  offered: number;
  offeredPerSec: number;
  answered: number;
  answeredPerSec: number;
  byStatus: Record<string, number>;
  errors: number;
  timeouts: number;
  /**
   * From the intended send time to the end of the answer, per class ('2xx', '429', '503', 'refused' = 429 and
   * 503, 'other'), and 'all': every recorded request, errors and timeouts included at the time they failed.
   */
  latency: Record<string, LatencySummary>;
  /** From the intended time to the request getting its socket: the generator's own lateness (event loop, sockets). */
  sendLag: LatencySummary;
  /** Most requests waiting for a free socket at once (sampled at each wake-up, after its sends). */
  maxQueued: number;
  /** From the end of the window to the last recorded answer: how far behind the server was when offering stopped. */
  drainMs: number;
  /** The kernel's listen-queue drops (system-wide) over the run; undefined where /proc/net/netstat is absent. */
  listenOverflows?: number;
  /** How late the generator started against `startAt` (ms; 0 when on time or not asked). */
  lateStartMs: number;
  /** The generator's own CPU (user + system) per request sent, warm-up included: its share of the machine. */
  cpuUsPerRequest: number;
}

/** Gaps between intended send times, in ms. */
export function arrivals(rate: number, kind: 'uniform' | 'poisson' = 'uniform', seed = 1): () => number {
  if (!(rate > 0)) throw new Error(`open loop: rate must be positive, got ${rate}`);
  const mean = 1000 / rate;
  if (kind === 'uniform') return () => mean;
  // mulberry32: a small seeded generator, so two runs offer the same sequence of gaps.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return () => -Math.log(1 - random()) * mean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function send(agent: http.Agent, url: URL, method: string, path: string, headers: Record<string, string | number>, body?: string) {
  return new Promise<void>((resolve, reject) => {
    const request = http.request({ agent, host: url.hostname, port: url.port, method, path, headers }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export async function openLoop(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const url = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const items = spec.items?.length ? spec.items : [{}];
  const gap = arrivals(spec.rate, spec.arrival, spec.seed);
  await Promise.all(Array.from({ length: spec.connections }, () => send(agent, url, 'GET', spec.prewarmPath ?? '/', {})));

  const samples = new ClassedSamples();
  const all = new Samples();
  const sendLag = new Samples();
  let errors = 0;
  let timeouts = 0;
  let offered = 0;
  let maxQueued = 0;
  let lastAnswer = 0;
  let outstanding = 0;
  let drained: () => void = () => {};

  const wanted = spec.startAt === undefined ? performance.now() : spec.startAt - performance.timeOrigin;
  await sleep(wanted - performance.now());
  const t0 = Math.max(wanted, performance.now());
  const lateStartMs = Math.max(0, performance.now() - wanted);
  const from = t0 + spec.warmupSec * 1000;
  const end = from + spec.durationSec * 1000;
  const overflowsBefore = listenOverflows();
  const cpuBefore = process.cpuUsage();

  const fire = (intended: number, item: (typeof items)[number]) => {
    const recorded = intended >= from;
    if (recorded) offered++;
    const body = item.body ?? spec.body;
    const headers: Record<string, string | number> = { ...spec.headers, ...item.headers };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    let done = false;
    outstanding++;
    const settle = (outcome: number | 'error' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      const now = performance.now();
      if (recorded) {
        const ms = now - intended;
        all.add(ms);
        lastAnswer = Math.max(lastAnswer, now);
        if (outcome === 'error') errors++;
        else if (outcome === 'timeout') timeouts++;
        else samples.add(outcome, ms);
      }
      if (--outstanding === 0) drained();
    };
    const request = http.request({ agent, host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers });
    const deadline = setTimeout(
      () => {
        settle('timeout');
        request.destroy();
      },
      intended + timeoutMs - performance.now(),
    );
    request.once('socket', () => {
      if (recorded) sendLag.add(performance.now() - intended);
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => settle(response.statusCode ?? 0));
      response.on('error', () => settle('error'));
    });
    request.on('error', () => settle('error'));
    request.end(body);
  };

  // Each wake-up sends every request whose time has come, each stamped with its own intended time: a late
  // timer makes those requests late, never fewer.
  let next = t0;
  let index = 0;
  while (next < end) {
    const now = performance.now();
    while (next <= now && next < end) {
      fire(next, items[index++ % items.length]!);
      next += gap();
    }
    // The agent takes a free socket at once, or queues the request: its queue is the client's backlog.
    maxQueued = Math.max(
      maxQueued,
      Object.values(agent.requests).reduce((n, queue) => n + (queue?.length ?? 0), 0),
    );
    if (next < end) await sleep(next - performance.now());
  }
  if (outstanding > 0) await new Promise<void>((resolve) => (drained = resolve));
  const overflowsAfter = listenOverflows();
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();

  const seconds = spec.durationSec;
  const answered = Object.values(samples.byStatus).reduce((a, b) => a + b, 0);
  return {
    seconds,
    offered,
    offeredPerSec: offered / seconds,
    answered,
    answeredPerSec: answered / seconds,
    byStatus: samples.byStatus,
    errors,
    timeouts,
    latency: { ...samples.summaries(), all: all.summary() },
    sendLag: sendLag.summary(),
    maxQueued,
    drainMs: Math.max(0, lastAnswer - end),
    listenOverflows: overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore,
    lateStartMs,
    cpuUsPerRequest: index ? (cpu.user + cpu.system) / index : 0,
  };
}

/** openLoop() in a child process of its own (never in the harness's or a server's event loop). */
export const runOpenLoop = (spec: OpenLoopSpec): Promise<OpenLoopResult> => inWorker('open-loop-worker.ts', spec);
