import type { DB, RefreshTokensTable, SessionsTable } from '../schema.js';
import type { Insertable, Kysely } from 'kysely';
import type { SessionRevokedReason } from '../../domain/session-revocation.js';
import { toBool, toDate, toDateOrNull } from '../values.js';
import { auditRepository } from './audit.js';
import { affected, type RepoContext } from './executor.js';
import { rotateInOneStatement, type Rotation, type RotationInput } from './refresh-rotation.js';
import { transactionWithRetry } from './transaction.js';
import { usersRepository } from './users.js';

export interface SessionState {
  id: string;
  userId: number;
  expiresAt: Date;
  revokedAt: Date | null;
  /** What revoked it (the services' words: `logout`, `suspended`, …), for the refused refresh's answer. */
  revokedReason: string | null;
}

export interface RefreshTokenRecord {
  id: string;
  userId: number;
  sessionId: string;
  expiresAt: Date;
  isRevoked: boolean;
  rotatedAt: Date | null;
}

/** A refused rotation carries the presented token as it is now (undefined: unknown), to tell why. */
export type RotationResult = { ok: true; rotation: Rotation } | { ok: false; token: RefreshTokenRecord | undefined };

/** Thrown inside the rotation's transaction so that a refused rotation leaves no successor behind. */
class RotationRefused extends Error {}

/** Sessions (one per sign-in) and their chain of refresh tokens. */
export function sessionsRepository(ctx: RepoContext) {
  const { exec, dialect } = ctx;
  const repo = {
    async create(session: Insertable<SessionsTable>): Promise<void> {
      await exec.insertInto('sessions').values(session).execute();
    },

    async find(id: string): Promise<SessionState | undefined> {
      const row = await exec
        .selectFrom('sessions')
        .select(['id', 'userId', 'expiresAt', 'revokedAt', 'revokedReason'])
        .where('id', '=', id)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          userId: row.userId,
          expiresAt: toDate(row.expiresAt),
          revokedAt: toDateOrNull(row.revokedAt),
          revokedReason: row.revokedReason,
        }
      );
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

    /**
     * Uses a refresh token once: marks it rotated and stores its successor and the audit row,
     * atomically, if the token is unused, unrevoked and unexpired and its session and user are live.
     * Call outside a transaction. PostgreSQL does it in one statement; the others in a transaction.
     */
    async rotateRefreshToken(input: RotationInput): Promise<RotationResult> {
      if (exec.isTransaction) throw new Error('sessions.rotateRefreshToken is atomic on its own; call it outside a transaction');
      if (dialect !== 'postgres') return rotateStepwise(ctx, input);
      const rotation = await rotateInOneStatement(ctx, input);
      return rotation ? { ok: true, rotation } : { ok: false, token: await repo.findRefreshToken(input.hashes) };
    },

    /** Revokes one session and its tokens; true when it was live until now. */
    async revoke(sessionId: string, now: Date, reason: SessionRevokedReason): Promise<boolean> {
      const result = await exec
        .updateTable('sessions')
        .set({ revokedAt: now, revokedReason: reason })
        .where('id', '=', sessionId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      await exec
        .updateTable('refresh_tokens')
        .set({ isRevoked: true })
        .where('sessionId', '=', sessionId)
        .where('isRevoked', '=', false)
        .execute();
      return affected(result) === 1;
    },

    /** Revokes every live session of a user; returns their ids so caches can drop them. */
    async revokeAllOfUser(userId: number, now: Date, reason: SessionRevokedReason): Promise<string[]> {
      const live = await exec.selectFrom('sessions').select('id').where('userId', '=', userId).where('revokedAt', 'is', null).execute();
      if (live.length === 0) return [];
      const ids = live.map((s) => s.id);
      await exec
        .updateTable('sessions')
        .set({ revokedAt: now, revokedReason: reason })
        .where('id', 'in', ids)
        .where('revokedAt', 'is', null)
        .execute();
      await exec
        .updateTable('refresh_tokens')
        .set({ isRevoked: true })
        .where('sessionId', 'in', ids)
        .where('isRevoked', '=', false)
        .execute();
      return ids;
    },
  };
  return repo;
}

/** SQLite and MariaDB (no UPDATE … RETURNING, no data-modifying CTEs): read, then one transaction. */
async function rotateStepwise(ctx: RepoContext, input: RotationInput): Promise<RotationResult> {
  const { hashes, next, now } = input;
  const token = input.read ? input.read.token : await sessionsRepository(ctx).findRefreshToken(hashes);
  if (!token || token.rotatedAt || token.isRevoked || token.expiresAt <= now) return { ok: false, token };
  try {
    const rotation = await transactionWithRetry(ctx.exec as Kysely<DB>, async (trx): Promise<Rotation> => {
      const tx = { exec: trx, dialect: ctx.dialect };
      const sessions = sessionsRepository(tx);
      const users = usersRepository(tx);
      // The insert comes first: on MariaDB its foreign-key checks lock the user and session rows
      // before any token row, the order every revoker takes them, so a concurrent logout or password
      // change waits for this rotation instead of deadlocking with it. The session row, not the
      // tokens' flags, decides: a new token that a concurrent revocation missed (PostgreSQL does not
      // make it wait) is refused at its first use.
      await sessions.insertRefreshToken({
        ...next,
        userId: token.userId,
        sessionId: token.sessionId,
        expiresAt: token.expiresAt,
        isRevoked: false,
        createdAt: now,
      });
      const user = await users.findById(token.userId);
      const session = await sessions.find(token.sessionId);
      if (!user || user.isSuspended || !user.isActive || !session || session.revokedAt) throw new RotationRefused();
      // The guarded update lets exactly one of several concurrent uses through.
      if (!(await sessions.markRotated(token.id, now))) throw new RotationRefused();
      await auditRepository(tx).insert({ ...input.audit, userId: token.userId });
      return { user, projects: await users.projectsOf(user.id, user.role), sessionId: token.sessionId, expiresAt: token.expiresAt };
    });
    return { ok: true, rotation };
  } catch (error) {
    if (!(error instanceof RotationRefused)) throw error;
    // A concurrent use, a revocation or a suspension refused it: the token as it is now tells which.
    return { ok: false, token: await sessionsRepository(ctx).findRefreshToken(hashes) };
  }
}
