import type { Repositories } from '../db/repositories/index.js';
import type { OtpPurpose } from './models.js';

/** The contracts the services rely on; crypto/ and services/ implement them. */

export type { SignedToken, TokenService, TokenType, VerifiedToken } from '../crypto/jwt.js';

export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  /** A null hash runs against a dummy hash so unknown users take the same time. */
  verify(storedHash: string | null, plain: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Holds a place for one verify (never refused later), or throws SERVICE_UNAVAILABLE at once. */
  admitVerify(): { verify(storedHash: string | null, plain: string): Promise<{ ok: boolean; needsRehash: boolean }>; release(): void };
}

export interface OtpService {
  issue(tx: Repositories, email: string, purpose: OtpPurpose): Promise<{ code: string; expiresAt: Date }>;
  check(email: string, purpose: OtpPurpose, code: string, meta?: RequestMeta): Promise<{ otpId: number }>;
  consume(tx: Repositories, otpId: number): Promise<void>;
}

export interface RateRule {
  max: number;
  windowMs: number;
}

export interface RateLimiter {
  consume(key: string, rule: RateRule): Promise<{ allowed: boolean; remaining: number; retryAfterSec: number }>;
  reset(key: string): Promise<void>;
}

/** Who made the request: for the audit log, and the request id for the services' log lines. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  reqId?: string;
}
