import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type HashJob =
  | { op: 'argon2.hash'; plain: string; options: object }
  | { op: 'argon2.verify'; stored: string; plain: string }
  | { op: 'bcrypt.hash'; plain: string; rounds: number }
  | { op: 'bcrypt.verify'; stored: string; plain: string };

/**
 * The CPU priority of the hashing threads (Linux nice, 0 is the event loop's): a hash takes what the requests leave
 * and yields the core within the scheduler's slice (a few ms) when the event loop, a database or the load needs it.
 * At 10 a busy hash thread gets about a tenth of a core that another thread also wants, and all of an idle one.
 */
export const HASH_THREAD_NICE = 10;

// CommonJS, evaluated in each thread: the bindings are loaded by the absolute paths the main thread resolved.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
// On Linux the nice value is per thread, and 0 names the calling one. Elsewhere it would be the whole process.
if (workerData.nice !== undefined) try { require('node:os').setPriority(workerData.nice); } catch {}
const argon2 = require(workerData.argon2);
const bcrypt = require(workerData.bcrypt);
const run = (job) => {
  switch (job.op) {
    case 'argon2.hash': return argon2.hashSync(job.plain, job.options);
    case 'argon2.verify': return argon2.verifySync(job.stored, job.plain);
    case 'bcrypt.hash': return bcrypt.hashSync(job.plain, job.rounds);
    case 'bcrypt.verify': return bcrypt.verifySync(job.plain, job.stored);
  }
  throw new Error('unknown job ' + job.op);
};
parentPort.on('message', (job) => {
  let answer;
  try { answer = { value: run(job) }; } catch (error) { answer = { error: String((error && error.message) || error) }; }
  parentPort.postMessage(answer);
});
`;

/** The thread failed, not the job (it died, or the threads were closed): never to be read as a wrong password. */
export class HashThreadError extends Error {}

export interface HashThreads {
  run(job: HashJob): Promise<string | boolean>;
  /** Threads started (they start on the first jobs, not before: an idle service holds none). */
  size(): number;
  close(): Promise<void>;
}

interface Pending {
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

/**
 * Up to `size` threads that hash and verify passwords, one job each at a time, below the event loop's CPU
 * priority. libuv's pool (where the bindings' async calls run) cannot be given a priority of its own, and shares
 * fs and dns; these threads are ours. A thread that dies fails its job and is replaced by the next one.
 */
export function createHashThreads(size: number, nice: number | undefined = HASH_THREAD_NICE): HashThreads {
  const require = createRequire(import.meta.url);
  const workerData = {
    argon2: require.resolve('@node-rs/argon2'),
    bcrypt: require.resolve('@node-rs/bcrypt'),
    nice: process.platform === 'linux' ? nice : undefined,
  };
  const threads = new Set<Worker>();
  const idle: Worker[] = [];
  const queue: Pending[] = [];
  const busy = new Map<Worker, Pending>();
  let closed = false;

  const give = (thread: Worker, pending: Pending) => {
    busy.set(thread, pending);
    thread.postMessage(pending.job);
  };
  const next = (thread: Worker) => {
    const pending = queue.shift();
    if (pending) give(thread, pending);
    else idle.push(thread);
  };
  const start = () => {
    const thread = new Worker(THREAD, { eval: true, workerData });
    // Never what keeps the process alive: a job's caller (a request) does that.
    thread.unref();
    threads.add(thread);
    thread.on('message', (answer: { value?: string | boolean; error?: string }) => {
      const pending = busy.get(thread);
      busy.delete(thread);
      if (answer.error !== undefined) pending?.reject(new Error(answer.error));
      else pending?.resolve(answer.value!);
      next(thread);
    });
    const lost = (error: Error) => {
      if (!threads.delete(thread)) return;
      const at = idle.indexOf(thread);
      if (at >= 0) idle.splice(at, 1);
      busy.get(thread)?.reject(error);
      busy.delete(thread);
      // Its replacement takes the waiting jobs.
      if (queue.length > 0 && !closed) next(start());
    };
    thread.on('error', (error) => lost(new HashThreadError(`hash thread failed: ${error.message}`)));
    thread.on('exit', (code) => lost(new HashThreadError(`hash thread exited with ${code}`)));
    return thread;
  };

  return {
    run(job) {
      if (closed) return Promise.reject(new HashThreadError('hash threads closed'));
      return new Promise((resolve, reject) => {
        const pending = { job, resolve, reject };
        const thread = idle.pop() ?? (threads.size < size ? start() : undefined);
        if (thread) give(thread, pending);
        else queue.push(pending);
      });
    },
    size: () => threads.size,
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new HashThreadError('hash threads closed'));
      await Promise.all([...threads].map((thread) => thread.terminate()));
    },
  };
}
