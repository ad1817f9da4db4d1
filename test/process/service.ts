import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The entry point from source through tsx, as test/config.test.ts runs it.
const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
const TSX = resolve(import.meta.dirname, '../../node_modules/tsx/dist/esm/index.mjs');

export interface Service {
  child: ChildProcess;
  port: number;
  base: string;
  cwd: string;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
  /** The JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  kill(): void;
}

/**
 * Starts src/main.ts (or a built bundle, `main`) in a fresh working directory on a SQLite file, and
 * waits until /health answers.
 */
export async function startService(env: Record<string, string> = {}, main?: string): Promise<Service> {
  const cwd = mkdtempSync(join(tmpdir(), 'xtown-process-'));
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, main ? [main] : ['--import', pathToFileURL(TSX).href, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:./data/xtown.db',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const base = `http://127.0.0.1:${port}`;
  const failed = () => new Error(`the service did not start:\n${output.stdout}\n${output.stderr}`);
  await until(
    '/health to answer',
    async () => {
      if (child.exitCode !== null) throw failed();
      return (await fetch(`${base}/health`).catch(() => undefined))?.ok;
    },
    15_000,
    50,
  ).catch((error: Error) => {
    throw error.message.startsWith('the service') ? error : failed();
  });
  return {
    child,
    port,
    base,
    cwd,
    output,
    exited,
    logs: () =>
      output.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses one HTTP/1.1 response with a Content-Length; undefined until all of it has arrived. */
export function parseResponse(raw: string): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = Buffer.from(raw.slice(end + 4), 'latin1');
  if (body.length < length) return undefined;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/** A raw connection that collects what the server sends and notes when the server closes it. */
export function rawConnection(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const state = { received: '', closedAt: undefined as number | undefined, error: undefined as Error | undefined };
  socket.on('data', (chunk: Buffer) => (state.received += chunk.toString('latin1')));
  socket.on('error', (error) => (state.error = error));
  const closed = new Promise<void>((done) => socket.once('close', () => ((state.closedAt = Date.now()), done())));
  const connected = new Promise<void>((done, fail) => {
    socket.once('connect', () => done());
    socket.once('error', fail);
  });
  return {
    socket,
    state,
    closed,
    connected,
    write: (text: string) => new Promise<void>((done) => socket.write(text, () => done())),
    /** The response once complete (the server may keep the socket open afterwards). */
    async response(timeoutMs = 10_000): Promise<RawResponse> {
      const incomplete = () => new Error(`no complete response (got ${JSON.stringify(state.received.slice(0, 200))})`);
      return until(
        'a complete response',
        () => {
          const parsed = parseResponse(state.received);
          if (!parsed && state.closedAt !== undefined) throw incomplete();
          return parsed;
        },
        timeoutMs,
        10,
      ).catch((error: Error) => {
        throw error.message.startsWith('no complete') ? error : incomplete();
      });
    },
  };
}

/** Whether a new TCP connection to the port is accepted. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Where the console output stands now: take it before the request whose email is awaited. */
export const consoleMark = (output: { stdout: string }) => output.stdout.length;

/** The code of the first email to `to` the console mailer printed after `mark`, waiting for it. */
export function consoleOtp(output: { stdout: string }, to: string, mark: number, timeoutMs = 10_000): Promise<string> {
  const address = to.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const email = new RegExp(`To:\\s+${address}\\n[\\s\\S]*?\\b(\\d{6})\\b`);
  return until(`an OTP email to ${to} on the console`, () => email.exec(output.stdout.slice(mark))?.[1], timeoutMs, 50);
}
