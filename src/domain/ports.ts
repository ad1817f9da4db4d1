/**
 * The contracts between the layers: what the services need from the layers below (hashing, limits,
 * shared state) and what the HTTP layer hands them. Implemented in crypto/, services/ and redis/.
 */

export type { SignedToken, TokenService, TokenType, VerifiedToken } from './tokens.js';

/** Who made the request: for the audit log, and the request id for the services' log lines. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  reqId?: string;
}

export interface PoolStats {
  active: number;
  queued: number;
  concurrency: number;
}

export interface VerifyResult {
  ok: boolean;
  /** The password was right but the hash is of the other kind or weaker than configured. */
  needsRehash: boolean;
}

/** A verify admitted in advance (its place in the pool is held): it is never refused. */
export interface AdmittedVerify {
  verify(storedHash: string | null, plain: string): Promise<VerifyResult>;
  /** Gives the place back when no verify follows (a no-op after verify). */
  release(): void;
}

export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  /** `storedHash` null (unknown user, no password yet) costs a real verify and answers ok false. */
  verify(storedHash: string | null, plain: string): Promise<VerifyResult>;
  /** Holds a place for one verify, or throws SERVICE_UNAVAILABLE at once when the pool is full. */
  admitVerify(): AdmittedVerify;
  stats(): PoolStats;
  /** Stops the sampling that sizes the pool (jobs in flight finish). */
  close(): void;
}

export interface RateRule {
  max: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Takes one from the budget and says whether it was there; refused hits count too. */
  consume(
    key: string,
    rule: RateRule,
  ): Promise<{ allowed: boolean; remaining: number; retryAfterSec: number /** Hits in the window, this one included. */; count: number }>;
  /** Gives one back (the request that took it succeeded), within the same window only. */
  reward(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** Where fixed-window counters live: memory for one instance, Redis when several share limits. */
export interface RateLimitStore {
  /**
   * Counts one hit on `key` and answers the window's count so far. A key without a live window
   * (none yet, or its window ended at or before `nowMs`) starts a new one of `windowMs`.
   * Must be atomic: concurrent calls never lose or double a hit.
   */
  increment(key: string, windowMs: number, nowMs: number): Promise<{ count: number; resetAtMs: number }>;
  /** Takes one hit back from a window still live at `nowMs` (never below 0); nothing otherwise. Atomic too. */
  decrement(key: string, nowMs: number): Promise<void>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export type LoginOutcome = 'success' | 'invalid_credentials' | 'locked' | 'not_activated' | 'suspended' | 'rate_limited';

/** Where flows report what an operator counts (Prometheus in production); optional so tests may leave it out. */
export interface FlowMetrics {
  login(outcome: LoginOutcome): void;
}

/** A connection that receives what is published on its channels (a Redis subscriber). */
export interface Subscriber {
  readonly status: string;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
}

/** The state several instances share (Redis, redis/link.ts), and whether it is usable right now. */
export interface SharedStateLink {
  /** Prepended to every key and channel. */
  prefix: string;
  /** False from the first failure until it answers again; callers use memory meanwhile. */
  available(): boolean;
  /** A command failed or timed out: marks it unavailable (logged once) until it answers again. */
  reportFailure(error: unknown): void;
  /** Called each time it becomes usable again after an outage. */
  onRecover(listener: () => void): void;
  publish(channel: string, message: string): Promise<unknown>;
  /** A connection of its own for subscribing (a subscribed connection can run nothing else). */
  duplicate(): Subscriber;
  /** Readiness: true when a PING is answered within the command timeout. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
