import type { Redis } from 'ioredis';
import type { RateLimitStore } from '../domain/ports.js';

/**
 * One fixed window per key in a hash { c: count, r: reset time in ms }. The window boundaries come
 * from the caller's clock, like the memory store's, so both stores count the same way (and tests
 * that move the clock move Redis windows too); the key's TTL only garbage-collects it.
 * ARGV: now, window, now + window (computed in JS: Lua's number formatting would round it).
 */
const INCREMENT = `
local reset = redis.call('HGET', KEYS[1], 'r')
if reset and tonumber(reset) > tonumber(ARGV[1]) then
  return {redis.call('HINCRBY', KEYS[1], 'c', 1), reset}
end
redis.call('HSET', KEYS[1], 'c', 1, 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[3]}
`;

/** ARGV: now. A live window with hits loses one; an ended or empty one is left alone. */
const DECREMENT = `
local reset = redis.call('HGET', KEYS[1], 'r')
if reset and tonumber(reset) > tonumber(ARGV[1]) and tonumber(redis.call('HGET', KEYS[1], 'c')) > 0 then
  redis.call('HINCRBY', KEYS[1], 'c', -1)
end
return 0
`;

type WithIncrement = Redis & {
  xtownRateIncrement(key: string, nowMs: string, windowMs: string, resetAtMs: string): Promise<[number, string]>;
  xtownRateDecrement(key: string, nowMs: string): Promise<number>;
};

/** Fixed windows in Redis, shared by every instance; the script makes each hit atomic. */
export function createRedisRateLimitStore({ client, prefix }: { client: Redis; prefix: string }): RateLimitStore {
  // EVALSHA with an EVAL fallback: the script is sent once per connection, not per hit.
  if (!('xtownRateIncrement' in client)) {
    client.defineCommand('xtownRateIncrement', { numberOfKeys: 1, lua: INCREMENT });
    client.defineCommand('xtownRateDecrement', { numberOfKeys: 1, lua: DECREMENT });
  }
  const redis = client as WithIncrement;
  const keyOf = (key: string) => `${prefix}rl:${key}`;
  return {
    async increment(key, windowMs, nowMs) {
      if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
      const now = Math.floor(nowMs);
      const window = Math.ceil(windowMs);
      const [count, resetAt] = await redis.xtownRateIncrement(keyOf(key), String(now), String(window), String(now + window));
      return { count: Number(count), resetAtMs: Number(resetAt) };
    },
    async decrement(key, nowMs) {
      await redis.xtownRateDecrement(keyOf(key), String(Math.floor(nowMs)));
    },
    async reset(key) {
      await redis.del(keyOf(key));
    },
    // The connection belongs to the RedisLink, which its owner closes.
    async close() {},
  };
}
