import type { AuthFlowDeps } from '../auth/deps.js';
import { createUserStats } from './stats.js';
import { createUserActivation } from './users-activation.js';
import { createUserCreation } from './users-create.js';
import { createUserDeletion } from './users-delete.js';
import { createUserReads } from './users-read.js';
import { createUserSuspension } from './users-suspension.js';
import { createUserUpdates } from './users-update.js';

export type { Caller } from './users-scope.js';
export type { NewProjectAdminInput, NewSubUserInput } from './users-create.js';
export type { UserListQuery } from './users-read.js';
export type { UserStats, ChartDatum } from './stats.js';

/**
 * The administration of users (API.md "/api/users"): the Super Admin manages every user but itself,
 * a Project Admin its own sub-users; anything outside the caller's scope is answered 404.
 */
export function createUserAdmin(deps: AuthFlowDeps) {
  return {
    ...createUserReads(deps),
    ...createUserStats(deps),
    ...createUserCreation(deps),
    ...createUserUpdates(deps),
    ...createUserSuspension(deps),
    ...createUserDeletion(deps),
    ...createUserActivation(deps),
  };
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
