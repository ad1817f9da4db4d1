import { sql, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Role } from '../schema.js';
import type { ProjectSummary, UserProfileChanges, UserRecord } from '../../domain/models.js';
import { toBool } from '../values.js';
import { affected, type RepoContext } from './executor.js';
import { parseProjectRef, projectsRepository } from './projects.js';
import { mapUser } from './users.js';

/** Whose users a listing covers: every user but the Super Admins, or one Admin's sub-users. */
export type UserScope = { kind: 'all' } | { kind: 'subUsersOf'; adminId: number };

export interface UserListFilter {
  scope: UserScope;
  search?: string;
  role?: Exclude<Role, 'SUPER_ADMIN'>;
  isActive?: boolean;
  isSuspended?: boolean;
  /** Only users assigned to this project: its id (digits) or its customProjectId. */
  projectId?: string;
  /** Only the users this Admin created (its sub-users). */
  createdById?: number;
}

/** An unassignment: the user's project tokens for the project below `gen` never validate again. */
export interface AccessCut {
  userId: number;
  projectId: number;
  gen: number;
}

/** LIKE metacharacters are matched literally ('!' is the escape character on every dialect). */
const likePattern = (search: string) => `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;

export function scopeCondition(eb: ExpressionBuilder<DB, 'users'>, scope: UserScope) {
  const conditions = [eb('users.role', '<>', 'SUPER_ADMIN')];
  if (scope.kind === 'subUsersOf') conditions.push(eb('users.createdById', '=', scope.adminId), eb('users.role', '=', 'SUB_USER'));
  return conditions;
}

function listCondition(eb: ExpressionBuilder<DB, 'users'>, filter: UserListFilter) {
  const conditions = scopeCondition(eb, filter.scope);
  if (filter.role) conditions.push(eb('users.role', '=', filter.role));
  if (filter.isActive !== undefined) conditions.push(eb('users.isActive', '=', filter.isActive));
  if (filter.isSuspended !== undefined) conditions.push(eb('users.isSuspended', '=', filter.isSuspended));
  if (filter.createdById !== undefined) conditions.push(eb('users.createdById', '=', filter.createdById));
  if (filter.projectId !== undefined) {
    const key = parseProjectRef(filter.projectId);
    // customProjectIds are lower-case by rule; MySQL's collation would otherwise match "CRM" to "crm".
    const named = 'customProjectId' in key && key.customProjectId === key.customProjectId.toLowerCase();
    conditions.push(
      eb.exists(
        eb
          .selectFrom('user_projects as up')
          .innerJoin('projects as p', 'p.id', 'up.projectId')
          .select('up.userId')
          .whereRef('up.userId', '=', 'users.id')
          .where('up.isActive', '=', true)
          .where((sub) =>
            'id' in key ? sub('p.id', '=', key.id) : named ? sub('p.customProjectId', '=', key.customProjectId) : sql<SqlBool>`1 = 0`,
          ),
      ),
    );
  }
  if (filter.search) {
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's and MySQL's are not.
    const pattern = likePattern(filter.search);
    conditions.push(
      eb.or([
        sql<SqlBool>`lower(${sql.ref('users.name')}) like lower(${pattern}) escape '!'`,
        sql<SqlBool>`lower(${sql.ref('users.email')}) like lower(${pattern}) escape '!'`,
      ]),
    );
  }
  return eb.and(conditions);
}

/** The administration's queries on users: listings, scoped locks, profile and assignment changes, suspension. */
export function userAdminRepository({ exec, dialect }: RepoContext) {
  const lockable = dialect !== 'sqlite';

  return {
    /** One page of users, newest first, and the total that matches. */
    async list(filter: UserListFilter, page: number, limit: number): Promise<{ users: UserRecord[]; total: number }> {
      const [rows, count] = await Promise.all([
        exec
          .selectFrom('users')
          .selectAll()
          .where((eb) => listCondition(eb, filter))
          .orderBy('createdAt', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        exec
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .where((eb) => listCondition(eb, filter))
          .executeTakeFirstOrThrow(),
      ]);
      return { users: rows.map(mapUser), total: Number(count.total) };
    },

    /** Every assignment of each user (inactive projects included: this is the view that manages them). */
    async assignmentsOf(userIds: number[]): Promise<Map<number, ProjectSummary[]>> {
      const result = new Map<number, ProjectSummary[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return result;
      const rows = await exec
        .selectFrom('user_projects as up')
        .innerJoin('projects as p', 'p.id', 'up.projectId')
        .select(['up.userId', 'p.id', 'p.customProjectId', 'p.name', 'p.projectUrl', 'p.icon', 'p.isActive'])
        .where('up.userId', 'in', userIds)
        .where('up.isActive', '=', true)
        .orderBy('p.id')
        .execute();
      for (const { userId, ...project } of rows) result.get(userId)?.push({ ...project, isActive: toBool(project.isActive) });
      return result;
    },

    /**
     * Reads a user and, inside a transaction on PostgreSQL and MySQL, locks its row until the commit:
     * an Admin's row is the lock that serializes everything counted or checked against its sub-users.
     * (SQLite runs one write transaction at a time already.)
     */
    async findForUpdate(id: number): Promise<UserRecord | undefined> {
      const row = await exec
        .selectFrom('users')
        .selectAll()
        .where('id', '=', id)
        .$if(lockable, (q) => q.forUpdate())
        .executeTakeFirst();
      return row && mapUser(row);
    },

    async subUsersOf(adminId: number): Promise<Array<{ id: number; email: string }>> {
      return exec
        .selectFrom('users')
        .select(['id', 'email'])
        .where('createdById', '=', adminId)
        .where('role', '=', 'SUB_USER')
        .orderBy('id')
        .execute();
    },

    async countSubUsers(adminId: number): Promise<number> {
      const row = await exec
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('createdById', '=', adminId)
        .where('role', '=', 'SUB_USER')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async updateProfile(id: number, changes: UserProfileChanges, now: Date): Promise<void> {
      await exec
        .updateTable('users')
        .set({ ...changes, updatedAt: now })
        .where('id', '=', id)
        .execute();
    },

    /** The projects that exist among the given ids and customProjectIds. */
    async findProjects(ids: number[], customProjectIds: string[]): Promise<Array<{ id: number; customProjectId: string }>> {
      if (ids.length === 0 && customProjectIds.length === 0) return [];
      return exec
        .selectFrom('projects')
        .select(['id', 'customProjectId'])
        .where((eb) => {
          const alternatives = [];
          if (ids.length) alternatives.push(eb('id', 'in', ids));
          if (customProjectIds.length) alternatives.push(eb('customProjectId', 'in', customProjectIds));
          return eb.or(alternatives);
        })
        .execute();
    },

    /** Makes the user's assignments exactly `projectIds`; kept assignments keep their dates. `cuts`: the new cutoff of each removal. */
    async replaceAssignments(
      userId: number,
      projectIds: number[],
      now: Date,
    ): Promise<{ added: number[]; removed: number[]; cuts: AccessCut[] }> {
      const current = (await exec.selectFrom('user_projects').select('projectId').where('userId', '=', userId).execute()).map(
        (r) => r.projectId,
      );
      const wanted = new Set(projectIds);
      const removed = current.filter((id) => !wanted.has(id));
      const added = projectIds.filter((id) => !current.includes(id));
      const cuts: AccessCut[] = [];
      if (removed.length) {
        await exec.deleteFrom('user_projects').where('userId', '=', userId).where('projectId', 'in', removed).execute();
        for (const projectId of removed)
          cuts.push({ userId, projectId, gen: await projectsRepository({ exec, dialect }).cutAccess(userId, projectId) });
      }
      if (added.length) {
        await exec
          .insertInto('user_projects')
          .values(added.map((projectId) => ({ userId, projectId, assignedAt: now, isActive: true, lastAccessed: null })))
          .execute();
      }
      return { added, removed, cuts };
    },

    /** Removes from an Admin's sub-users every project outside `keep`; returns the sub-users that lost one, and each cut. */
    async pruneSubUserAssignments(adminId: number, keep: number[]): Promise<{ userIds: number[]; cuts: AccessCut[] }> {
      const subUsers = exec.selectFrom('users').select('id').where('createdById', '=', adminId).where('role', '=', 'SUB_USER');
      const lose = await exec
        .selectFrom('user_projects')
        .select(['userId', 'projectId'])
        .where('userId', 'in', subUsers)
        .$if(keep.length > 0, (q) => q.where('projectId', 'not in', keep))
        .execute();
      if (lose.length === 0) return { userIds: [], cuts: [] };
      const ids = [...new Set(lose.map((r) => r.userId))];
      await exec
        .deleteFrom('user_projects')
        .where('userId', 'in', ids)
        .$if(keep.length > 0, (q) => q.where('projectId', 'not in', keep))
        .execute();
      const cuts: AccessCut[] = [];
      for (const { userId, projectId } of lose)
        cuts.push({ userId, projectId, gen: await projectsRepository({ exec, dialect }).cutAccess(userId, projectId) });
      return { userIds: ids, cuts };
    },

    /** Suspends a user who is not suspended; false when someone else suspended it first. */
    async suspend(id: number, by: number, reason: string, now: Date): Promise<boolean> {
      const result = await exec
        .updateTable('users')
        .set({
          isSuspended: true,
          suspendedAt: now,
          suspendedBy: by,
          suspensionReason: reason,
          unsuspendedAt: null,
          unsuspendedBy: null,
          updatedAt: now,
        })
        .where('id', '=', id)
        .where('isSuspended', '=', false)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    /** Lifts the suspension that was read (same suspender); false when it changed in between. */
    async unsuspend(id: number, by: number, suspendedBy: number | null, now: Date): Promise<boolean> {
      const result = await exec
        .updateTable('users')
        .set({
          isSuspended: false,
          suspendedAt: null,
          suspendedBy: null,
          suspensionReason: null,
          unsuspendedAt: now,
          unsuspendedBy: by,
          updatedAt: now,
        })
        .where('id', '=', id)
        .where('isSuspended', '=', true)
        .where('suspendedBy', suspendedBy === null ? 'is' : '=', suspendedBy)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    /** Deletes users; their sessions, refresh tokens, codes and assignments go with them (cascade), audit rows stay. */
    async deleteUsers(ids: number[]): Promise<number> {
      if (ids.length === 0) return 0;
      return affected(await exec.deleteFrom('users').where('id', 'in', ids).executeTakeFirst());
    },
  };
}

export type UserAdminRepository = ReturnType<typeof userAdminRepository>;
