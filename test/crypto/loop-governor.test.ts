import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkPool } from '../../src/crypto/hash-pool.js';
import { createLoopGovernor, eventLoopUtilisation } from '../../src/crypto/loop-governor.js';

describe('the hash pool sized by the event loop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A governor over a scripted utilisation, sampled every 20 ms under fake timers. */
  const scripted = (onRaise = () => {}) => {
    vi.useFakeTimers();
    let busy = 0;
    const governor = createLoopGovernor({ min: 1, max: 2, utilisation: () => busy, onRaise });
    return { governor, set: (value: number) => (busy = value), samples: (n: number) => vi.advanceTimersByTime(20 * n) };
  };

  it('gives hashing every core once the loop is idle on average, and takes one back at a burst or a busy average', () => {
    const raised = vi.fn();
    const { governor, set, samples } = scripted(raised);
    expect(governor.limit()).toBe(1); // starts cautious: a storm may be under way
    samples(2);
    expect(governor.limit()).toBe(1); // the average (1 → 0.64) is still high
    samples(1);
    expect(governor.limit()).toBe(2); // 0.51: idle
    expect(raised).toHaveBeenCalledTimes(1);

    set(0.5); // logins alone: a few busy milliseconds now and then keep the cores
    samples(50);
    expect(governor.limit()).toBe(2);
    set(1); // a burst of validation: at once
    samples(1);
    expect(governor.limit()).toBe(1);
    set(0.3);
    samples(20);
    expect(governor.limit()).toBe(2);
    expect(raised).toHaveBeenCalledTimes(2);
    set(0.85); // busy, below a burst: once the average passes 0.7
    samples(2);
    expect(governor.limit()).toBe(2);
    samples(10);
    expect(governor.limit()).toBe(1);
    governor.stop();
  });

  it('does nothing on one core: the limit is the minimum', () => {
    const governor = createLoopGovernor({ min: 1, max: 1, utilisation: () => 0 });
    expect(governor.limit()).toBe(1);
    governor.stop();
  });

  it('a raised limit starts the waiting jobs at once, in order, and a lowered one lets running jobs finish', async () => {
    let limit = 1;
    const pool = createWorkPool(() => limit, 10);
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const job = (i: number) => () =>
      new Promise<number>((resolve) => {
        started.push(i);
        finishers.push(() => resolve(i));
      });
    const results = [0, 1, 2, 3].map((i) => pool.run(job(i)));
    await Promise.resolve();
    expect(started).toEqual([0]);
    expect(pool.stats()).toEqual({ active: 1, queued: 3, concurrency: 1 });

    limit = 2;
    pool.wake();
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(pool.stats()).toEqual({ active: 2, queued: 2, concurrency: 2 });

    limit = 1; // both keep running; the next starts only once one slot is below the new limit
    finishers[0]!();
    await results[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    finishers[1]!();
    await results[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    finishers[2]!();
    await results[2];
    await vi.waitFor(() => expect(started).toEqual([0, 1, 2, 3]));
    finishers[3]!();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
  });

  it('measures the real loop: busy while it computes, idle while it waits', async () => {
    const utilisation = eventLoopUtilisation();
    const until = Date.now() + 60;
    while (Date.now() < until); // keep the loop busy
    expect(utilisation()).toBeGreaterThan(0.8);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the loop waits for the timer
    expect(utilisation()).toBeLessThan(0.5);
  });
});
