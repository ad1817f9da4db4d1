import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import type { UserWithProjects } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import type { LoginPayload } from '../sessions.js';
import type { AuthFlowDeps } from './deps.js';
import { SESSION_REVOKED } from '../../domain/session-revocation.js';
import { revokeUserTokens } from '../events/record.js';

export function createAccount(deps: Pick<AuthFlowDeps, 'store' | 'clock' | 'hasher' | 'sessions' | 'authState' | 'audit'>) {
  const { store, clock, hasher, sessions, authState, audit } = deps;

  return {
    /** The caller, fresh from the database. */
    async me(principal: Principal): Promise<UserWithProjects> {
      const user = await store.repos.users.findById(principal.userId);
      if (!user) throw new AppError('TOKEN_INVALID');
      return sessions.withProjects(store.repos, user);
    },

    /** Changes the password; every session ends, and the answer opens a fresh one. */
    async changePassword(principal: Principal, currentPassword: string, newPassword: string, meta: RequestMeta): Promise<LoginPayload> {
      const user = await store.repos.users.findById(principal.userId);
      if (!user) throw new AppError('TOKEN_INVALID');
      const { ok } = await hasher.verify(user.passwordHash, currentPassword);
      if (!ok) {
        await audit.record(
          {
            userId: user.id,
            actorEmail: user.email,
            action: 'PASSWORD_CHANGE',
            resource: 'user',
            details: { reason: 'wrong current password' },
            success: false,
          },
          meta,
        );
        throw new AppError('INVALID_CREDENTIALS', { message: 'The current password is wrong' });
      }
      if (currentPassword === newPassword) {
        throw new AppError('VALIDATION_ERROR', {
          details: [{ field: 'newPassword', message: 'The new password must differ from the current one' }],
        });
      }
      const hash = await hasher.hash(newPassword);
      const now = clock.now();
      const { payload, revoked } = await store.transaction(async (tx) => {
        await tx.users.setPassword(user.id, hash, now);
        const ids = await tx.sessions.revokeAllOfUser(user.id, now, SESSION_REVOKED.passwordChange);
        const tokenGen = await revokeUserTokens(tx, user, 'PASSWORD_CHANGED', now);
        await audit.record(
          {
            userId: user.id,
            actorEmail: user.email,
            targetUserId: user.id,
            action: 'PASSWORD_CHANGE',
            resource: 'user',
            details: { sessionsRevoked: ids.length },
            success: true,
          },
          meta,
          tx,
        );
        // The fresh session's tokens carry the new generation: the event revokes only the older ones.
        return { payload: await sessions.start(tx, { ...user, tokenGen }), revoked: ids };
      });
      authState.invalidateSessions(revoked);
      return payload;
    },
  };
}
