import { describe, expect, it } from 'vitest';
import type { DataStore } from '../../src/db/repositories/index.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createAuthStateCache } from '../../src/services/auth-state.js';
import { until } from '../helpers/until.js';

/** A store whose session lookups are counted and can be held open, so a test decides when a load ends. */
function fakeStore() {
  const loads: string[] = [];
  let held: Array<() => void> | undefined;
  // What the database says of every session now: a revocation the cache was not told of changes it.
  const database = { revokedAt: null as Date | null };
  const sessions = {
    async find(id: string) {
      loads.push(id);
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      return { id, userId: 7, revokedAt: database.revokedAt };
    },
  };
  const store = { repos: { sessions } } as unknown as DataStore;
  return {
    store,
    loads,
    database,
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach((resolve) => resolve());
    },
  };
}

describe('the auth-state cache', () => {
  it('holds the working set of the last two TTLs, not every session ever seen', async () => {
    const clock = fixedClock();
    const { store, loads } = fakeStore();
    const cache = createAuthStateCache({ store, clock, ttlMs: 30_000 });
    for (let i = 0; i < 1000; i++) await cache.session(`s${i}`);
    expect(cache.size().sessions).toBe(1000);
    await cache.session('s1');
    expect(loads).toHaveLength(1000); // a hit
    clock.advance(60_000);
    await cache.session('fresh');
    expect(cache.size().sessions).toBe(1);
  });

  it('past its TTL answers at once and reloads in the background; past twice the TTL a request waits for the load', async () => {
    const clock = fixedClock();
    const { store, loads, database, hold, release } = fakeStore();
    const cache = createAuthStateCache({ store, clock, ttlMs: 30_000 });
    expect(await cache.session('s1')).toMatchObject({ revoked: false });
    // A revocation whose invalidation never arrived (the TTL is the net under it).
    database.revokedAt = new Date();
    clock.advance(29_999 - 6_000); // every entry's TTL is at least four fifths of ttlMs
    expect(await cache.session('s1')).toMatchObject({ revoked: false });
    expect(loads).toEqual(['s1']);

    clock.advance(6_001); // 30 s: past every jittered TTL
    hold();
    // Three requests while the reload is held: none waits for it, one load serves them all.
    const answers = await Promise.all([cache.session('s1'), cache.session('s1'), cache.session('s1')]);
    expect(answers.map((a) => a.revoked)).toEqual([false, false, false]);
    expect(loads).toEqual(['s1', 's1']);
    release();
    await until('the reload is answered', async () => (await cache.session('s1')).revoked);
    expect(loads).toEqual(['s1', 's1']);

    // Past twice the TTL nothing old is answered: the request waits for the database.
    database.revokedAt = null;
    clock.advance(60_000);
    hold();
    const waiting = cache.session('s1');
    let answered = false;
    void waiting.then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    release();
    expect(await waiting).toMatchObject({ revoked: false });
  });

  it('never answers an invalidated entry, stale or not', async () => {
    const clock = fixedClock();
    const { store, database } = fakeStore();
    const cache = createAuthStateCache({ store, clock, ttlMs: 30_000 });
    await cache.session('s1');
    clock.advance(40_000); // stale, within the grace
    database.revokedAt = new Date();
    cache.invalidateSessions(['s1']);
    expect(await cache.session('s1')).toMatchObject({ revoked: true });
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
