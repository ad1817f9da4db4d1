import { createBus } from './bus.js';
import type { LockManagerLike, OpenChannel, SetTimer } from './types.js';

/** Runs `task` while holding a lock that every tab of this origin shares. */
export interface CrossTabLock {
  run<T>(task: () => Promise<T>): Promise<T>;
  close(): void;
}

/** The Web Locks API: the browser grants the lock to one tab at a time and frees it when a tab dies. */
export function webLock(locks: LockManagerLike, name: string): CrossTabLock {
  return { run: (task) => locks.request(name, task), close() {} };
}

export interface BroadcastLockOptions {
  now: () => number;
  setTimer: SetTimer;
  /** A claim older than this is taken for a dead tab's and ignored (there is no other way to learn of a crash here). */
  staleMs: number;
}

let claimCounter = 0;

/**
 * A lock over BroadcastChannel for browsers without Web Locks: Lamport's bakery, with flushes for the waits on
 * shared memory. A tab announces it is choosing and flushes, so that every claim posted before its announcement
 * is known when it takes a number above all it has seen; it posts the claim and flushes again. It holds the lock
 * when no tab it knows of is still choosing and its (number, id) is the lowest of the live claims. A tab that
 * announces after another's claim always draws a higher number; tabs that choose together wait for each other's
 * numbers, and since every tab then compares the same numbers, they agree on one holder.
 */
export function broadcastLock(open: OpenChannel, name: string, options: BroadcastLockOptions): CrossTabLock {
  const bus = createBus(open, `${name}:lock`);
  const instance = `${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const claims = new Map<string, { seq: number; seenAt: number }>();
  const choosing = new Map<string, number>();
  let highestSeq = 0;
  let wake: (() => void) | undefined;
  // One claim per instance at a time: local callers queue on this promise first.
  let localQueue: Promise<unknown> = Promise.resolve();

  bus.subscribe((message) => {
    const id = String(message.id);
    if (message.type === 'choosing') choosing.set(id, options.now());
    else if (message.type === 'claim' && typeof message.seq === 'number') {
      choosing.delete(id);
      claims.set(id, { seq: message.seq, seenAt: options.now() });
      highestSeq = Math.max(highestSeq, message.seq);
    } else if (message.type === 'release') {
      choosing.delete(id);
      claims.delete(id);
    }
    wake?.();
  });

  const isAhead = (otherId: string, other: number, mine: { id: string; seq: number }) =>
    other < mine.seq || (other === mine.seq && otherId < mine.id);

  async function acquire(): Promise<string> {
    const id = `${instance}-${++claimCounter}`;
    bus.post({ type: 'choosing', id });
    await bus.flush();
    const mine = { id, seq: highestSeq + 1 };
    highestSeq = mine.seq;
    bus.post({ type: 'claim', id, seq: mine.seq });
    await bus.flush();
    for (;;) {
      const cutoff = options.now() - options.staleMs;
      for (const [other, claim] of claims) if (claim.seenAt <= cutoff) claims.delete(other);
      for (const [other, seenAt] of choosing) if (seenAt <= cutoff) choosing.delete(other);
      const blockers = [...claims].filter(([other, claim]) => isAhead(other, claim.seq, mine)).map(([, claim]) => claim.seenAt);
      blockers.push(...choosing.values());
      if (blockers.length === 0) return id;
      const oldest = Math.min(...blockers);
      await new Promise<void>((resolve) => {
        const cancel = options.setTimer(() => resolve(), Math.max(0, oldest + options.staleMs - options.now()));
        wake = () => {
          cancel();
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = localQueue.then(async () => {
        const id = await acquire();
        try {
          return await task();
        } finally {
          bus.post({ type: 'release', id });
        }
      });
      localQueue = result.catch(() => undefined);
      return result;
    },
    close: () => bus.close(),
  };
}
