import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';

/** A port that nothing listens on right now (the OS picked it, then it was released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const { userMs, systemMs } = cpuTimes(`/proc/${pid}/stat`);
  return (userMs + systemMs) / 1000;
}

/** User and system CPU in ms from a /proc stat file: a process's, or one thread's (/proc/<pid>/task/<tid>/stat). */
export function cpuTimes(statFile: string): { userMs: number; systemMs: number } {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userMs: Number(fields[11]) * 10, systemMs: Number(fields[12]) * 10 };
}

/**
 * CPU seconds used so far by every process with this command name (e.g. postgres and its backends), and by their
 * children that ended (a backend that closed is reaped by the postmaster, which then holds its CPU in cutime and
 * cstime): without them the sum fell whenever a connection closed during a measurement.
 */
export function cpuSecondsOfProcessesNamed(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** The kernel's count of connections dropped because a listen queue was full (system-wide, Linux). */
export function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const header = lines.find((l) => l.startsWith('TcpExt:') && l.includes('ListenOverflows'))?.split(' ');
    const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]?.split(' ');
    const index = header?.indexOf('ListenOverflows') ?? -1;
    return index > 0 && values ? Number(values[index]) : undefined;
  } catch {
    return undefined;
  }
}

/** One GET, no keep-alive; resolves with the status or rejects (connection refused while starting). */
function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.setTimeout(2000, () => request.destroy(new Error('probe timeout')));
  });
}

export interface Server {
  child: ChildProcess;
  url: string;
  port: number;
  /** Milliseconds from spawn to the first 200 on the health URL. */
  startMs: number;
  rss(): number;
  cpu(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The argument vector after `node`, e.g. ['dist/main.js']. */
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  healthPath: string;
  logFile: string;
  cwd: string;
  timeoutMs?: number;
}

/** Spawns a server and polls its health URL every 2 ms until the first 200. */
export async function startServer(options: StartOptions): Promise<Server> {
  const log = openSync(options.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = started + (options.timeoutMs ?? 30_000);
  let startMs = -1;
  while (performance.now() < deadline) {
    if (exited !== null) throw new Error(`server exited with ${exited} before answering; see ${options.logFile}`);
    const status = await probe(url + options.healthPath).catch(() => 0);
    if (status === 200) {
      startMs = performance.now() - started;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (startMs < 0) {
    child.kill('SIGKILL');
    throw new Error(`server did not answer 200 on ${options.healthPath} in time; see ${options.logFile}`);
  }
  return {
    child,
    url,
    port: options.port,
    startMs,
    rss: () => rssMb(child.pid!),
    cpu: () => cpuSeconds(child.pid!),
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after 15 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak in MB. */
export function sampleRss(server: Pick<Server, 'rss'>, everyMs = 100) {
  let peak = 0;
  const take = () => {
    try {
      peak = Math.max(peak, server.rss());
    } catch {
      // the process is gone; the peak so far stands
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
