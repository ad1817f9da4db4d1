import type { Repositories } from '../../db/repositories/index.js';
import type { UserScope } from '../../db/repositories/user-admin.js';
import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import type { UserRecord, UserWithProjects } from '../../domain/models.js';
import { toPublicUser } from '../../domain/models.js';

/** The administrator making a request, fresh from the database. */
export type Actor = UserRecord & { role: 'SUPER_ADMIN' | 'ADMIN' };

export type Caller = Pick<Principal, 'userId' | 'role'>;

/** Loads the caller; only the Super Admin and Project Admins administer users (a Sub User: 403). */
export async function loadActor(repos: Repositories, caller: Caller): Promise<Actor> {
  if (caller.role !== 'SUPER_ADMIN' && caller.role !== 'ADMIN') throw new AppError('FORBIDDEN');
  const actor = await repos.users.findById(caller.userId);
  if (!actor) throw new AppError('TOKEN_INVALID');
  if (actor.role !== caller.role) throw new AppError('FORBIDDEN');
  return actor as Actor;
}

/** The users a caller may see and manage: the Super Admin every non-Super-Admin user, an Admin its own sub-users. */
export const scopeOf = (actor: Actor): UserScope =>
  actor.role === 'SUPER_ADMIN' ? { kind: 'all' } : { kind: 'subUsersOf', adminId: actor.id };

export const notFound = () => new AppError('NOT_FOUND', { message: 'User not found' });

/**
 * The target of a /api/users/:id route. Oneself: 403 (the caller knows its own id; /api/auth/me is the
 * way to one's own account). Anything else outside the caller's scope, the Super Admin included: 404,
 * the same answer as for an id that does not exist, so that ids cannot be probed.
 */
export function assertInScope(actor: Actor, target: UserRecord | undefined): UserRecord {
  if (target && target.id === actor.id) throw new AppError('FORBIDDEN', { message: 'Use /api/auth/me for your own account' });
  if (!target || target.role === 'SUPER_ADMIN') throw notFound();
  if (actor.role === 'ADMIN' && !(target.role === 'SUB_USER' && target.createdById === actor.id)) throw notFound();
  return target;
}

/** Ids are 32-bit integers on every dialect; a larger number names nobody (PostgreSQL would refuse to compare it). */
const MAX_ID = 2_147_483_647;
export const isPossibleId = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= MAX_ID;

/** A user by id; inside a transaction `lock` holds its row until the commit. */
export async function findUser(repos: Repositories, id: number, lock = false): Promise<UserRecord | undefined> {
  if (!isPossibleId(id)) return undefined;
  return lock ? repos.userAdmin.findForUpdate(id) : repos.users.findById(id);
}

export async function targetInScope(repos: Repositories, actor: Actor, id: number): Promise<UserRecord> {
  return assertInScope(actor, await findUser(repos, id));
}

/** The user as the administration shows it: public fields and every assignment. */
export async function withAssignments(repos: Repositories, users: UserRecord[]): Promise<UserWithProjects[]> {
  const assignments = await repos.userAdmin.assignmentsOf(users.map((u) => u.id));
  return users.map((user) => ({ ...toPublicUser(user), projects: assignments.get(user.id) ?? [] }));
}

export async function viewOf(repos: Repositories, user: UserRecord): Promise<UserWithProjects> {
  return (await withAssignments(repos, [user]))[0]!;
}

/** A project reference: a number or an all-digit string is the id, anything else the customProjectId. */
export type ProjectRefInput = number | string;

/**
 * Resolves project references to ids (deduplicated, in order). Unknown references are a 400 for the
 * Super Admin; for an Admin they are answered like projects it does not own (403), so that the
 * existence of other projects cannot be probed.
 */
export async function resolveProjectIds(repos: Repositories, actor: Actor, refs: ProjectRefInput[]): Promise<number[]> {
  const ids = new Set<number>();
  const customIds = new Set<string>();
  for (const ref of refs) {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) ids.add(Number(ref));
    else customIds.add(ref);
  }
  const found = await repos.userAdmin.findProjects([...ids].filter(isPossibleId), [...customIds]);
  const byId = new Map(found.map((p) => [p.id, p.id]));
  const byCustom = new Map(found.map((p) => [p.customProjectId, p.id]));
  const resolved: number[] = [];
  const unknown: string[] = [];
  for (const ref of refs) {
    const id = typeof ref === 'number' || /^\d+$/.test(ref) ? byId.get(Number(ref)) : byCustom.get(ref);
    if (id === undefined) unknown.push(String(ref));
    else if (!resolved.includes(id)) resolved.push(id);
  }
  if (unknown.length) {
    if (actor.role === 'ADMIN') throw forbiddenProjects();
    throw new AppError('VALIDATION_ERROR', {
      details: [{ field: 'projectIds', message: `unknown project${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}` }],
    });
  }
  return resolved;
}

export const forbiddenProjects = () =>
  new AppError('FORBIDDEN', { message: 'Only projects assigned to the Project Admin can be given to its sub-users' });

/** Throws 403 unless every project is one of `allowed` (an Admin's own projects). */
export function assertSubset(projectIds: number[], allowed: number[]): void {
  const own = new Set(allowed);
  if (projectIds.some((id) => !own.has(id))) throw forbiddenProjects();
}
