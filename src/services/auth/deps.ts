import type { Config } from '../../config/index.js';
import type { Secrets } from '../../crypto/secrets.js';
import type { DataStore } from '../../db/repositories/index.js';
import type { EmailQueue } from '../../email/types.js';
import type { AuditLog } from '../audit.js';
import type { AuthStateCache } from '../auth-state.js';
import type { Clock } from '../clock.js';
import type { OtpService, PasswordHasher, RateLimiter, TokenService } from '../ports.js';
import type { SessionService } from '../sessions.js';

export type LoginOutcome = 'success' | 'invalid_credentials' | 'locked' | 'not_activated' | 'suspended' | 'rate_limited';

/** Where flows report what an operator counts (Prometheus in production); optional so tests may leave it out. */
export interface FlowMetrics {
  login(outcome: LoginOutcome): void;
}

export interface AuthFlowDeps {
  store: DataStore;
  clock: Clock;
  config: Config;
  secrets: Secrets;
  hasher: PasswordHasher;
  tokens: TokenService;
  otps: OtpService;
  emails: EmailQueue;
  limiter: RateLimiter;
  sessions: SessionService;
  authState: AuthStateCache;
  audit: AuditLog;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics?: FlowMetrics;
}

export const otpMinutes = (config: Config) => Math.max(1, Math.round(config.otp.ttlSec / 60));
