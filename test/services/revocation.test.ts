import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import { createAuthStateCache, type AuthStateCache, type InvalidationEvent } from '../../src/services/auth-state.js';
import { fixedClock } from '../../src/domain/clock.js';
import { connectRedis, type RedisLink } from '../../src/redis/link.js';
import { startDatabaseRevocation } from '../../src/services/revocation/database-poller.js';
import { startRevocationSync, type RevocationSync } from '../../src/services/revocation/index.js';
import type { RevocationTransport } from '../../src/services/revocation/redis-channel.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';
import { capturingLogger, openTestRedis, TEST_REDIS_PORT, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';
import { newUserRow } from '../helpers/rows.js';

/** One simulated instance: its own cache, and what that cache was told to drop (locally or by others). */
interface Instance {
  cache: AuthStateCache;
  seen: InvalidationEvent[];
  sync: RevocationSync | RevocationTransport;
}

const clock = fixedClock(new Date());

describe(`revocation signals between instances (${TEST_DIALECT})`, () => {
  let database: Database;
  let drop: () => Promise<void>;
  let store: DataStore;
  const instances: Instance[] = [];
  const links: RedisLink[] = [];
  const proxies: TcpProxy[] = [];

  beforeEach(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
    store = createDataStore(database);
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.sync.stop()));
    await Promise.all(links.splice(0).map((link) => link.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await drop();
  });

  const newCache = () => {
    const cache = createAuthStateCache({ store, clock });
    const seen: InvalidationEvent[] = [];
    cache.onInvalidate((event) => seen.push(event));
    return { cache, seen };
  };
  const rowCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('revocation_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const seedUser = async (email: string) => {
    const now = clock.now();
    return store.repos.users.insert(newUserRow({ name: 'x', email, createdAt: now }));
  };

  describe('through the revocation_events table', () => {
    const start = async (options = {}) => {
      const { cache, seen } = newCache();
      const sync = await startDatabaseRevocation(
        { cache, store, clock, logger: capturingLogger().logger },
        { pollIntervalMs: 100, ...options },
      );
      const instance = { cache, seen, sync };
      instances.push(instance);
      return instance;
    };

    it("applies another instance's invalidations within a second, without writing them back", async () => {
      // Every write of signals goes through append, called as the invalidation happens (in the same tick
      // as the cache listeners): once b has applied the rows, any write-back of b has been called.
      const events = store.repos.revocationEvents;
      const append = events.append.bind(events);
      const appends: Array<Promise<unknown>> = [];
      events.append = (...args) => {
        const call = append(...args);
        appends.push(call.catch(() => undefined));
        return call;
      };
      const a = await start();
      const b = await start();
      const before = await rowCount();
      const started = Date.now();
      a.cache.invalidateUser(41);
      a.cache.invalidateSessions(['s-1', 's-2']);
      a.cache.invalidateProject(3);
      await until('b applied all', () => b.seen.length >= 4, 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      // Separate invalidations are written concurrently, so their order between each other is not kept.
      expect(b.seen).toHaveLength(4);
      expect(b.seen).toEqual(
        expect.arrayContaining([
          { kind: 'user', id: 41 },
          { kind: 'session', ids: ['s-1'] },
          { kind: 'session', ids: ['s-2'] },
          { kind: 'project', id: 3 },
        ]),
      );
      // a's three writes and nothing from b; the rows are counted once every write has settled.
      expect(appends).toHaveLength(3);
      await Promise.all(appends);
      // Four rows (one per session id), however many instances read them.
      expect((await rowCount()) - before).toBe(4);
    });

    it('the default runs through startRevocationSync when Redis is not configured', async () => {
      const { cache, seen } = newCache();
      const sync = await startRevocationSync({ cache, store, clock, logger: capturingLogger().logger });
      instances.push({ cache, seen, sync });
      expect(sync.mode).toBe('database');
      const b = await start();
      cache.invalidateUser(9);
      await until('b applied', () => b.seen.some((event) => event.kind === 'user' && event.id === 9), 1000);
    });

    it('deletes rows past the retention in batches, whoever polls', async () => {
      const old = new Date(clock.now().getTime() - 10 * 60_000);
      await store.repos.revocationEvents.append(
        Array.from({ length: 1200 }, (_, i) => ({ kind: 'session' as const, targetId: `old-${i}` })),
        old,
      );
      const a = await start({ retentionMs: 5 * 60_000, cleanupIntervalMs: 0 });
      a.cache.invalidateUser(1);
      await until('old rows deleted', async () => (await rowCount()) === 1, 3000);
    });

    // Ids are taken at insert and seen at commit: a row that commits after a newer one must still arrive.
    it.skipIf(TEST_DIALECT === 'sqlite')('applies a row whose id was skipped because its transaction committed late', async () => {
      const b = await start();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
      const late = database.db.transaction().execute(async (trx) => {
        await trx.insertInto('revocation_events').values({ kind: 'user', targetId: '777', createdAt: clock.now() }).execute();
        inserted();
        await gate;
      });
      await insertedSignal;
      const a = await start();
      a.cache.invalidateUser(778);
      await until('newer row applied', () => b.seen.some((event) => event.kind === 'user' && event.id === 778), 1000);
      expect(b.seen.some((event) => event.kind === 'user' && event.id === 777)).toBe(false);
      release();
      await late;
      await until('late row applied', () => b.seen.some((event) => event.kind === 'user' && event.id === 777), 1000);
    });
  });

  describe('over Redis pub/sub', () => {
    let raw: Redis;
    let prefix: string;
    beforeEach(async () => {
      raw = await openTestRedis();
      prefix = uniqueRedisPrefix('revocation');
    });
    afterEach(() => raw.disconnect());

    const start = async (url = TEST_REDIS_URL) => {
      const log = capturingLogger();
      const link = await connectRedis(url, { logger: log.logger, prefix, probeIntervalMs: 100 });
      links.push(link);
      const { cache, seen } = newCache();
      const sync = await startRevocationSync({ cache, store, clock, logger: log.logger, redis: link });
      const instance = { cache, seen, sync, link };
      instances.push(instance);
      return instance;
    };
    const viaProxy = async () => {
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: TEST_REDIS_PORT });
      proxies.push(proxy);
      return proxy;
    };

    it("applies another instance's invalidations at once; each is published once and applied once per instance", async () => {
      const messages: string[] = [];
      const listener = raw.duplicate();
      await listener.subscribe(`${prefix}revocation`);
      listener.on('message', (_channel: string, message: string) => messages.push(message));
      try {
        const a = await start();
        const b = await start();
        expect(a.sync).toMatchObject({ mode: 'redis' });
        a.cache.invalidateUser(5);
        b.cache.invalidateSessions(['x', 'y']);
        await until('both applied', () => a.seen.length === 2 && b.seen.length === 2, 1000);
        // One later signal from each instance: a connection delivers in order, so once both have crossed,
        // a second publish or a second application of the first two would already be here.
        a.cache.invalidateUser(1001);
        b.cache.invalidateUser(1002);
        await until('the later signals crossed', () => a.seen.length >= 4 && b.seen.length >= 4 && messages.length >= 4, 1000);
        expect(a.seen).toEqual([
          { kind: 'user', id: 5 },
          { kind: 'session', ids: ['x', 'y'] },
          { kind: 'user', id: 1001 },
          { kind: 'user', id: 1002 },
        ]);
        expect(b.seen).toEqual([
          { kind: 'session', ids: ['x', 'y'] },
          { kind: 'user', id: 5 },
          { kind: 'user', id: 1002 },
          { kind: 'user', id: 1001 },
        ]);
        expect(messages).toHaveLength(4);
        // No rows: with Redis the table is not used.
        expect(await rowCount()).toBe(0);
      } finally {
        listener.disconnect();
      }
    });

    it('publishes what was invalidated while Redis was away once it returns', async () => {
      const proxy = await viaProxy();
      const a = await start(`redis://127.0.0.1:${proxy.port}`);
      const b = await start();
      await proxy.cut('refuse');
      await until('outage noticed', () => !a.link.available(), 2000);
      const connections = proxy.connections();
      a.cache.invalidateUser(12);
      // A signal published on the channel after a's invalidation reaches b; a's own did not go out.
      await raw.publish(`${prefix}revocation`, JSON.stringify({ from: 'the-test', signal: { kind: 'user', id: 13 } }));
      await until('the later signal at b', () => b.seen.length > 0, 2000);
      expect(b.seen).toEqual([{ kind: 'user', id: 13 }]);
      expect(proxy.connections()).toBe(connections);
      await proxy.restore();
      await until('signal delivered after recovery', () => b.seen.some((event) => event.kind === 'user' && event.id === 12), 5000);
    });

    it('drops its whole cache when its subscription comes back, since it may have missed signals', async () => {
      const proxy = await viaProxy();
      const b = await start(`redis://127.0.0.1:${proxy.port}`);
      const id = await seedUser('kim@acme.test');
      expect((await b.cache.user(id)).isSuspended).toBe(false);
      await proxy.cut('refuse');
      // Changed while b cannot hear: no signal reaches b.
      await store.repos.userAdmin.suspend(id, id, 'test', clock.now());
      expect((await b.cache.user(id)).isSuspended).toBe(false);
      await proxy.restore();
      await until('cache dropped after resubscribing', async () => (await b.cache.user(id)).isSuspended, 5000);
    });
  });
});
