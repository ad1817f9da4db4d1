import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailoverRateLimitStore } from '../../src/services/rate-limit/failover-store.js';
import { createMemoryRateLimitStore } from '../../src/services/rate-limit/memory-store.js';
import { createRedisRateLimitStore } from '../../src/redis/rate-limit-store.js';
import { connectRedis, type RedisLink } from '../../src/redis/link.js';
import {
  capturingLogger,
  closedPort,
  deletePrefix,
  openTestRedis,
  TEST_REDIS_PORT,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
} from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const WINDOW = 60_000;

/** A proxy to Redis that can stop forwarding commands while keeping every connection open: a hung Redis. */
async function stallingProxy() {
  const pairs: Array<[Socket, Socket]> = [];
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = connect(TEST_REDIS_PORT, '127.0.0.1');
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    if (!stalled) client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stall: () => {
      stalled = true;
      pairs.forEach(([client, upstream]) => client.unpipe(upstream));
    },
    resume: () => {
      stalled = false;
      pairs.forEach(([client, upstream]) => client.pipe(upstream));
    },
    close: () => {
      pairs.forEach(([client]) => client.destroy());
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
const T0 = Date.UTC(2030, 0, 1);

describe('Redis rate-limit store', () => {
  let raw: Redis;
  let prefix: string;
  const links: RedisLink[] = [];
  const proxies: TcpProxy[] = [];
  const open = async (url = TEST_REDIS_URL, log = capturingLogger()) => {
    const link = await connectRedis(url, { logger: log.logger, prefix, probeIntervalMs: 100 });
    links.push(link);
    return link;
  };
  const proxy = async () => {
    const started = await startTcpProxy({ host: '127.0.0.1', port: TEST_REDIS_PORT });
    proxies.push(started);
    return started;
  };
  const events = (lines: Array<Record<string, unknown>>, name: string) => lines.filter((line) => line.event === name).length;

  beforeEach(async () => {
    raw = await openTestRedis();
    prefix = uniqueRedisPrefix('store');
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await deletePrefix(raw, prefix);
    raw.disconnect();
  });

  it('counts 200 concurrent hits exactly once each, in one window', async () => {
    const store = createRedisRateLimitStore(await open());
    const results = await Promise.all(Array.from({ length: 200 }, () => store.increment('ip:10.0.0.1', WINDOW, T0)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.resetAtMs))).toEqual(new Set([T0 + WINDOW]));
  });

  it("follows the caller's clock: the window holds until its reset, then a new one starts", async () => {
    const store = createRedisRateLimitStore(await open());
    expect(await store.increment('k', WINDOW, T0)).toEqual({ count: 1, resetAtMs: T0 + WINDOW });
    expect(await store.increment('k', WINDOW, T0 + WINDOW - 1)).toEqual({ count: 2, resetAtMs: T0 + WINDOW });
    expect(await store.increment('k', WINDOW, T0 + WINDOW)).toEqual({ count: 1, resetAtMs: T0 + 2 * WINDOW });
    // The key lives no longer than its window in Redis time, so abandoned keys go away.
    const ttl = await raw.pttl(`${prefix}rl:k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW);
  });

  it('gives hits back atomically, within the live window only, never below zero (memory and Redis alike)', async () => {
    for (const store of [createRedisRateLimitStore(await open()), createMemoryRateLimitStore()]) {
      await Promise.all(Array.from({ length: 50 }, () => store.increment('fail:ip', WINDOW, T0)));
      await Promise.all(Array.from({ length: 20 }, () => store.decrement('fail:ip', T0 + 1)));
      expect((await store.increment('fail:ip', WINDOW, T0 + 2)).count).toBe(31);
      await Promise.all(Array.from({ length: 40 }, () => store.decrement('fail:ip', T0 + 3)));
      expect((await store.increment('fail:ip', WINDOW, T0 + 4)).count).toBe(1);
      // An ended window is not touched: the next hit opens a new one.
      await store.decrement('fail:ip', T0 + WINDOW);
      expect(await store.increment('fail:ip', WINDOW, T0 + WINDOW)).toEqual({ count: 1, resetAtMs: T0 + 2 * WINDOW });
      await store.decrement('never-counted', T0);
      expect((await store.increment('never-counted', WINDOW, T0)).count).toBe(1);
      await store.close();
    }
  });

  it('shares counts between two connections (two instances), and reset clears them for both', async () => {
    const a = createRedisRateLimitStore(await open());
    const b = createRedisRateLimitStore(await open());
    for (let i = 0; i < 3; i++) {
      await a.increment('login:x', WINDOW, T0);
      await b.increment('login:x', WINDOW, T0 + 1);
    }
    expect((await a.increment('login:x', WINDOW, T0 + 2)).count).toBe(7);
    await b.reset('login:x');
    expect((await a.increment('login:x', WINDOW, T0 + 3)).count).toBe(1);
    // Another prefix is another deployment: nothing shared.
    const other = createRedisRateLimitStore({ client: (await open()).client, prefix: `${prefix}other:` });
    expect((await other.increment('login:x', WINDOW, T0 + 3)).count).toBe(1);
  });

  it('falls back to memory when Redis is unreachable from the start, logging it once', async () => {
    const log = capturingLogger();
    const started = Date.now();
    const link = await open(`redis://127.0.0.1:${await closedPort()}`, log);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(link.available()).toBe(false);
    expect(await link.ping()).toBe(false);
    const store = createFailoverRateLimitStore({ primary: createRedisRateLimitStore(link), fallback: createMemoryRateLimitStore(), link });
    for (let i = 1; i <= 5; i++) expect((await store.increment('k', WINDOW, T0)).count).toBe(i);
    // Each failed reconnect is an error event on the link's client, which the link hears first: once three
    // more have failed, a second "unavailable" (or a false "recovered") would already be logged.
    let failures = 0;
    link.client.on('error', () => (failures += 1));
    await until('three more failed reconnects', () => failures >= 3, 5000);
    expect(events(log.lines, 'redis_unavailable')).toBe(1);
    expect(events(log.lines, 'redis_recovered')).toBe(0);
  });

  it('switches to memory when Redis goes away and back to Redis when it returns, logging each switch once', async () => {
    const tcp = await proxy();
    const log = capturingLogger();
    const link = await open(`redis://127.0.0.1:${tcp.port}`, log);
    const store = createFailoverRateLimitStore({ primary: createRedisRateLimitStore(link), fallback: createMemoryRateLimitStore(), link });
    expect((await store.increment('k', WINDOW, T0)).count).toBe(1);
    expect((await store.increment('k', WINDOW, T0)).count).toBe(2);

    await tcp.cut('refuse');
    await until('outage noticed', () => !link.available(), 2000);
    // Memory starts its own count; no request fails or waits on Redis.
    const started = Date.now();
    expect((await store.increment('k', WINDOW, T0)).count).toBe(1);
    expect((await store.increment('k', WINDOW, T0)).count).toBe(2);
    expect(Date.now() - started).toBeLessThan(100);
    expect(await link.ping()).toBe(false);

    await tcp.restore();
    await until('recovery', () => link.available(), 5000);
    // Back on Redis: its count went on from where it was.
    expect((await store.increment('k', WINDOW, T0)).count).toBe(3);
    expect(await link.ping()).toBe(true);
    expect(events(log.lines, 'redis_unavailable')).toBe(1);
    expect(events(log.lines, 'redis_recovered')).toBe(1);
  });

  it('does not wait on a Redis that accepts connections but never answers', async () => {
    const tcp = await proxy();
    const link = await open(`redis://127.0.0.1:${tcp.port}`);
    const store = createFailoverRateLimitStore({ primary: createRedisRateLimitStore(link), fallback: createMemoryRateLimitStore(), link });
    expect((await store.increment('k', WINDOW, T0)).count).toBe(1);
    await tcp.cut('blackhole');
    const started = Date.now();
    for (let i = 0; i < 20; i++) await store.increment('k', WINDOW, T0);
    // At most one command timeout (200 ms) for the first hit after the cut; the rest go straight to memory.
    expect(Date.now() - started).toBeLessThan(600);
    expect(link.available()).toBe(false);
  });

  it('times a hung Redis out after the command timeout, serves from memory, and notices when it answers again', async () => {
    const hung = await stallingProxy();
    try {
      const log = capturingLogger();
      const link = await open(`redis://127.0.0.1:${hung.port}`, log);
      const store = createFailoverRateLimitStore({
        primary: createRedisRateLimitStore(link),
        fallback: createMemoryRateLimitStore(),
        link,
      });
      expect((await store.increment('k', WINDOW, T0)).count).toBe(1);
      hung.stall();
      let started = Date.now();
      expect((await store.increment('k', WINDOW, T0)).count).toBe(1); // memory's first
      const first = Date.now() - started;
      expect(first).toBeGreaterThanOrEqual(150);
      expect(first).toBeLessThan(500);
      started = Date.now();
      for (let i = 0; i < 20; i++) await store.increment('k', WINDOW, T0);
      expect(Date.now() - started).toBeLessThan(50);
      expect(await link.ping()).toBe(false);
      expect(events(log.lines, 'redis_unavailable')).toBe(1);

      hung.resume();
      await until('recovery', () => link.available(), 3000);
      expect(events(log.lines, 'redis_recovered')).toBe(1);
      expect((await store.increment('k', WINDOW, T0)).count).toBeGreaterThanOrEqual(2);
    } finally {
      await hung.close();
    }
  });
});
