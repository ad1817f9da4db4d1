import type { Config } from '../../config/index.js';
import type { Secrets } from '../../crypto/secrets.js';
import type { DataStore } from '../../db/repositories/index.js';
import type { EmailQueue } from '../outbox/queue.js';
import type { AuditLog } from '../audit.js';
import type { AuthStateCache } from '../auth-state.js';
import type { Clock } from '../../domain/clock.js';
import type { FlowMetrics, PasswordHasher, RateLimiter, TokenService } from '../../domain/ports.js';
import type { OtpService } from '../otps.js';
import type { SessionService } from '../sessions.js';

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
