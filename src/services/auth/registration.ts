import { safeEqual } from '../../crypto/secrets.js';
import { AppError } from '../../errors/index.js';
import type { RequestMeta } from '../../domain/ports.js';
import type { LoginPayload } from '../sessions.js';
import { otpMinutes, type AuthFlowDeps } from './deps.js';

export interface RegistrationInput {
  setupToken: string;
  name: string;
  email: string;
  password: string;
  companyName?: string | null;
  companyAddress?: string | null;
  companyPhone?: string | null;
}

/** What registrations and verifications of the first Super Admin serialize on (db job_leases). */
const SUPER_ADMIN_LOCK = 'super-admin-registration';

/** The token `register` requires: SETUP_TOKEN, or one derived from JWT_SECRET (the same on every instance). */
export function setupTokenOf(deps: Pick<AuthFlowDeps, 'config' | 'secrets'>): string {
  return deps.config.setupToken ?? deps.secrets.derive('setup-token', 18).toString('base64url');
}

export function createRegistration(
  deps: Pick<AuthFlowDeps, 'store' | 'clock' | 'config' | 'hasher' | 'otps' | 'emails' | 'sessions' | 'audit' | 'secrets'>,
) {
  const { store, clock, config, hasher, otps, emails, sessions, audit } = deps;
  const expectedSetupToken = setupTokenOf(deps);

  return {
    superAdminExists: () => store.repos.users.superAdminExists(),

    /** Starts (or restarts) the first Super Admin's registration; the account waits for the emailed OTP. */
    async register(input: RegistrationInput, meta: RequestMeta): Promise<{ email: string; otpExpiresAt: Date }> {
      if (await store.repos.users.superAdminExists()) throw new AppError('SUPER_ADMIN_EXISTS');
      if (!safeEqual(input.setupToken, expectedSetupToken)) {
        await audit.record(
          {
            userId: null,
            actorEmail: input.email,
            action: 'REGISTER',
            resource: 'user',
            details: { reason: 'setup token invalid' },
            success: false,
          },
          meta,
        );
        throw new AppError('SETUP_TOKEN_INVALID');
      }
      const passwordHash = await hasher.hash(input.password);
      const now = clock.now();
      const otp = await store.transaction(async (tx) => {
        // One after the other with the verifications: checked again here, once none can be running, so that
        // a registration that started before the Super Admin was verified never leaves a pending rival behind.
        await tx.jobLeases.serialize(SUPER_ADMIN_LOCK);
        if (await tx.users.superAdminExists()) throw new AppError('SUPER_ADMIN_EXISTS');
        // A new registration replaces an unverified one (whatever its email).
        await tx.users.deletePendingSuperAdmins();
        if (await tx.users.findByEmail(input.email)) throw new AppError('EMAIL_TAKEN');
        const id = await tx.users.insert({
          name: input.name,
          email: input.email,
          password: passwordHash,
          role: 'SUPER_ADMIN',
          customRole: null,
          companyName: input.companyName ?? null,
          companyAddress: input.companyAddress ?? null,
          companyPhone: input.companyPhone ?? null,
          isActive: false,
          isSuspended: false,
          suspensionReason: null,
          suspendedBy: null,
          unsuspendedBy: null,
          subUserLimit: 0,
          createdById: null,
          createdAt: now,
          updatedAt: now,
          superAdminSlot: null,
        });
        const issued = await otps.issue(tx, input.email, 'REGISTRATION');
        await emails.enqueue(tx, 'REGISTRATION_OTP', input.email, {
          name: input.name,
          otp: issued.code,
          expiresInMinutes: otpMinutes(config),
        });
        await audit.record(
          { userId: id, actorEmail: input.email, targetUserId: id, action: 'REGISTER', resource: 'user', success: true },
          meta,
          tx,
        );
        return issued;
      });
      emails.nudge();
      return { email: input.email, otpExpiresAt: otp.expiresAt };
    },

    /** Verifies the registration OTP; of two racing verifications exactly one becomes the Super Admin. */
    async verify(email: string, code: string, meta: RequestMeta): Promise<LoginPayload> {
      const { otpId } = await otps.check(email, 'REGISTRATION', code, meta);
      const now = clock.now();
      const payload = await store.transaction(async (tx) => {
        await tx.jobLeases.serialize(SUPER_ADMIN_LOCK);
        if (await tx.users.superAdminExists()) throw new AppError('SUPER_ADMIN_EXISTS');
        const user = await tx.users.findByEmail(email);
        if (!user || user.role !== 'SUPER_ADMIN' || user.isVerifiedSuperAdmin) throw new AppError('INVALID_OTP');
        await otps.consume(tx, otpId);
        if (!(await tx.users.claimSuperAdminSlot(user.id, now))) throw new AppError('SUPER_ADMIN_EXISTS');
        await tx.users.deletePendingSuperAdmins();
        await tx.users.recordLoginSuccess(user.id, now, { endFailureRun: true });
        await emails.enqueue(tx, 'WELCOME', user.email, { name: user.name });
        await audit.record(
          {
            userId: user.id,
            actorEmail: user.email,
            targetUserId: user.id,
            action: 'VERIFY_REGISTRATION',
            resource: 'user',
            success: true,
          },
          meta,
          tx,
        );
        return sessions.start(tx, { ...user, isActive: true, lastLoginAt: now });
      });
      emails.nudge();
      return payload;
    },
  };
}
