import type { RefreshTokensTable, SessionsTable } from '../schema.js';
import type { Insertable } from 'kysely';
import { toBool, toDate, toDateOrNull } from '../values.js';
import { affected, type RepoContext } from './executor.js';

export interface SessionState {
  id: string;
  userId: number;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RefreshTokenRecord {
  id: string;
  userId: number;
  sessionId: string;
  expiresAt: Date;
  isRevoked: boolean;
  rotatedAt: Date | null;
}

/** Sessions (one per sign-in) and their chain of refresh tokens. */
export function sessionsRepository({ exec }: RepoContext) {
  return {
    async create(session: Insertable<SessionsTable>): Promise<void> {
      await exec.insertInto('sessions').values(session).execute();
    },

    async find(id: string): Promise<SessionState | undefined> {
      const row = await exec.selectFrom('sessions').select(['id', 'userId', 'expiresAt', 'revokedAt']).where('id', '=', id).executeTakeFirst();
      return row && { id: row.id, userId: row.userId, expiresAt: toDate(row.expiresAt), revokedAt: toDateOrNull(row.revokedAt) };
    },

    async insertRefreshToken(token: Insertable<RefreshTokensTable>): Promise<void> {
      await exec.insertInto('refresh_tokens').values(token).execute();
    },

    /** Looks a refresh token up by its HMAC (several candidates during a secret rotation). */
    async findRefreshToken(hashes: string[]): Promise<RefreshTokenRecord | undefined> {
      const row = await exec
        .selectFrom('refresh_tokens')
        .select(['id', 'userId', 'sessionId', 'expiresAt', 'isRevoked', 'rotatedAt'])
        .where('token', 'in', hashes)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          userId: row.userId,
          sessionId: row.sessionId,
          expiresAt: toDate(row.expiresAt),
          isRevoked: toBool(row.isRevoked),
          rotatedAt: toDateOrNull(row.rotatedAt),
        }
      );
    },

    /** Marks a token used; only one of several concurrent uses gets 1 back. */
    async markRotated(id: string, now: Date): Promise<boolean> {
      const result = await exec
        .updateTable('refresh_tokens')
        .set({ rotatedAt: now })
        .where('id', '=', id)
        .where('rotatedAt', 'is', null)
        .where('isRevoked', '=', false)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    /** Revokes one session and its tokens; true when it was live until now. */
    async revoke(sessionId: string, now: Date, reason: string): Promise<boolean> {
      const result = await exec
        .updateTable('sessions')
        .set({ revokedAt: now, revokedReason: reason })
        .where('id', '=', sessionId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      await exec.updateTable('refresh_tokens').set({ isRevoked: true }).where('sessionId', '=', sessionId).where('isRevoked', '=', false).execute();
      return affected(result) === 1;
    },

    /** Revokes every live session of a user; returns their ids so caches can drop them. */
    async revokeAllOfUser(userId: number, now: Date, reason: string): Promise<string[]> {
      const live = await exec.selectFrom('sessions').select('id').where('userId', '=', userId).where('revokedAt', 'is', null).execute();
      if (live.length === 0) return [];
      const ids = live.map((s) => s.id);
      await exec.updateTable('sessions').set({ revokedAt: now, revokedReason: reason }).where('id', 'in', ids).where('revokedAt', 'is', null).execute();
      await exec.updateTable('refresh_tokens').set({ isRevoked: true }).where('sessionId', 'in', ids).where('isRevoked', '=', false).execute();
      return ids;
    },
  };
}
