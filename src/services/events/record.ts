import type { Repositories } from '../../db/repositories/index.js';
import type { ProjectEventInput, ProjectEventReason } from '../../domain/events.js';
import type { Role } from '../../domain/models.js';

type UserRef = { id: number; role: Role };
type UserEvent = Pick<ProjectEventInput, 'type' | 'sessionId' | 'gen' | 'reason'>;

/**
 * Queues a user's event on the transaction (written just before its commit): one row per project the user
 * is assigned to or was unassigned from (its tokens for those may still be alive), or one row for every
 * project for the Super Admin, who may open any. Call before the transaction removes the assignments.
 */
export async function recordUserEvent(tx: Repositories, user: UserRef, event: UserEvent, at: Date): Promise<void> {
  const projectIds: Array<number | null> = user.role === 'SUPER_ADMIN' ? [null] : await tx.projectEvents.projectsOfUser(user.id);
  await tx.projectEvents.record(
    projectIds.map((projectId) => ({ projectId, userId: user.id, ...event })),
    at,
  );
}

/**
 * Every token of the user stops: raises its token generation (the `gen` claim) and queues `user.revoked`
 * with the new one, in the caller's transaction. Answers the new generation (what a fresh token carries).
 */
export async function revokeUserTokens(tx: Repositories, user: UserRef, reason: ProjectEventReason, at: Date): Promise<number> {
  const gen = await tx.users.raiseTokenGen(user.id);
  await recordUserEvent(tx, user, { type: 'user.revoked', sessionId: null, gen, reason }, at);
  return gen;
}

/** `session.revoked`: the tokens of one session (sid) stop. */
export function recordSessionRevoked(tx: Repositories, user: UserRef, sessionId: string, reason: ProjectEventReason, at: Date) {
  return recordUserEvent(tx, user, { type: 'session.revoked', sessionId, gen: null, reason }, at);
}

/** `access.revoked` for each unassignment: the user's project tokens below the new cutoff stop. */
export function recordAccessCuts(tx: Repositories, cuts: ReadonlyArray<{ userId: number; projectId: number; gen: number }>, at: Date) {
  return tx.projectEvents.record(
    cuts.map(({ userId, projectId, gen }) => ({ projectId, userId, type: 'access.revoked', sessionId: null, gen, reason: 'UNASSIGNED' })),
    at,
  );
}

/** `project.revoked`: every project token of the project below `gen` stops. */
export function recordProjectRevoked(
  tx: Repositories,
  projectId: number,
  gen: number,
  reason: 'DEACTIVATED' | 'PROJECT_DELETED',
  at: Date,
) {
  return tx.projectEvents.record([{ projectId, userId: null, type: 'project.revoked', sessionId: null, gen, reason }], at);
}
