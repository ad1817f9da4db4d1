import type { Insertable } from 'kysely';
import type { ProjectCodesTable } from '../schema.js';
import { affected, type RepoContext } from './executor.js';

export interface ProjectCodeRecord {
  id: number;
  userId: number;
  projectId: number;
  sessionId: string;
  /** The pgen of the project token it was issued with. */
  pgen: number;
}

/** One-time codes that a project's backend exchanges for a project token. */
export function projectCodesRepository({ exec }: RepoContext) {
  return {
    async insert(code: Insertable<ProjectCodesTable>): Promise<void> {
      await exec.insertInto('project_codes').values(code).execute();
    },

    /** Consumes a live code of that project with a guarded update; undefined when unknown, foreign, expired or used. */
    async consume(hashes: string[], projectId: number, now: Date): Promise<ProjectCodeRecord | undefined> {
      const row = await exec
        .selectFrom('project_codes')
        .select(['id', 'userId', 'projectId', 'sessionId', 'pgen'])
        .where('codeHash', 'in', hashes)
        .where('projectId', '=', projectId)
        .where('usedAt', 'is', null)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      const result = await exec
        .updateTable('project_codes')
        .set({ usedAt: now })
        .where('id', '=', row.id)
        .where('usedAt', 'is', null)
        .executeTakeFirst();
      return affected(result) === 1 ? { ...row, pgen: Number(row.pgen) } : undefined;
    },
  };
}
