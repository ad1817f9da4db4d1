import { AppError } from '../errors/index.js';

export interface PoolStats {
  active: number;
  queued: number;
  concurrency: number;
}

export interface WorkPool {
  /** Runs `task` once a slot is free (FIFO); refuses at once when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  stats(): PoolStats;
  /** True when a new job would be refused: callers can refuse before doing any other work. */
  saturated(): boolean;
}

/**
 * Bounds how many hash/verify jobs are in flight. The native bindings run on libuv's thread pool,
 * which fs, dns.lookup and zlib share: an unbounded login storm would queue behind every thread.
 */
export function createWorkPool(concurrency: number, maxQueue: number): WorkPool {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be an integer >= 0');

  let active = 0;
  // A plain array with a head index: shift() on a long queue is O(n).
  let waiting: Array<() => void> = [];
  let head = 0;
  const queued = () => waiting.length - head;

  const release = () => {
    active--;
    if (queued() > 0) {
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

  return {
    saturated: () => active >= concurrency && queued() >= maxQueue,
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= concurrency) {
        if (queued() >= maxQueue) {
          throw new AppError('SERVICE_UNAVAILABLE', { retryAfter: 1 });
        }
        // The slot is handed over by release(), so `active` never drops between two jobs.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ active, queued: queued(), concurrency }),
  };
}
