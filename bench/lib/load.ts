import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LatencySummary } from './stats.js';

export interface LoadSpec {
  kind: 'autocannon' | 'chain' | 'open';
  /** Origin of the server, e.g. http://127.0.0.1:5100 */
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Cycled request by request (autocannon, open) or one per loop (chain). */
  items?: Array<{ body?: string; headers?: Record<string, string> }>;
  /** Connections (autocannon), loops (chain), or the most answers owed at once (open). */
  connections: number;
  durationSec: number;
  /** An unrecorded run first (JIT, caches); see measure(). */
  warmupSec?: number;
  /** open only: requests offered per second. */
  rate?: number;
  /** open only: keep-alive connections opened (with GET `path`) before the clock starts. */
  prewarm?: { path: string; count: number };
}

export interface LoadResult {
  seconds: number;
  total: number;
  ok: number;
  okPerSec: number;
  totalPerSec: number;
  byStatus: Record<string, number>;
  /** Per answer class: '2xx', '429', '503', 'other'. */
  latency: Record<string, LatencySummary>;
  errors: number;
  timeouts: number;
  offered?: number;
  offeredPerSec?: number;
  /** open: requests not sent because `connections` answers were already owed. */
  skipped?: number;
  /** open: the kernel's listen-queue drops (system-wide) from the first request to the last answer. */
  listenOverflows?: number;
  /** chain: loops that stopped on a refused rotation. */
  brokenChains?: number;
  /** CPU (user + system) the server used during the measured run, and per answered request. */
  serverCpuSec?: number;
  serverCpuUsPerRequest?: number;
}

/**
 * The warm-up (if any) as its own run, then the measured run with the server's CPU time around it:
 * CPU per request holds up better than requests per second when something else shares the machine.
 */
export async function measure(server: { cpu(): number }, spec: LoadSpec): Promise<LoadResult> {
  const { warmupSec, ...measured } = spec;
  if (warmupSec) await runLoad({ ...measured, durationSec: warmupSec });
  const before = server.cpu();
  const result = await runLoad(measured);
  const used = server.cpu() - before;
  return { ...result, serverCpuSec: used, serverCpuUsPerRequest: result.total ? (used * 1e6) / result.total : undefined };
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs a generator script (bench/<name>.ts) in a process of its own: the load generator never shares a process
 * with a server or the harness. It takes `spec` over IPC and answers `{ ok, result | error }` once.
 */
export function inWorker<S, R>(script: string, spec: S): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(`../${script}`, import.meta.url)), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    child.on('message', (message: { ok: boolean; result?: R; error?: string }) => {
      settled = true;
      if (message.ok) resolve(message.result!);
      else reject(new Error(`${script} failed: ${message.error}`));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`${script} exited with ${code} before answering`));
    });
    child.send(spec as object);
  });
}

/** Runs one load (bench/load-worker.ts) in a separate process. */
export const runLoad = (spec: LoadSpec): Promise<LoadResult> => inWorker('load-worker.ts', spec);
