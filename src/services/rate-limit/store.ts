/** Where fixed-window counters live: memory for one instance, Redis when several share limits. */
export interface RateLimitStore {
  /**
   * Counts one hit on `key` and answers the window's count so far. A key without a live window
   * (none yet, or its window ended at or before `nowMs`) starts a new one of `windowMs`.
   * Must be atomic: concurrent calls never lose or double a hit.
   */
  increment(key: string, windowMs: number, nowMs: number): Promise<{ count: number; resetAtMs: number }>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}
