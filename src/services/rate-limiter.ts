import type { Clock } from '../domain/clock.js';
import type { RateLimitStore } from '../domain/ports.js';

export {
  createMemoryRateLimitStore,
  type MemoryRateLimitStore,
  type MemoryRateLimitStoreOptions,
} from './rate-limit/memory-store.js';

export interface RateLimitRule {
  max: number;
  windowMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits in this window, this one included. */
  count: number;
  /** Hits left in this window after this one. */
  remaining: number;
  /** Whole seconds until the window resets, at least 1, when refused; 0 when allowed. */
  retryAfterSec: number;
  /** When the current window ends (for RateLimit-Reset style headers). */
  resetAtMs: number;
}

export interface RateLimiter {
  /** Counts one hit on `key` and says whether it is within `rule`. Refused hits count too. */
  consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Gives back one hit of the current window: a failure budget's refund for a request that succeeded. */
  reward(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/*
 * Why not rate-limiter-flexible (which has consume and reward too): its memory limiter keeps time with
 * Date.now() and timers, and its Redis one with key TTLs, so windows could not follow the injected clock
 * that every service here takes (DESIGN.md), and tests could not move them. What we need of it is
 * small: fixed windows, an atomic increment and decrement (one Lua script each in Redis), and the
 * memory fallback while Redis is away (failover-store.ts), which is its "insurance limiter".
 */

export function createRateLimiter({ store, clock }: { store: RateLimitStore; clock: Clock }): RateLimiter {
  return {
    async consume(key, rule) {
      if (!Number.isInteger(rule.max) || rule.max < 0) throw new RangeError('rule.max must be an integer >= 0');
      if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1) throw new RangeError('rule.windowMs must be >= 1');
      const nowMs = clock.now().getTime();
      const { count, resetAtMs } = await store.increment(key, rule.windowMs, nowMs);
      const allowed = count <= rule.max;
      return {
        allowed,
        count,
        remaining: Math.max(0, rule.max - count),
        retryAfterSec: allowed ? 0 : Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000)),
        resetAtMs,
      };
    },
    reward: (key) => store.decrement(key, clock.now().getTime()),
    reset: (key) => store.reset(key),
  };
}
