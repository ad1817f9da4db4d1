import type { UserProfileChanges } from '../../domain/models.js';
import { AppError } from '../../errors/index.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import { recordAccessCuts } from '../events/record.js';
import type { UserWithProjects } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import {
  assertInScope,
  assertSubset,
  findUser,
  loadActor,
  resolveProjectIds,
  targetInScope,
  viewOf,
  type Caller,
  type ProjectRefInput,
} from './users-scope.js';

/** An empty optional field clears it, as at creation. */
function blanksToNull(changes: UserProfileChanges): UserProfileChanges {
  const out: UserProfileChanges = { ...changes };
  for (const key of ['customRole', 'companyName', 'companyAddress', 'companyPhone'] as const) if (out[key] === '') out[key] = null;
  return out;
}

export function createUserUpdates(deps: AuthFlowDeps) {
  const { store, clock, authState, audit } = deps;

  return {
    /** Profile fields only; the schema refuses role, email, password, isActive and createdById before this runs. */
    async update(caller: Caller, id: number, changes: UserProfileChanges, meta: RequestMeta): Promise<UserWithProjects> {
      const actor = await loadActor(store.repos, caller);
      const user = await store.transaction(async (tx) => {
        const target = await targetInScope(tx, actor, id);
        if (changes.subUserLimit !== undefined) {
          if (actor.role !== 'SUPER_ADMIN') throw new AppError('FORBIDDEN', { message: 'Only the Super Admin sets a sub-user limit' });
          if (target.role !== 'ADMIN') {
            throw new AppError('VALIDATION_ERROR', {
              details: [{ field: 'subUserLimit', message: 'only a Project Admin has a sub-user limit' }],
            });
          }
        }
        await tx.userAdmin.updateProfile(target.id, blanksToNull(changes), clock.now());
        await audit.record(
          {
            userId: actor.id,
            actorEmail: actor.email,
            targetUserId: target.id,
            action: 'USER_UPDATE',
            resource: 'user',
            details: { fields: Object.keys(changes) },
            success: true,
          },
          meta,
          tx,
        );
        return viewOf(tx, (await tx.users.findById(target.id))!);
      });
      authState.invalidateUser(user.id);
      return user;
    },

    /**
     * Replaces a user's assignments. A Sub User only gets projects of its Admin; an Admin that loses a
     * project loses it for its sub-users too. The Admin's row is locked so that a concurrent change of
     * its sub-users cannot hand out a project it is losing.
     */
    async setProjects(caller: Caller, id: number, refs: ProjectRefInput[], meta: RequestMeta): Promise<UserWithProjects> {
      const actor = await loadActor(store.repos, caller);
      // Role and creator never change, so the Admin whose row serializes this is known before the transaction.
      const before = assertInScope(actor, await findUser(store.repos, id));
      const adminId = before.role === 'ADMIN' ? before.id : before.createdById;
      const now = clock.now();
      const { user, affected } = await store.transaction(async (tx) => {
        // The lock comes first: on MySQL the reads after it then see every change committed before it.
        const admin = adminId === null ? undefined : await tx.userAdmin.findForUpdate(adminId);
        const target = await targetInScope(tx, actor, id);
        const projectIds = await resolveProjectIds(tx, actor, refs);
        if (target.role === 'SUB_USER') assertSubset(projectIds, admin ? await tx.projects.assignedProjectIds(admin.id) : []);
        const { added, removed, cuts } = await tx.userAdmin.replaceAssignments(target.id, projectIds, now);
        const prune =
          target.role === 'ADMIN' ? await tx.userAdmin.pruneSubUserAssignments(target.id, projectIds) : { userIds: [], cuts: [] };
        const pruned = prune.userIds;
        await recordAccessCuts(tx, [...cuts, ...prune.cuts], now);
        await audit.record(
          {
            userId: actor.id,
            actorEmail: actor.email,
            targetUserId: target.id,
            action: 'USER_PROJECTS_UPDATE',
            resource: 'user',
            details: { projectIds, added, removed, subUsersPruned: pruned },
            success: true,
          },
          meta,
          tx,
        );
        return { user: await viewOf(tx, target), affected: [target.id, ...pruned] };
      });
      affected.forEach((userId) => authState.invalidateUser(userId));
      return user;
    },
  };
}
