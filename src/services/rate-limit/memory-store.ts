import type { RateLimitStore } from '../../domain/ports.js';

export interface MemoryRateLimitStoreOptions {
  /** Keys kept at most; past it the oldest windows are dropped so memory stays bounded. */
  maxKeys?: number;
  /** How often ended windows are swept out. */
  sweepIntervalMs?: number;
}

export interface MemoryRateLimitStore extends RateLimitStore {
  /** Keys currently held (for tests and metrics). */
  size(): number;
  /** Drops ended windows now; the timer calls this. */
  sweep(): void;
}

interface Window {
  count: number;
  resetAtMs: number;
}

/** Fixed windows in a Map for a single instance. */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): MemoryRateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer >= 1');

  // Insertion order is window start order: a new window re-inserts its key, so the first entry is the oldest.
  const windows = new Map<string, Window>();
  // Time comes from the callers (the limiter's injected clock), so the sweep uses the latest time seen.
  let latestNowMs = -Infinity;

  const sweep = () => {
    for (const [key, window] of windows) {
      if (window.resetAtMs <= latestNowMs) windows.delete(key);
    }
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();

  return {
    async increment(key, windowMs, nowMs) {
      if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
      if (nowMs > latestNowMs) latestNowMs = nowMs;
      const current = windows.get(key);
      if (current && current.resetAtMs > nowMs) {
        current.count++;
        return { count: current.count, resetAtMs: current.resetAtMs };
      }
      windows.delete(key);
      const fresh = { count: 1, resetAtMs: nowMs + windowMs };
      windows.set(key, fresh);
      while (windows.size > maxKeys) {
        windows.delete(windows.keys().next().value as string);
      }
      return { count: fresh.count, resetAtMs: fresh.resetAtMs };
    },
    async decrement(key, nowMs) {
      const current = windows.get(key);
      if (current && current.resetAtMs > nowMs && current.count > 0) current.count--;
    },
    async reset(key) {
      windows.delete(key);
    },
    async close() {
      clearInterval(timer);
      windows.clear();
    },
    size: () => windows.size,
    sweep,
  };
}
