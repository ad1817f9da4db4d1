import { storedIdOrNone } from '../../domain/ids.js';
import type { Insertable, Selectable } from 'kysely';
import type { ProjectsTable } from '../schema.js';
import type { Project } from '../../domain/models.js';
import { toBool, toDate, toDateOrNull } from '../values.js';
import type { Executor, RepoContext } from './executor.js';
import type { DialectName } from '../client.js';

export interface ProjectRecord extends Project {
  clientSecretHash: string | null;
  /** The secret the last rotation replaced, accepted until `previousSecretValidUntil` (migration 005). */
  previousSecretHash: string | null;
  previousSecretValidUntil: Date | null;
  /** What a project token issued now carries as pgen (migration 004). */
  accessGen: number;
  /** Project tokens with a lower pgen were issued before the last deactivation. */
  revokedGen: number;
}

export function mapProject(row: Selectable<ProjectsTable>): ProjectRecord {
  return {
    id: row.id,
    customProjectId: row.customProjectId,
    name: row.name,
    icon: row.icon,
    description: row.description,
    projectUrl: row.projectUrl,
    isActive: toBool(row.isActive),
    createdBy: row.createdBy,
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
    clientSecretHash: row.clientSecretHash,
    previousSecretHash: row.previousSecretHash,
    previousSecretValidUntil: toDateOrNull(row.previousSecretValidUntil),
    accessGen: Number(row.accessGen),
    revokedGen: Number(row.revokedGen),
  };
}

/** An all-digit reference is the id; anything else is the customProjectId (API.md). */
/**
 * API.md: an all-digit reference is the id, anything else the customProjectId. An id outside the range a row
 * can have becomes 0, which names nothing on every dialect (PostgreSQL would refuse the query itself).
 */
export function parseProjectRef(ref: string | number): { id: number } | { customProjectId: string } {
  if (typeof ref === 'number') return { id: storedIdOrNone(ref) };
  return /^\d+$/.test(ref) ? { id: storedIdOrNone(Number(ref)) } : { customProjectId: ref };
}

export function projectsRepository({ exec, dialect }: RepoContext) {
  /** Counts one more revocation of access to the project and answers the new count. Inside a transaction. */
  async function raiseAccessGen(projectId: number): Promise<number> {
    await exec
      .updateTable('projects')
      .set((eb) => ({ accessGen: eb('accessGen', '+', 1) }))
      .where('id', '=', projectId)
      .execute();
    const row = await exec.selectFrom('projects').select('accessGen').where('id', '=', projectId).executeTakeFirst();
    return Number(row?.accessGen ?? 0);
  }

  return {
    /** The user's project tokens for this project issued until now never validate again (an unassignment). */
    async cutAccess(userId: number, projectId: number): Promise<number> {
      const gen = await raiseAccessGen(projectId);
      const insert = exec.insertInto('access_cutoffs').values({ userId, projectId, gen });
      await (dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate({ gen })
        : insert.onConflict((oc) => oc.columns(['userId', 'projectId']).doUpdateSet({ gen }))
      ).execute();
      return gen;
    },

    /** Every project token of this project issued until now never validates again (a deactivation). */
    async revokeAllAccess(projectId: number): Promise<number> {
      const gen = await raiseAccessGen(projectId);
      await exec.updateTable('projects').set({ revokedGen: gen }).where('id', '=', projectId).execute();
      return gen;
    },

    async findByRef(ref: string | number): Promise<ProjectRecord | undefined> {
      const key = parseProjectRef(ref);
      // customProjectIds are lower-case by rule; MySQL's collation would otherwise match "CRM" to "crm".
      if ('customProjectId' in key && key.customProjectId !== key.customProjectId.toLowerCase()) return undefined;
      const row = await exec
        .selectFrom('projects')
        .selectAll()
        .$if('id' in key, (q) => q.where('id', '=', (key as { id: number }).id))
        .$if('customProjectId' in key, (q) => q.where('customProjectId', '=', (key as { customProjectId: string }).customProjectId))
        .executeTakeFirst();
      return row && mapProject(row);
    },

    insert: (project: Insertable<ProjectsTable>): Promise<number> => insertProject(exec, dialect, project),

    /**
     * Replaces the client secret. With `previousValidUntil`, the replaced one stays accepted until then; without, it
     * stops at once. Either way only the replaced one is kept: the one before it stops now. One statement, so two
     * racing rotations leave one consistent pair; previousSecretHash is set first because MySQL reads a column
     * assigned earlier in the same SET with its new value.
     */
    async rotateClientSecret(id: number, hash: string, previousValidUntil: Date | null, now: Date): Promise<void> {
      await exec
        .updateTable('projects')
        .set((eb) => ({
          previousSecretHash: previousValidUntil ? eb.ref('clientSecretHash') : null,
          previousSecretValidUntil: previousValidUntil,
          clientSecretHash: hash,
          updatedAt: now,
        }))
        .where('id', '=', id)
        .execute();
    },

    async assign(userId: number, projectIds: number[], now: Date): Promise<void> {
      if (projectIds.length === 0) return;
      await exec
        .insertInto('user_projects')
        .values(projectIds.map((projectId) => ({ userId, projectId, assignedAt: now, isActive: true, lastAccessed: null })))
        .execute();
    },

    /** The ids of the projects assigned to a user (active assignments only). */
    async assignedProjectIds(userId: number): Promise<number[]> {
      const rows = await exec
        .selectFrom('user_projects')
        .select('projectId')
        .where('userId', '=', userId)
        .where('isActive', '=', true)
        .execute();
      return rows.map((r) => r.projectId);
    },

    async touchLastAccessed(userId: number, projectId: number, now: Date): Promise<void> {
      await exec
        .updateTable('user_projects')
        .set({ lastAccessed: now })
        .where('userId', '=', userId)
        .where('projectId', '=', projectId)
        .execute();
    },
  };
}

/**
 * Inserts a project and records its customProjectId in project_ids, which keeps every one ever used so that none
 * is given to another project after a deletion; its primary key throws a unique violation for a used one.
 */
export async function insertProject(exec: Executor, dialect: DialectName, project: Insertable<ProjectsTable>): Promise<number> {
  await exec.insertInto('project_ids').values({ customProjectId: project.customProjectId }).execute();
  if (dialect === 'mysql') {
    const result = await exec.insertInto('projects').values(project).executeTakeFirstOrThrow();
    return Number(result.insertId);
  }
  const row = await exec.insertInto('projects').values(project).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
