import type { UserListFilter } from '../../db/repositories/user-admin.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import type { UserWithProjects } from '../../domain/models.js';
import { loadActor, scopeOf, targetInScope, viewOf, withAssignments, type Caller } from './users-scope.js';

export interface UserListQuery extends Omit<UserListFilter, 'scope'> {
  page: number;
  limit: number;
}

export function createUserReads(deps: Pick<AuthFlowDeps, 'store'>) {
  const { repos } = deps.store;

  return {
    /** One page of the caller's users, newest first, each with its projects. */
    async list(caller: Caller, query: UserListQuery): Promise<{ users: UserWithProjects[]; total: number }> {
      const actor = await loadActor(repos, caller);
      const { page, limit, ...filter } = query;
      const { users, total } = await repos.userAdmin.list({ ...filter, scope: scopeOf(actor) }, page, limit);
      return { users: await withAssignments(repos, users), total };
    },

    async get(caller: Caller, id: number): Promise<UserWithProjects> {
      const actor = await loadActor(repos, caller);
      return viewOf(repos, await targetInScope(repos, actor, id));
    },
  };
}
