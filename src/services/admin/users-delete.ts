import { AppError } from '../../errors/index.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import type { RequestMeta } from '../../domain/ports.js';
import { assertInScope, findUser, loadActor, targetInScope, type Caller } from './users-scope.js';
import { SESSION_REVOKED } from '../../domain/session-revocation.js';
import { revokeUserTokens } from '../events/record.js';

export function createUserDeletion(deps: AuthFlowDeps) {
  const { store, clock, authState, audit } = deps;

  return {
    /**
     * Deletes a user. An Admin that still has sub-users needs `force`, which deletes them in the same
     * transaction. Returns the ids deleted; their tokens fail at once.
     */
    async remove(caller: Caller, id: number, force: boolean, meta: RequestMeta): Promise<number[]> {
      const actor = await loadActor(store.repos, caller);
      const before = assertInScope(actor, await findUser(store.repos, id));
      const now = clock.now();
      const { deleted, sessions } = await store.transaction(async (tx) => {
        // An Admin's row is locked first, so that no sub-user is created while it is being deleted.
        const target = before.role === 'ADMIN' ? assertInScope(actor, await findUser(tx, id, true)) : await targetInScope(tx, actor, id);
        const subUsers = target.role === 'ADMIN' ? await tx.userAdmin.subUsersOf(target.id) : [];
        if (subUsers.length > 0 && !force) {
          throw new AppError('HAS_SUB_USERS', {
            message: `The user still has ${subUsers.length} sub-user${subUsers.length > 1 ? 's' : ''}: delete them first or use ?force=true`,
          });
        }
        const doomed = [
          ...subUsers.map((u) => ({ ...u, role: 'SUB_USER' as const })),
          { id: target.id, email: target.email, role: target.role },
        ];
        const revoked: string[] = [];
        for (const user of doomed) {
          revoked.push(...(await tx.sessions.revokeAllOfUser(user.id, now, SESSION_REVOKED.deleted)));
          // Before the rows go: the event's projects are the user's assignments.
          await revokeUserTokens(tx, user, 'DELETED', now);
        }
        for (const { id: userId, email } of doomed) {
          const cascade = userId !== target.id;
          await audit.record(
            {
              userId: actor.id,
              actorEmail: actor.email,
              targetUserId: userId,
              action: 'USER_DELETE',
              resource: 'user',
              details: cascade
                ? { role: 'SUB_USER', email, cascadeOf: target.id }
                : { role: target.role, email, subUsersDeleted: subUsers.length },
              success: true,
            },
            meta,
            tx,
          );
        }
        const ids = doomed.map((u) => u.id);
        await tx.userAdmin.deleteUsers(ids);
        return { deleted: ids, sessions: revoked };
      });
      authState.invalidateSessions(sessions);
      deleted.forEach((userId) => authState.invalidateUser(userId));
      return deleted;
    },
  };
}
