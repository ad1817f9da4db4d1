import { describe, expect, it } from 'vitest';
import type { DataStore } from '../../src/db/repositories/index.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createAuthStateCache } from '../../src/services/auth-state.js';

/** A store whose session lookups are counted and can be held open, so a test decides when a load ends. */
function fakeStore() {
  const loads: string[] = [];
  let held: Array<() => void> | undefined;
  const sessions = {
    async find(id: string) {
      loads.push(id);
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      return { id, userId: 7, revokedAt: null };
    },
  };
  const store = { repos: { sessions } } as unknown as DataStore;
  return {
    store,
    loads,
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach((resolve) => resolve());
    },
  };
}

describe('the auth-state cache', () => {
  it('holds the working set of the last TTL, not every session ever seen', async () => {
    const clock = fixedClock();
    const { store, loads } = fakeStore();
    const cache = createAuthStateCache({ store, clock, ttlMs: 30_000 });
    for (let i = 0; i < 1000; i++) await cache.session(`s${i}`);
    expect(cache.size().sessions).toBe(1000);
    await cache.session('s1');
    expect(loads).toHaveLength(1000); // a hit
    clock.advance(30_000);
    await cache.session('fresh');
    expect(cache.size().sessions).toBe(1);
  });

  it('never holds more than maxEntries', async () => {
    const { store } = fakeStore();
    const cache = createAuthStateCache({ store, clock: fixedClock(), maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await cache.session(`s${i}`);
    expect(cache.size().sessions).toBe(100);
  });

  it('a load that an invalidation overtook does not write its result back, and invalidations leave nothing behind', async () => {
    const { store, loads, hold, release } = fakeStore();
    const cache = createAuthStateCache({ store, clock: fixedClock() });
    hold();
    const first = cache.session('s1');
    await Promise.resolve();
    cache.invalidateSessions(['s1']);
    release();
    await first;
    expect(cache.size().sessions).toBe(0);
    await cache.session('s1');
    expect(loads).toEqual(['s1', 's1']);
    cache.invalidateSessions(Array.from({ length: 10_000 }, (_, i) => `gone-${i}`));
    expect(cache.size()).toEqual({ users: 0, sessions: 1, projects: 0 }); // s1 only
  });
});
