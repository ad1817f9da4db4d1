import { randomInt } from 'node:crypto';
import type { Config } from '../config/index.js';
import { safeEqual, type Secrets } from '../crypto/secrets.js';
import type { DataStore, Repositories } from '../db/repositories/index.js';
import type { EmailQueue } from './outbox/queue.js';
import { AppError } from '../errors/index.js';
import type { AuditLog } from './audit.js';
import type { Clock } from '../domain/clock.js';
import type { OtpPurpose } from '../domain/models.js';
import type { RequestMeta } from '../domain/ports.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface OtpServiceDeps {
  store: DataStore;
  secrets: Secrets;
  clock: Clock;
  config: Pick<Config, 'otp'>;
  emails: EmailQueue;
  audit: AuditLog;
  logger?: { warn(obj: object, msg: string): void };
}

export interface IssuedOtp {
  code: string;
  expiresAt: Date;
}

/** `length` uniform random digits, leading zeros kept. */
export function generateOtpCode(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

const normalize = (email: string) => email.trim().toLowerCase();

export function createOtpService({ store, secrets, clock, config, emails, audit, logger }: OtpServiceDeps) {
  const { ttlSec, length, maxAttempts, maxDailyFailures } = config.otp;
  const repos = store.repos.otps;
  // Email and purpose are inside the HMAC, so the same digits issued elsewhere never match.
  const hashInput = (email: string, purpose: OtpPurpose, code: string) => `${purpose}:${email}:${code}`;
  const invalid = () => new AppError('INVALID_OTP');

  /**
   * Inserts the lockout; only the request whose insert wins records it and tells the owner, in the
   * same transaction. Addresses without an account get no mail (their codes were never sent).
   */
  async function startLockout(email: string, purpose: OtpPurpose, now: Date, meta: RequestMeta | undefined): Promise<void> {
    await repos.clearExpiredLockout(email, purpose, now);
    const until = new Date(now.getTime() + DAY_MS);
    const started = await store.transaction(async (tx) => {
      const inserted = await tx.otps.insertLockout(email, purpose, until, now);
      if (!inserted) return null;
      const owner = await tx.users.findByEmail(email);
      await audit.record(
        {
          userId: null,
          actorEmail: email,
          targetUserId: owner?.id ?? null,
          action: 'OTP_LOCKOUT',
          resource: 'otp',
          details: { purpose, until: until.toISOString() },
          success: false,
        },
        meta,
        tx,
      );
      if (owner) await emails.enqueue(tx, 'OTP_LOCKOUT', email, { purpose, until });
      return { userId: owner?.id };
    });
    if (!started) return;
    logger?.warn(
      { event: 'otp_lockout', purpose, userId: started.userId, until: until.toISOString(), reqId: meta?.reqId },
      'OTP checks locked for 24 hours after repeated wrong codes',
    );
    emails.nudge();
  }

  /**
   * True while a lockout runs, or once the wrong tries of the last 24 h reach the cap (which starts
   * the lockout if no request has yet, e.g. after a crash between the last wrong try and the insert).
   */
  async function isLockedOut(email: string, purpose: OtpPurpose, now: Date, meta: RequestMeta | undefined): Promise<boolean> {
    if (await repos.activeLockout(email, purpose, now)) return true;
    const failures = await repos.failuresSince(email, purpose, new Date(now.getTime() - DAY_MS));
    if (failures < maxDailyFailures) return false;
    await startLockout(email, purpose, now, meta);
    return true;
  }

  return {
    /** Creates a code inside the caller's transaction (with the email that carries it); older live codes stop working. */
    async issue(tx: Repositories, rawEmail: string, purpose: OtpPurpose): Promise<IssuedOtp> {
      const email = normalize(rawEmail);
      const now = clock.now();
      const code = generateOtpCode(length);
      const expiresAt = new Date(now.getTime() + ttlSec * 1000);
      await tx.otps.cancelLive(email, purpose);
      await tx.otps.insert({ email, purpose, otpHash: secrets.hash('otp', hashInput(email, purpose, code)), createdAt: now, expiresAt });
      return { code, expiresAt };
    },

    /**
     * Counts the attempt (committed on its own, outside any transaction), then compares. Any failure is
     * the same INVALID_OTP. Returns the id for `consume`.
     */
    async check(rawEmail: string, purpose: OtpPurpose, code: string, meta?: RequestMeta): Promise<{ otpId: number }> {
      const email = normalize(rawEmail);
      const candidates = secrets.hashCandidates('otp', hashInput(email, purpose, code));
      const now = clock.now();
      // A locked-out try is refused before it is counted, so it does not prolong the lockout.
      if (await isLockedOut(email, purpose, now, meta)) throw invalid();
      const otp = await repos.findNewestLive(email, purpose, now);
      if (!otp) throw invalid();
      if (!(await repos.countAttempt(otp.id, maxAttempts, now))) throw invalid();
      // Every candidate is compared so the time does not depend on which one matched.
      const matches = candidates.map((candidate) => safeEqual(candidate, otp.otpHash)).includes(true);
      if (matches) return { otpId: otp.id };
      await isLockedOut(email, purpose, clock.now(), meta);
      throw invalid();
    },

    /** Inside the caller's transaction, so the change the code authorizes commits with its consumption. */
    async consume(tx: Repositories, otpId: number): Promise<void> {
      if (!(await tx.otps.consume(otpId, clock.now()))) throw invalid();
    },
  };
}

export type OtpService = ReturnType<typeof createOtpService>;
