/**
 * The project events stream (issue 13, item 4): the server's memory for `streams` open streams (RSS from /proc,
 * heap from its /metrics, before and after, per stream), opened from a process of their own; then, while
 * validate-token is offered 30% of its calm throughput (the open-loop generator, Poisson arrivals, latency from the
 * intended send time), the time from each suspension (POST /api/users/:id/suspend sent) to `user.revoked` at the
 * first and at the last of those streams.
 * The project, its client secret and its users' assignment are made through the API by the seed's Super Admin.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EventsClientMessage, EventsClientSpec } from '../events-client.js';
import { call } from '../lib/http.js';
import type { LoadSpec } from '../lib/load.js';
import { runOpenLoop, type OpenLoopResult } from '../lib/open-loop.js';
import { ADMIN_EMAIL, PASSWORD, ROOT, startProduct, type ProductOptions, type Session } from '../lib/product.js';
import type { Server } from '../lib/process.js';
import type { Settings } from '../lib/settings.js';
import { Samples, type LatencySummary } from '../lib/stats.js';
import { START_MARGIN_MS, VALIDATION_SOCKETS } from './open-loop.js';

/**
 * The share of the calm validation capacity offered meanwhile. Half (as at first) was more than the machine answers
 * beside 1,000 streams and their client process (on PostgreSQL 81% of it was answered): a saturated server measures
 * its queue's growth, not the event's path. 30%, as beside the login storm.
 */
export const EVENTS_VALIDATION_SHARE = 0.3;

/**
 * Offered but not recorded before the suspensions start. The instance is fresh (its memory is measured from its
 * start), and its first pass over the 1,000 tokens checks a signature and loads a user's state for each, with the
 * JIT still cold. Offered 2,600/s at once (2026-12-07), the first second's answers had a p99 of ~840 ms on SQLite
 * and the first two seconds' up to 1.9 s on PostgreSQL, 5–8 ms after. Measured cold, a suspension that fell in
 * them had given PostgreSQL's figure its 1.7 s maximum.
 */
const WARMUP_SEC = 3;

interface Memory {
  rssMb: number;
  heapUsedMb: number;
}

export interface EventsResults {
  streams: number;
  openSec: number;
  memory: { before: Memory; after: Memory; perStreamKb: { rss: number; heapUsed: number } };
  suspensions: number;
  /** The open-loop validate-token load during the suspensions (after a warm-up): its rate is `offeredPerSec`. */
  validation: OpenLoopResult;
  suspendAnswerMs: LatencySummary;
  toFirstStreamMs: LatencySummary;
  toEveryStreamMs: LatencySummary;
}

const CLIENT = fileURLToPath(new URL('../events-client.ts', import.meta.url));
const wallClock = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function memoryOf(server: Server): Promise<Memory> {
  const response = await fetch(`${server.url}/metrics`);
  const text = await response.text();
  const heap = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1];
  if (!heap) throw new Error(`/metrics: ${response.status}, no nodejs_heap_size_used_bytes`);
  return { rssMb: server.rss(), heapUsedMb: Number(heap) / 2 ** 20 };
}

/** The events client process, with a way to wait for its next message of a kind. */
function startClient(spec: EventsClientSpec) {
  const child: ChildProcess = fork(CLIENT, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: EventsClientMessage[] = [];
  const waiting = new Set<() => void>();
  child.on('message', (message: EventsClientMessage) => {
    inbox.push(message);
    for (const wake of waiting) wake();
  });
  child.send(spec);
  return {
    async next<T extends EventsClientMessage['type']>(
      type: T,
      match: (m: Extract<EventsClientMessage, { type: T }>) => boolean,
      timeoutMs: number,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const failure = inbox.find((m) => m.type === 'error');
        if (failure) throw new Error(`events client: ${(failure as { message: string }).message}`);
        const index = inbox.findIndex((m) => m.type === type && match(m as Extract<EventsClientMessage, { type: T }>));
        if (index >= 0) return inbox.splice(index, 1)[0] as Extract<EventsClientMessage, { type: T }>;
        if (Date.now() > deadline) throw new Error(`events client: no ${type} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => (waiting.delete(wake), resolve());
          waiting.add(wake);
          setTimeout(wake, 100);
        });
      }
    },
    close: () => child.connected && child.send({ type: 'close' }),
  };
}

export async function benchEvents(
  options: ProductOptions,
  sessions: Session[],
  load: { items: NonNullable<LoadSpec['items']>; calmPerSec: number },
  settings: Settings,
  log: (line: string) => void,
): Promise<EventsResults> {
  const streams = 1000;
  const suspensions = settings.quick ? 5 : 20;
  const suspended = sessions.slice(-suspensions);
  const items = load.items.slice(0, -suspensions);
  const server = await startProduct(options);
  let client: ReturnType<typeof startClient> | undefined;
  try {
    const admin = await call(server.url, 'POST', '/api/auth/login', { body: { email: ADMIN_EMAIL, password: PASSWORD } });
    const bearer = { authorization: `Bearer ${admin.json.data.accessToken}` };
    const project = await call(server.url, 'POST', '/api/projects', {
      headers: bearer,
      expect: 201,
      body: { customProjectId: 'bench-events', name: 'Bench events', projectUrl: 'https://events.bench.test' },
    });
    const all = await call(server.url, 'GET', '/api/projects?limit=100', { headers: bearer });
    const projectIds = (all.json.data as Array<{ id: number }>).map((p) => p.id);
    for (const user of suspended)
      await call(server.url, 'PUT', `/api/users/${user.userId}/projects`, { headers: bearer, body: { projectIds } });

    await pause(1000);
    const before = await memoryOf(server);
    log(`events: opening ${streams} streams on one instance from a separate process`);
    const basic = Buffer.from(`bench-events:${project.json.data.clientSecret}`).toString('base64');
    client = startClient({
      url: server.url,
      path: `/api/projects/${project.json.data.id}/events`,
      authorization: `Basic ${basic}`,
      streams,
      concurrency: 50,
    });
    const opened = await client.next('open', () => true, 60_000);
    await pause(1000);
    const after = await memoryOf(server);

    const rate = Math.max(1, Math.round(load.calmPerSec * EVENTS_VALIDATION_SHARE));
    // Room for every suspension: each waits for its event at the last stream, then 200–400 ms.
    const durationSec = 2 + Math.ceil(suspensions * 0.6);
    log(
      `events: ${suspensions} suspensions while validate-token is offered ${rate}/s (0.3x calm, open loop), ${WARMUP_SEC} s warm-up, ${durationSec} s`,
    );
    const startAt = Date.now() + START_MARGIN_MS;
    const validation = runOpenLoop({
      url: server.url,
      method: 'POST',
      path: '/api/auth/validate-token',
      headers: { 'content-type': 'application/json' },
      items,
      rate,
      arrival: 'poisson',
      seed: 4,
      connections: VALIDATION_SOCKETS,
      prewarmPath: '/health',
      warmupSec: WARMUP_SEC,
      durationSec,
      startAt,
    });
    const recordedFrom = startAt + WARMUP_SEC * 1000;
    const recordedUntil = recordedFrom + durationSec * 1000;
    await pause(recordedFrom - Date.now() + 500);
    const answer = new Samples();
    const first = new Samples();
    const every = new Samples();
    for (const user of suspended) {
      const sentAt = wallClock();
      await call(server.url, 'POST', `/api/users/${user.userId}/suspend`, { headers: bearer, body: { reason: 'Benchmark' } });
      answer.add(wallClock() - sentAt);
      const revoked = await client.next('revoked', (m) => m.userId === user.userId, 10_000);
      first.add(revoked.firstAt - sentAt);
      every.add(revoked.lastAt - sentAt);
      await pause(200 + Math.random() * 200);
    }
    if (Date.now() > recordedUntil) log(`events: the suspensions outlasted the validation load by ${Date.now() - recordedUntil} ms`);
    const loadResult = await validation;
    return {
      streams,
      openSec: opened.ms / 1000,
      memory: {
        before,
        after,
        perStreamKb: {
          rss: ((after.rssMb - before.rssMb) * 1024) / streams,
          heapUsed: ((after.heapUsedMb - before.heapUsedMb) * 1024) / streams,
        },
      },
      suspensions,
      validation: loadResult,
      suspendAnswerMs: answer.summary(),
      toFirstStreamMs: first.summary(),
      toEveryStreamMs: every.summary(),
    };
  } finally {
    client?.close();
    await server.stop();
  }
}
