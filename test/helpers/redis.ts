import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';

/**
 * The Redis of the suites that need one (127.0.0.1:6379 on every machine and in CI). Those suites
 * always require it: unreachable, they fail rather than skip, whether or not CI set TEST_REDIS.
 */
const fromEnv = process.env.TEST_REDIS_URL ?? process.env.TEST_REDIS;
export const TEST_REDIS_URL = fromEnv && /^rediss?:\/\//.test(fromEnv) ? fromEnv : 'redis://127.0.0.1:6379';
export const TEST_REDIS_PORT = Number(new URL(TEST_REDIS_URL).port || 6379);

/** A prefix no other run or test uses, so that runs in parallel never count each other's hits. */
export const uniqueRedisPrefix = (label: string) => `xtown-test:${label}:${Date.now().toString(36)}${randomBytes(4).toString('hex')}:`;

/** A plain connection for the test's own looks at Redis; throws (the test fails) when Redis does not answer. */
export async function openTestRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`these tests need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL): ${(error as Error).message}`);
  }
  return redis;
}

/** Deletes every key under `prefix` (the windows would otherwise live out their TTL). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A pino logger whose lines land in `lines`, parsed. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
