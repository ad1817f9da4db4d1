import { AppError } from '../../errors/index.js';
import type { UserRecord } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import type { LoginPayload } from '../sessions.js';
import type { AuthFlowDeps } from './deps.js';

type Outcome = 'unknown_email' | 'no_password' | 'locked' | 'wrong_password';

export function createLogin(
  deps: Pick<AuthFlowDeps, 'store' | 'clock' | 'config' | 'hasher' | 'sessions' | 'audit' | 'logger' | 'metrics' | 'emails'>,
) {
  const { store, clock, config, hasher, sessions, audit, logger, metrics, emails } = deps;

  /**
   * The owner hears of a lockout once, when it starts, with what still lets them in; the audit row (the
   * dashboard counts lockouts from it) commits with the email. Its actor is the account, as on LOGIN_FAILED:
   * whoever typed the passwords is unknown.
   */
  async function startLockout(user: UserRecord, until: Date, meta: RequestMeta) {
    await store.transaction(async (tx) => {
      await emails.enqueue(tx, 'ACCOUNT_LOCKED', user.email, { name: user.name, until });
      await audit.record(
        {
          userId: user.id,
          actorEmail: user.email,
          targetUserId: user.id,
          action: 'ACCOUNT_LOCKOUT',
          resource: 'auth',
          details: { until: until.toISOString() },
          success: false,
        },
        meta,
        tx,
      );
    });
    emails.nudge();
  }

  /**
   * Every refusal before the password is known to be right is the same 401, reached through the
   * same work: an attempt slot is reserved (or a look-alike transaction for unknown emails) and a
   * hash is verified (a dummy one when there is no user or no password).
   */
  async function refuse(email: string, user: UserRecord | undefined, outcome: Outcome, meta: RequestMeta): Promise<never> {
    logger.warn({ event: 'login_failed', reason: outcome, userId: user?.id, reqId: meta.reqId }, 'login failed');
    metrics?.login(outcome === 'locked' ? 'locked' : 'invalid_credentials');
    await audit.record(
      {
        userId: user?.id ?? null,
        actorEmail: email,
        targetUserId: user?.id ?? null,
        action: 'LOGIN_FAILED',
        resource: 'auth',
        details: { reason: outcome },
        success: false,
      },
      meta,
    );
    throw new AppError('INVALID_CREDENTIALS');
  }

  return {
    /**
     * `trustedDevice`: the attempt comes from a browser that signed in to this account before (API.md's
     * device cookies). Such attempts are neither refused by the account's lockout nor counted towards it,
     * and their success does not lift a lockout that other browsers earned.
     */
    async login(email: string, password: string, meta: RequestMeta, options: { trustedDevice?: boolean } = {}): Promise<LoginPayload> {
      const trusted = options.trustedDevice === true;
      // In a login storm, refuse before any database work: cheap for us, and no attempt is counted. The
      // place in the hash pool is held from here, so a login let through is never refused after its
      // database work (on PostgreSQL that work can wait seconds for a connection in a storm).
      const admitted = hasher.admitVerify();
      let user: UserRecord | undefined;
      try {
        user = await store.repos.users.findByEmail(email);
      } catch (error) {
        admitted.release();
        throw error;
      }
      const now = clock.now();
      const lockUntil = new Date(now.getTime() + config.lockout.durationSec * 1000);
      // The reservation runs beside the hash so that its write (a real one only for a known, unlocked
      // user) hides under the hashing time; a locked account's verdict is thrown away unread.
      const reserving = trusted
        ? Promise.resolve('allowed' as const)
        : store.transaction((tx) => tx.users.reserveLoginAttempt(user?.id ?? -1, now, config.lockout.threshold, lockUntil));
      reserving.catch(() => {}); // awaited below; this only keeps a failure from being "unhandled" meanwhile
      const { ok, needsRehash } = await admitted.verify(user?.passwordHash ?? null, password);
      const reservation = await reserving;
      const locked = reservation === 'locked';

      if (!user) return refuse(email, user, 'unknown_email', meta);
      if (locked) return refuse(email, user, 'locked', meta);
      if (!user.passwordHash) return refuse(email, user, 'no_password', meta);
      if (!ok) {
        if (reservation === 'locking') {
          logger.warn({ event: 'account_locked', userId: user.id, reqId: meta.reqId }, 'account locked after repeated wrong passwords');
          await startLockout(user, lockUntil, meta);
        }
        return refuse(email, user, 'wrong_password', meta);
      }

      // The password is right: from here on the answer may say what is wrong with the account.
      if (!trusted && (!user.isActive || user.isSuspended)) await store.repos.users.resetLoginFailures(user.id);
      if (!user.isActive) {
        await audit.record(
          {
            userId: user.id,
            actorEmail: email,
            targetUserId: user.id,
            action: 'LOGIN_FAILED',
            resource: 'auth',
            details: { reason: 'not_activated' },
            success: false,
          },
          meta,
        );
        metrics?.login('not_activated');
        throw new AppError('ACCOUNT_NOT_ACTIVATED');
      }
      if (user.isSuspended) {
        await audit.record(
          {
            userId: user.id,
            actorEmail: email,
            targetUserId: user.id,
            action: 'LOGIN_FAILED',
            resource: 'auth',
            details: { reason: 'suspended' },
            success: false,
          },
          meta,
        );
        metrics?.login('suspended');
        throw new AppError('ACCOUNT_SUSPENDED');
      }
      if (needsRehash) {
        await store.repos.users.upgradePasswordHash(user.id, user.passwordHash, await hasher.hash(password));
      }
      const payload = await store.transaction(async (tx) => {
        await tx.users.recordLoginSuccess(user.id, now, { endFailureRun: !trusted });
        await audit.record(
          { userId: user.id, actorEmail: email, targetUserId: user.id, action: 'LOGIN', resource: 'auth', success: true },
          meta,
          tx,
        );
        return sessions.start(tx, { ...user, lastLoginAt: now });
      });
      metrics?.login('success');
      return payload;
    },
  };
}
