import type { ExpressionBuilder } from 'kysely';
import type { DB } from '../schema.js';
import { affected, type RepoContext } from './executor.js';

export interface DeletedSessions {
  sessions: number;
  refreshTokens: number;
  projectCodes: number;
}

/** A code that can never be exchanged again: consumed, or past its expiry. */
const spent = (now: Date) => (eb: ExpressionBuilder<DB, 'project_codes'>) =>
  eb.or([eb('usedAt', 'is not', null), eb('expiresAt', '<', now)]);

/**
 * The deletes of the cleanup job that no other repository owns. Each takes a bounded batch, so a
 * large backlog is worked off in short statements that never hold locks for long.
 */
export function cleanupRepository({ exec, dialect }: RepoContext) {
  return {
    /** Up to `limit` sessions whose absolute expiry is before `before`, oldest first. */
    async expiredSessionIds(before: Date, limit: number): Promise<string[]> {
      const rows = await exec
        .selectFrom('sessions')
        .select('id')
        .where('expiresAt', '<', before)
        .orderBy('expiresAt')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /**
     * Deletes these sessions with everything hanging off them (the foreign keys cascade too; deleting
     * explicitly keeps the counts and does not depend on SQLite's foreign_keys pragma). Run it in a
     * transaction so that a session never loses its tokens without going itself.
     */
    async deleteSessions(ids: readonly string[]): Promise<DeletedSessions> {
      if (ids.length === 0) return { sessions: 0, refreshTokens: 0, projectCodes: 0 };
      const list = [...ids];
      const refreshTokens = affected(await exec.deleteFrom('refresh_tokens').where('sessionId', 'in', list).executeTakeFirst());
      const projectCodes = affected(await exec.deleteFrom('project_codes').where('sessionId', 'in', list).executeTakeFirst());
      const sessions = affected(await exec.deleteFrom('sessions').where('id', 'in', list).executeTakeFirst());
      return { sessions, refreshTokens, projectCodes };
    },

    /** Deletes up to `limit` one-time project codes that are used or expired. */
    async deleteSpentProjectCodes(now: Date, limit: number): Promise<number> {
      if (dialect === 'mysql') {
        // MariaDB refuses LIMIT inside an IN subquery, but takes it on DELETE itself.
        return affected(await exec.deleteFrom('project_codes').where(spent(now)).orderBy('id').limit(limit).executeTakeFirst());
      }
      const result = await exec
        .deleteFrom('project_codes')
        .where('id', 'in', (eb) => eb.selectFrom('project_codes').select('id').where(spent(now)).orderBy('id').limit(limit))
        .executeTakeFirst();
      return affected(result);
    },
  };
}

export type CleanupRepository = ReturnType<typeof cleanupRepository>;
