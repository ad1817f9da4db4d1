import type { SharedStateLink } from '../../domain/ports.js';
import type { RateLimitStore } from '../../domain/ports.js';

/**
 * Redis while it answers, this instance's memory while it does not: an outage never refuses or
 * stalls requests (a failed command costs at most the command timeout, once, then memory serves
 * until the link sees Redis again). The link logs each switch once.
 */
export function createFailoverRateLimitStore(deps: {
  primary: RateLimitStore;
  fallback: RateLimitStore;
  link: Pick<SharedStateLink, 'available' | 'reportFailure'>;
}): RateLimitStore {
  const { primary, fallback, link } = deps;
  return {
    async increment(key, windowMs, nowMs) {
      if (link.available()) {
        try {
          return await primary.increment(key, windowMs, nowMs);
        } catch (error) {
          if (error instanceof RangeError) throw error;
          link.reportFailure(error);
        }
      }
      return fallback.increment(key, windowMs, nowMs);
    },
    async decrement(key, nowMs) {
      if (link.available()) {
        try {
          return await primary.decrement(key, nowMs);
        } catch (error) {
          link.reportFailure(error);
        }
      }
      return fallback.decrement(key, nowMs);
    },
    async reset(key) {
      await fallback.reset(key);
      if (!link.available()) return;
      try {
        await primary.reset(key);
      } catch (error) {
        link.reportFailure(error);
      }
    },
    async close() {
      await Promise.all([primary.close(), fallback.close()]);
    },
  };
}
