import { AppError } from '../../errors/index.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { OtpPurpose, UserRecord } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import type { LoginPayload } from '../sessions.js';
import type { AuthFlowDeps } from './deps.js';
import { issueOtp, takeOtpBudget } from './otp-sending.js';
import { SESSION_REVOKED } from '../../domain/session-revocation.js';
import { revokeUserTokens } from '../events/record.js';

/** Whether an OTP of this purpose may be sent to this user (API.md resend-otp). */
function purposeApplies(user: UserRecord | undefined, purpose: OtpPurpose): user is UserRecord {
  if (!user) return false;
  switch (purpose) {
    case 'REGISTRATION':
      return user.role === 'SUPER_ADMIN' && !user.isVerifiedSuperAdmin;
    case 'ACCOUNT_ACTIVATION':
      return user.role !== 'SUPER_ADMIN' && !user.isActive;
    case 'FORGOT_PASSWORD':
      return user.isActive && !user.isSuspended && user.passwordHash !== null;
  }
}

export function createOtpFlows(
  deps: Pick<AuthFlowDeps, 'store' | 'clock' | 'config' | 'hasher' | 'otps' | 'emails' | 'limiter' | 'sessions' | 'authState' | 'audit'>,
) {
  const { store, clock, hasher, otps, emails, sessions, authState, audit } = deps;

  /** Sends an OTP where it applies; unknown emails pay the same cooldown and the same write, and get the same answer. */
  async function sendOtp(email: string, purpose: OtpPurpose, meta: RequestMeta): Promise<void> {
    await takeOtpBudget(deps, email);
    const user = await store.repos.users.findByEmail(email);
    const applies = purposeApplies(user, purpose);
    await store.transaction(async (tx) => {
      // Issued even when nothing is sent: the same work, and a code nobody knows.
      await issueOtp(deps, tx, email, purpose, applies ? user : undefined);
      await audit.record(
        {
          userId: null,
          actorEmail: email,
          targetUserId: user?.id ?? null,
          action: 'OTP_REQUEST',
          resource: 'otp',
          details: { purpose, sent: applies },
          success: true,
        },
        meta,
        tx,
      );
    });
    if (applies) emails.nudge();
  }

  async function revokeEverySession(tx: Repositories, userId: number): Promise<string[]> {
    return tx.sessions.revokeAllOfUser(userId, clock.now(), SESSION_REVOKED.passwordReset);
  }

  return {
    resendOtp: sendOtp,
    forgotPassword: (email: string, meta: RequestMeta) => sendOtp(email, 'FORGOT_PASSWORD', meta),

    /** Sets a new password from a FORGOT_PASSWORD OTP; every session ends and every earlier token is refused. */
    async resetPassword(email: string, code: string, newPassword: string, meta: RequestMeta): Promise<void> {
      const { otpId } = await otps.check(email, 'FORGOT_PASSWORD', code, meta);
      const hash = await hasher.hash(newPassword);
      const revoked = await store.transaction(async (tx) => {
        const user = await tx.users.findByEmail(email);
        if (!purposeApplies(user, 'FORGOT_PASSWORD')) throw new AppError('INVALID_OTP');
        await otps.consume(tx, otpId);
        await tx.users.setPassword(user.id, hash, clock.now());
        const ids = await revokeEverySession(tx, user.id);
        await revokeUserTokens(tx, user, 'PASSWORD_RESET', clock.now());
        await audit.record(
          {
            userId: user.id,
            actorEmail: email,
            targetUserId: user.id,
            action: 'PASSWORD_RESET',
            resource: 'user',
            details: { sessionsRevoked: ids.length },
            success: true,
          },
          meta,
          tx,
        );
        return { userId: user.id, ids };
      });
      authState.invalidateSessions(revoked.ids);
      authState.invalidateUser(revoked.userId);
    },

    /** A user created by an admin proves the address with the emailed OTP and chooses a password. */
    async activateAccount(email: string, code: string, password: string, meta: RequestMeta): Promise<LoginPayload> {
      const { otpId } = await otps.check(email, 'ACCOUNT_ACTIVATION', code, meta);
      const hash = await hasher.hash(password);
      const now = clock.now();
      const payload = await store.transaction(async (tx) => {
        const user = await tx.users.findByEmail(email);
        if (!purposeApplies(user, 'ACCOUNT_ACTIVATION')) throw new AppError('INVALID_OTP');
        if (user.isSuspended) throw new AppError('ACCOUNT_SUSPENDED');
        await otps.consume(tx, otpId);
        if ((await tx.users.activate(user.id, hash, now)) !== 1) throw new AppError('INVALID_OTP');
        await tx.users.recordLoginSuccess(user.id, now, { endFailureRun: true });
        await emails.enqueue(tx, 'WELCOME', user.email, { name: user.name });
        await audit.record(
          { userId: user.id, actorEmail: email, targetUserId: user.id, action: 'ACCOUNT_ACTIVATED', resource: 'user', success: true },
          meta,
          tx,
        );
        return sessions.start(tx, { ...user, isActive: true, lastLoginAt: now });
      });
      authState.invalidateUser(payload.user.id);
      emails.nudge();
      return payload;
    },
  };
}
