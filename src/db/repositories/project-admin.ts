import { expressionBuilder, sql, type Expression, type Insertable, type SqlBool, type Updateable } from 'kysely';
import type { DB, ProjectsTable } from '../schema.js';
import { isUniqueViolation, toBool } from '../values.js';
import type { RepoContext } from './executor.js';
import { insertProject, mapProject, type ProjectRecord } from './projects.js';

/** Which projects a caller sees: every one, or those assigned to one user (optionally the active ones only). */
export type ProjectScope = { kind: 'all' } | { kind: 'assigned'; userId: number; activeOnly: boolean };

/** Whose assignments count: everyone's, or an Admin's and its own sub-users'. */
export type AssigneeScope = { kind: 'all' } | { kind: 'team'; adminId: number };

export interface ProjectStatsRow {
  total: number;
  active: number;
  inactive: number;
  /** user id → number of projects assigned to that user (only users with at least one). */
  byUser: Record<string, number>;
}

const eb = expressionBuilder<DB, 'projects' | 'user_projects' | 'users'>();

/** Ids of the projects assigned to a user (active assignments), as a subquery. */
const assignedTo = (userId: number) =>
  eb.selectFrom('user_projects as ua').select('ua.projectId').where('ua.userId', '=', userId).where('ua.isActive', '=', true);

/** Ids of an Admin and its own sub-users, as a subquery. */
const teamOf = (adminId: number) =>
  eb
    .selectFrom('users as tu')
    .select('tu.id')
    .where((w) => w.or([w('tu.id', '=', adminId), w.and([w('tu.createdById', '=', adminId), w('tu.role', '=', 'SUB_USER')])]));

function scopeFilter(scope: ProjectScope): Expression<SqlBool>[] {
  if (scope.kind === 'all') return [];
  const filters: Expression<SqlBool>[] = [eb('projects.id', 'in', assignedTo(scope.userId))];
  if (scope.activeOnly) filters.push(eb('projects.isActive', '=', true));
  return filters;
}

/** Escapes LIKE wildcards with '!', an escape character every dialect accepts the same way. */
const likePattern = (term: string) => `%${term.replace(/[!%_]/g, (c) => `!${c}`)}%`;

function searchFilter(search: string | undefined): Expression<SqlBool>[] {
  if (!search) return [];
  const like = (column: 'name' | 'customProjectId', term: string, folded: boolean) => {
    const target = folded ? sql`lower(${sql.ref(`projects.${column}`)})` : sql.ref(`projects.${column}`);
    return sql<SqlBool>`${target} like ${likePattern(term)} escape '!'`;
  };
  // lower() folds ASCII only on SQLite: the unfolded comparison keeps exact-case non-ASCII matches working there.
  const folded = search.toLowerCase();
  return [eb.or([like('name', folded, true), like('customProjectId', folded, true), like('name', search, false)])];
}

/** The Super Admin's administration of projects: listing in scope, statistics, and the writes. */
export function projectAdminRepository({ exec, dialect }: RepoContext) {
  return {
    async list(
      scope: ProjectScope,
      page: { search?: string; offset: number; limit: number },
    ): Promise<{ rows: ProjectRecord[]; total: number }> {
      const where = [...scopeFilter(scope), ...searchFilter(page.search)];
      const filtered = exec.selectFrom('projects').$if(where.length > 0, (q) => q.where(eb.and(where)));
      const [count, rows] = await Promise.all([
        filtered.select((s) => s.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
        filtered
          .selectAll()
          .orderBy('projects.createdAt', 'desc')
          .orderBy('projects.id', 'desc')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
      ]);
      return { rows: rows.map(mapProject), total: Number(count.count) };
    },

    async findInScope(key: { id: number } | { customProjectId: string }, scope: ProjectScope): Promise<ProjectRecord | undefined> {
      const where = [
        ...scopeFilter(scope),
        'id' in key ? eb('projects.id', '=', key.id) : eb('projects.customProjectId', '=', key.customProjectId),
      ];
      const row = await exec.selectFrom('projects').selectAll().where(eb.and(where)).executeTakeFirst();
      return row && mapProject(row);
    },

    /** project id → number of users (in the assignee scope) assigned to it. */
    async assignedUserCounts(projectIds: number[], assignees: AssigneeScope): Promise<Map<number, number>> {
      if (projectIds.length === 0) return new Map();
      const rows = await exec
        .selectFrom('user_projects')
        .select(['user_projects.projectId', (s) => s.fn.countAll<number>().as('count')])
        .where('user_projects.projectId', 'in', projectIds)
        .where('user_projects.isActive', '=', true)
        .$if(assignees.kind === 'team', (q) => q.where('user_projects.userId', 'in', teamOf((assignees as { adminId: number }).adminId)))
        .groupBy('user_projects.projectId')
        .execute();
      return new Map(rows.map((r) => [r.projectId, Number(r.count)]));
    },

    /** The statistics of /api/projects/stats, by aggregate queries only. */
    async stats(scope: ProjectScope, assignees: AssigneeScope): Promise<ProjectStatsRow> {
      const where = scopeFilter(scope);
      const [byState, byUser] = await Promise.all([
        exec
          .selectFrom('projects')
          .select(['projects.isActive', (s) => s.fn.countAll<number>().as('count')])
          .$if(where.length > 0, (q) => q.where(eb.and(where)))
          .groupBy('projects.isActive')
          .execute(),
        exec
          .selectFrom('user_projects')
          .select(['user_projects.userId', (s) => s.fn.countAll<number>().as('count')])
          .where('user_projects.isActive', '=', true)
          .$if(assignees.kind === 'team', (q) => {
            const adminId = (assignees as { adminId: number }).adminId;
            return q.where('user_projects.userId', 'in', teamOf(adminId)).where('user_projects.projectId', 'in', assignedTo(adminId));
          })
          .groupBy('user_projects.userId')
          .execute(),
      ]);
      const active = byState.filter((r) => toBool(r.isActive)).reduce((sum, r) => sum + Number(r.count), 0);
      const inactive = byState.filter((r) => !toBool(r.isActive)).reduce((sum, r) => sum + Number(r.count), 0);
      const counts: Record<string, number> = {};
      for (const row of [...byUser].sort((a, b) => a.userId - b.userId)) counts[String(row.userId)] = Number(row.count);
      return { total: active + inactive, active, inactive, byUser: counts };
    },

    /**
     * Inserts a project; 'taken' when the customProjectId is used, or was by a deleted project (project_ids keeps
     * every one ever used; its primary key decides races). Run it in a transaction: a 'taken' must roll back.
     */
    async create(project: Insertable<ProjectsTable>): Promise<number | 'taken'> {
      try {
        return await insertProject(exec, dialect, project);
      } catch (error) {
        if (isUniqueViolation(error)) return 'taken';
        throw error;
      }
    },

    /** Applies a partial update (never of the customProjectId, which is fixed). */
    async update(id: number, patch: Omit<Updateable<ProjectsTable>, 'customProjectId'>): Promise<void> {
      await exec.updateTable('projects').set(patch).where('id', '=', id).execute();
    },

    /** The users assigned to a project (any assignment state): their cached rights change when it goes. */
    async assigneeIds(projectId: number): Promise<number[]> {
      const rows = await exec.selectFrom('user_projects').select('userId').where('projectId', '=', projectId).execute();
      return rows.map((r) => r.userId);
    },

    /** Deletes a project; its assignments and one-time codes go with it (foreign-key cascade). */
    async remove(id: number): Promise<boolean> {
      const result = await exec.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type ProjectAdminRepository = ReturnType<typeof projectAdminRepository>;
