import type { Repositories } from '../../db/repositories/index.js';
import type { OtpPurpose } from '../../domain/models.js';
import { AppError } from '../../errors/index.js';
import { otpMinutes, type AuthFlowDeps } from './deps.js';

const EMAIL_OF_PURPOSE = {
  REGISTRATION: 'REGISTRATION_OTP',
  ACCOUNT_ACTIVATION: 'ACCOUNT_ACTIVATION_OTP',
  FORGOT_PASSWORD: 'FORGOT_PASSWORD_OTP',
} as const;

const HOUR_MS = 3_600_000;

/**
 * The per-email budgets of every call that emails an OTP on request (API.md "Limits": forgot-password,
 * resend-otp, resend-activation): one per cooldown (429 OTP_COOLDOWN), a few per hour (429 RATE_LIMITED),
 * both with Retry-After. The keys are the email's alone, so the three routes share them.
 */
export async function takeOtpBudget(deps: Pick<AuthFlowDeps, 'config' | 'limiter'>, email: string): Promise<void> {
  const { config, limiter } = deps;
  const cooldown = await limiter.consume(`otp-cooldown:${email}`, { max: 1, windowMs: config.otp.resendCooldownSec * 1000 });
  if (!cooldown.allowed) throw new AppError('OTP_COOLDOWN', { retryAfter: cooldown.retryAfterSec });
  const hourly = await limiter.consume(`otp-hourly:${email}`, { max: config.otp.maxPerHour, windowMs: HOUR_MS });
  if (!hourly.allowed) throw new AppError('RATE_LIMITED', { retryAfter: hourly.retryAfterSec });
}

/**
 * Issues a code in `tx` (older live codes of the email and purpose stop working) and, when `recipient` is
 * given, queues the email that carries it in the same transaction, so that nothing promised is lost.
 * The caller nudges the outbox after the commit.
 */
export async function issueOtp(
  deps: Pick<AuthFlowDeps, 'config' | 'otps' | 'emails'>,
  tx: Repositories,
  email: string,
  purpose: OtpPurpose,
  recipient?: { name: string },
): Promise<void> {
  const issued = await deps.otps.issue(tx, email, purpose);
  if (!recipient) return;
  await deps.emails.enqueue(tx, EMAIL_OF_PURPOSE[purpose], email, {
    name: recipient.name,
    otp: issued.code,
    expiresInMinutes: otpMinutes(deps.config),
  });
}
