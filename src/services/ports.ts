import type { Repositories } from '../db/repositories/index.js';
import type { OtpPurpose } from './models.js';

/** The contracts the services rely on; crypto/ and services/ implement them. */

export type { SignedToken, TokenService, TokenType, VerifiedToken } from '../crypto/jwt.js';
export type { PasswordHasher } from '../crypto/passwords.js';

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
