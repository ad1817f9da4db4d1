import type { PoolStats } from '../domain/ports.js';

import { AppError } from '../errors/index.js';

/** A place in the queue, held for a job that is submitted later. */
export interface Reservation {
  /** Runs `task` in the held place: never refused. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Gives the place back unused (a no-op once run). */
  release(): void;
}

export interface WorkPool {
  /** Starts waiting jobs the current concurrency has room for: call it when the concurrency was raised. */
  wake(): void;
  /** Runs `task` once a slot is free (FIFO); refuses at once when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Holds a place now, or refuses at once as run() would: a caller with other work to do first (a
   * login reads the user) decides before that work, and is never refused after it.
   */
  reserve(): Reservation;
  stats(): PoolStats;
}

/**
 * Bounds how many hash/verify jobs are in flight. The native bindings run on libuv's thread pool,
 * which fs, dns.lookup and zlib share: an unbounded login storm would queue behind every thread.
 * `concurrency` is a number, or a function read at each admission (crypto/loop-governor.ts: more
 * while the event loop is idle); a job in flight is never interrupted when it drops.
 */
export function createWorkPool(concurrency: number | (() => number), maxQueue: number): WorkPool {
  if (typeof concurrency === 'number' && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new RangeError('concurrency must be an integer >= 1');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be an integer >= 0');
  const limit = typeof concurrency === 'number' ? () => concurrency : () => Math.max(1, concurrency());

  let active = 0;
  // A plain array with a head index: shift() on a long queue is O(n).
  let waiting: Array<() => void> = [];
  let head = 0;
  const waitingJobs = () => waiting.length - head;
  // Places held by reserve() and not yet run: they count as waiting jobs, but only a job hands over a slot.
  let reserved = 0;
  const queued = () => waitingJobs() + reserved;
  const full = () => active >= limit() && queued() >= maxQueue;
  const refuse = () => new AppError('SERVICE_UNAVAILABLE', { retryAfter: 1 });

  /** Hands free slots to waiting jobs, first come first served. */
  const drain = () => {
    while (waitingJobs() > 0 && active < limit()) {
      const next = waiting[head]!;
      waiting[head] = undefined as never;
      head++;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      active++;
      next();
    }
  };
  const release = () => {
    active--;
    drain();
  };

  async function admitted<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit() || waitingJobs() > 0) {
      // The slot is handed over by drain(), so `active` never drops between two jobs, and nobody overtakes the queue.
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        drain(); // the limit may have risen since the last job was handed a slot
      });
    } else {
      active++;
    }
    try {
      return await task();
    } finally {
      release();
    }
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (full()) throw refuse();
      return admitted(task);
    },
    reserve(): Reservation {
      if (full()) throw refuse();
      reserved++;
      let held = true;
      const giveBack = () => {
        if (!held) return;
        held = false;
        reserved--;
      };
      return {
        run(task) {
          giveBack();
          return admitted(task);
        },
        release: giveBack,
      };
    },
    wake: drain,
    stats: () => ({ active, queued: queued(), concurrency: limit() }),
  };
}
