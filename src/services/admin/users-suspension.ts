import { AppError } from '../../errors/index.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import type { UserWithProjects } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import { loadActor, targetInScope, viewOf, type Caller } from './users-scope.js';
import { SESSION_REVOKED } from '../../domain/session-revocation.js';
import { revokeUserTokens } from '../events/record.js';

export interface SuspensionResult {
  user: UserWithProjects;
  /** False when the call changed nothing (already suspended, or not suspended). */
  changed: boolean;
}

export function createUserSuspension(deps: AuthFlowDeps) {
  const { store, clock, emails, authState, audit, logger } = deps;

  return {
    /**
     * Suspends a user: every session ends and every token fails at once; the user is told by email.
     * An Admin's sub-users are not touched. Suspending a suspended user changes nothing (the first
     * suspender, and so who may lift it, is kept).
     */
    async suspend(caller: Caller, id: number, reason: string, meta: RequestMeta): Promise<SuspensionResult> {
      const actor = await loadActor(store.repos, caller);
      const now = clock.now();
      const result = await store.transaction(async (tx) => {
        const target = await targetInScope(tx, actor, id);
        if (!(await tx.userAdmin.suspend(target.id, actor.id, reason, now))) {
          return { user: await viewOf(tx, target), changed: false, sessions: [] as string[] };
        }
        const sessions = await tx.sessions.revokeAllOfUser(target.id, now, SESSION_REVOKED.suspended);
        await revokeUserTokens(tx, target, 'SUSPENDED', now);
        await emails.enqueue(tx, 'ACCOUNT_SUSPENDED', target.email, { name: target.name, reason });
        await audit.record(
          {
            userId: actor.id,
            actorEmail: actor.email,
            targetUserId: target.id,
            action: 'USER_SUSPEND',
            resource: 'user',
            details: { reason, sessionsRevoked: sessions.length },
            success: true,
          },
          meta,
          tx,
        );
        return { user: await viewOf(tx, (await tx.users.findById(target.id))!), changed: true, sessions };
      });
      if (result.changed) {
        logger.warn(
          { event: 'user_suspended', userId: id, by: actor.id, sessionsRevoked: result.sessions.length, reqId: meta.reqId },
          'user suspended; sessions revoked',
        );
        authState.invalidateSessions(result.sessions);
        authState.invalidateUser(id);
        emails.nudge();
      }
      return { user: result.user, changed: result.changed };
    },

    /** Lifts a suspension; only the Super Admin lifts one that the Super Admin made. */
    async unsuspend(caller: Caller, id: number, meta: RequestMeta): Promise<SuspensionResult> {
      const actor = await loadActor(store.repos, caller);
      const now = clock.now();
      const result = await store.transaction(async (tx) => {
        const target = await targetInScope(tx, actor, id);
        if (!target.isSuspended) return { user: await viewOf(tx, target), changed: false };
        const suspender = target.suspendedBy === null ? undefined : await tx.users.findById(target.suspendedBy);
        if (actor.role !== 'SUPER_ADMIN' && suspender?.role === 'SUPER_ADMIN') {
          throw new AppError('FORBIDDEN', { message: 'Only the Super Admin can lift a suspension made by the Super Admin' });
        }
        // Guarded on the suspension that was read: a concurrent change makes this a no-op, not a wrong lift.
        if (!(await tx.userAdmin.unsuspend(target.id, actor.id, target.suspendedBy, now)))
          return { user: await viewOf(tx, target), changed: false };
        await audit.record(
          {
            userId: actor.id,
            actorEmail: actor.email,
            targetUserId: target.id,
            action: 'USER_UNSUSPEND',
            resource: 'user',
            details: {
              suspendedBy: target.suspendedBy,
              suspendedAt: target.suspendedAt?.toISOString() ?? null,
              suspensionReason: target.suspensionReason,
            },
            success: true,
          },
          meta,
          tx,
        );
        return { user: await viewOf(tx, (await tx.users.findById(target.id))!), changed: true };
      });
      if (result.changed) authState.invalidateUser(id);
      return result;
    },
  };
}
