import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.js';
import { createMemoryRateLimitStore, createRateLimiter, type MemoryRateLimitStore } from '../../src/services/rate-limiter.js';
import { until } from '../helpers/until.js';

const RULE = { max: 5, windowMs: 15 * 60_000 };
const stores: MemoryRateLimitStore[] = [];

function setup(maxKeys?: number) {
  const clock = fixedClock('2026-03-01T10:00:00.000Z');
  const store = createMemoryRateLimitStore({ maxKeys });
  stores.push(store);
  return { clock, store, limiter: createRateLimiter({ store, clock }) };
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe('createRateLimiter with the memory store', () => {
  it('allows max hits in a window and refuses the next with the seconds left', async () => {
    const { clock, limiter } = setup();
    for (let i = 1; i <= RULE.max; i++) {
      expect(await limiter.consume('login:1.2.3.4', RULE)).toMatchObject({
        allowed: true,
        remaining: RULE.max - i,
        retryAfterSec: 0,
      });
      clock.advance(1000);
    }
    // 5 s into the 900 s window.
    expect(await limiter.consume('login:1.2.3.4', RULE)).toMatchObject({ allowed: false, remaining: 0, retryAfterSec: 895 });
    clock.advance(894_500);
    expect(await limiter.consume('login:1.2.3.4', RULE)).toMatchObject({ allowed: false, retryAfterSec: 1 });
  });

  it('allows again once the clock passes the window', async () => {
    const { clock, limiter } = setup();
    for (let i = 0; i <= RULE.max; i++) await limiter.consume('k', RULE);
    expect((await limiter.consume('k', RULE)).allowed).toBe(false);
    clock.advance(RULE.windowMs - 1);
    expect((await limiter.consume('k', RULE)).allowed).toBe(false);
    clock.advance(1);
    expect(await limiter.consume('k', RULE)).toMatchObject({ allowed: true, remaining: RULE.max - 1 });
  });

  it('keeps keys independent', async () => {
    const { limiter } = setup();
    for (let i = 0; i < RULE.max; i++) await limiter.consume('a', RULE);
    expect((await limiter.consume('a', RULE)).allowed).toBe(false);
    expect(await limiter.consume('b', RULE)).toMatchObject({ allowed: true, remaining: RULE.max - 1 });
  });

  it('reset clears a key', async () => {
    const { limiter } = setup();
    for (let i = 0; i <= RULE.max; i++) await limiter.consume('a', RULE);
    expect((await limiter.consume('a', RULE)).allowed).toBe(false);
    await limiter.reset('a');
    expect(await limiter.consume('a', RULE)).toMatchObject({ allowed: true, remaining: RULE.max - 1 });
  });

  it('100 concurrent consumes with max 5 allow exactly 5', async () => {
    const { limiter } = setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('storm', RULE)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSec === 900)).toBe(true);
  });

  it('rounds a partial second up and never answers less than 1', async () => {
    const { clock, limiter } = setup();
    const rule = { max: 1, windowMs: 2500 };
    await limiter.consume('k', rule);
    expect((await limiter.consume('k', rule)).retryAfterSec).toBe(3);
    clock.advance(2499);
    expect((await limiter.consume('k', rule)).retryAfterSec).toBe(1);
  });
});

describe('createMemoryRateLimitStore', () => {
  it('evicts the oldest windows beyond maxKeys', async () => {
    const { clock, store } = setup(3);
    for (const key of ['a', 'b', 'c', 'd']) {
      await store.increment(key, 60_000, clock.now().getTime());
      clock.advance(10);
    }
    expect(store.size()).toBe(3);
    // 'a' was dropped, so it starts over; 'b' kept its count.
    expect((await store.increment('a', 60_000, clock.now().getTime())).count).toBe(1);
    expect(store.size()).toBe(3);
    expect((await store.increment('d', 60_000, clock.now().getTime())).count).toBe(2);
  });

  it('a restarted window counts as the newest for eviction', async () => {
    const { clock, store } = setup(2);
    await store.increment('a', 1000, clock.now().getTime());
    await store.increment('b', 60_000, clock.now().getTime());
    clock.advance(1000);
    await store.increment('a', 1000, clock.now().getTime()); // a's new window
    await store.increment('c', 60_000, clock.now().getTime()); // evicts b, the oldest start
    expect((await store.increment('a', 1000, clock.now().getTime())).count).toBe(2);
    expect((await store.increment('b', 60_000, clock.now().getTime())).count).toBe(1);
  });

  it('sweeps ended windows by the latest time it has seen', async () => {
    const { clock, store } = setup();
    await store.increment('short', 1000, clock.now().getTime());
    await store.increment('long', 60_000, clock.now().getTime());
    clock.advance(5000);
    await store.increment('other', 60_000, clock.now().getTime());
    store.sweep();
    expect(store.size()).toBe(2);
    expect((await store.increment('long', 60_000, clock.now().getTime())).count).toBe(2);
  });

  it("sweeps on its own unref'd timer", async () => {
    const clock = fixedClock();
    const store = createMemoryRateLimitStore({ sweepIntervalMs: 5 });
    stores.push(store);
    await store.increment('short', 1000, clock.now().getTime());
    await store.increment('later', 1000, clock.now().getTime() + 2000);
    expect(store.size()).toBe(2);
    // Nobody calls sweep() here: only the timer can drop the expired window, and it keeps the live one.
    await until('the timer to sweep the expired window', () => store.size() < 2, 1000, 5);
    expect(store.size()).toBe(1);
  });
});
