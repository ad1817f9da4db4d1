import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { Repositories, DataStore } from '../db/repositories/index.js';
import type { RefreshTokenRecord } from '../db/repositories/sessions.js';
import type { Secrets } from '../crypto/secrets.js';
import { AppError } from '../errors/index.js';
import { auditEntry, type AuditLog } from './audit.js';
import type { AuthStateCache } from './auth-state.js';
import type { Clock } from '../domain/clock.js';
import { type RefreshRefusalReason, REFUSAL_OF, SESSION_REVOKED, type SessionRevokedReason } from '../domain/session-revocation.js';
import { toPublicUser, type User, type UserRecord, type UserWithProjects } from '../domain/models.js';
import { recordSessionRevoked, revokeUserTokens } from './events/record.js';
import type { RequestMeta, TokenService } from '../domain/ports.js';

export interface LoginPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
  user: UserWithProjects;
}

export interface RefreshResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  /** Seconds left in the session: rotation never extends it. */
  refreshExpiresIn: number;
}

/** A refresh token as presented, looked up once: the HMACs it may be stored under and its row (undefined: unknown). */
export interface PresentedRefreshToken {
  hashes: string[];
  token: RefreshTokenRecord | undefined;
}

export interface SessionDeps {
  store: DataStore;
  clock: Clock;
  config: Pick<Config, 'accessTokenTtlSec' | 'refreshTokenTtlSec'>;
  secrets: Secrets;
  tokens: TokenService;
  authState: AuthStateCache;
  audit: AuditLog;
  logger: { warn(obj: object, msg: string): void };
}

const REFRESH_PURPOSE = 'refresh-token';

const refused = (reason: RefreshRefusalReason) =>
  new AppError('TOKEN_INVALID', { message: 'This session has ended: sign in again', details: { reason } });

export function createSessionService(deps: SessionDeps) {
  const { store, clock, config, secrets, tokens, authState, audit } = deps;

  async function withProjects(tx: Repositories, user: User): Promise<UserWithProjects> {
    return { ...toPublicUser(user), projects: await tx.users.projectsOf(user.id, user.role) };
  }

  /** A new refresh token: what the client gets, and the row id and HMAC that are stored. */
  function mintRefreshToken() {
    const plain = randomUUID();
    return { plain, stored: { id: randomUUID(), token: secrets.hash(REFRESH_PURPOSE, plain) } };
  }

  async function newRefreshToken(tx: Repositories, userId: number, sessionId: string, expiresAt: Date): Promise<string> {
    const { plain, stored } = mintRefreshToken();
    await tx.sessions.insertRefreshToken({ ...stored, userId, sessionId, expiresAt, isRevoked: false, createdAt: clock.now() });
    return plain;
  }

  /**
   * Revokes one session and, when it was live until now, tells the projects (session.revoked) in the same
   * transaction.
   */
  async function endSession(sessionId: string, userId: number, reason: SessionRevokedReason, event: 'LOGOUT' | 'REUSE_DETECTED') {
    const now = clock.now();
    await store.transaction(async (tx) => {
      if (!(await tx.sessions.revoke(sessionId, now, reason))) return;
      const user = await tx.users.findById(userId);
      if (user) await recordSessionRevoked(tx, user, sessionId, event, now);
    });
    authState.invalidateSessions([sessionId]);
  }

  /** Revokes a session for reuse of a rotated token: the whole chain dies, and every instance hears of it. */
  async function killChain(sessionId: string, userId: number, meta: RequestMeta | undefined, reason: SessionRevokedReason) {
    await endSession(sessionId, userId, reason, 'REUSE_DETECTED');
    deps.logger.warn(
      { event: 'refresh_token_reuse', userId, sessionId, reqId: meta?.reqId },
      'refresh token reuse detected; session revoked',
    );
    await audit.record(
      {
        userId,
        actorEmail: null,
        targetUserId: userId,
        action: 'REFRESH_TOKEN_REUSE',
        resource: 'session',
        details: { reason },
        success: false,
      },
      meta,
    );
  }

  /**
   * Why a refresh was refused, in API.md's words, so that a client can tell its user: a suspension is 403
   * ACCOUNT_SUSPENDED; anything else is TOKEN_INVALID with `details.reason`. A rotated token presented again
   * on a live session is reuse: the whole session dies (also the fate of the losers when one token is used
   * concurrently: one use wins).
   */
  async function refusal(record: RefreshTokenRecord | undefined, now: Date, meta: RequestMeta | undefined): Promise<AppError> {
    if (!record) return refused('UNKNOWN');
    const [session, user] = await Promise.all([store.repos.sessions.find(record.sessionId), store.repos.users.findById(record.userId)]);
    if (user?.isSuspended || session?.revokedReason === SESSION_REVOKED.suspended)
      return new AppError('ACCOUNT_SUSPENDED', { message: 'This account is suspended' });
    if (session?.revokedReason) return refused(REFUSAL_OF[session.revokedReason] ?? 'UNKNOWN');
    if (record.rotatedAt) {
      await killChain(record.sessionId, record.userId, meta, SESSION_REVOKED.reuse);
      return refused('REUSE_DETECTED');
    }
    if (record.expiresAt <= now) return refused('EXPIRED');
    return refused('UNKNOWN'); // its user is no longer live
  }

  return {
    /** Opens a session for a user who just proved who they are; call inside the transaction that proved it. */
    async start(tx: Repositories, user: UserRecord): Promise<LoginPayload> {
      const now = clock.now();
      const sessionId = randomUUID();
      const expiresAt = new Date(now.getTime() + config.refreshTokenTtlSec * 1000);
      await tx.sessions.create({ id: sessionId, userId: user.id, createdAt: now, expiresAt, revokedAt: null, revokedReason: null });
      const refreshToken = await newRefreshToken(tx, user.id, sessionId, expiresAt);
      const fullUser = await withProjects(tx, user);
      const access = await tokens.signAccessToken(fullUser, sessionId, user.tokenGen);
      return {
        accessToken: access.token,
        refreshToken,
        expiresIn: config.accessTokenTtlSec,
        refreshExpiresIn: config.refreshTokenTtlSec,
        user: fullUser,
      };
    },

    /** Rotates a refresh token. A token presented after its rotation revokes the whole session. */
    async refresh({ hashes, token }: PresentedRefreshToken, meta?: RequestMeta): Promise<RefreshResult> {
      const now = clock.now();
      const next = mintRefreshToken();
      const outcome = await store.repos.sessions.rotateRefreshToken({
        hashes,
        read: { token },
        next: next.stored,
        now,
        // Written with the rotation, so that no rotation goes unrecorded (and no record without one).
        audit: auditEntry({ userId: null, actorEmail: null, action: 'TOKEN_REFRESH', resource: 'session', success: true }, meta, now),
      });
      if (!outcome.ok) throw await refusal(outcome.token, now, meta);
      const { user, projects, sessionId, expiresAt } = outcome.rotation;
      const access = await tokens.signAccessToken({ ...toPublicUser(user), projects }, sessionId, user.tokenGen);
      const refreshExpiresIn = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
      return { accessToken: access.token, refreshToken: next.plain, expiresIn: config.accessTokenTtlSec, refreshExpiresIn };
    },

    /**
     * Looks a presented refresh token up once: its session (revoked or not) decides the per-session budget
     * before the rotation, which on SQLite and MariaDB starts from this read instead of repeating it.
     */
    async present(refreshToken: string): Promise<PresentedRefreshToken> {
      const hashes = secrets.hashCandidates(REFRESH_PURPOSE, refreshToken);
      return { hashes, token: await store.repos.sessions.findRefreshToken(hashes) };
    },

    /** Revokes the session of a refresh token; unknown tokens are ignored so logout never tells what exists. */
    async logoutByRefreshToken(refreshToken: string, meta?: RequestMeta): Promise<number | null> {
      const record = await store.repos.sessions.findRefreshToken(secrets.hashCandidates(REFRESH_PURPOSE, refreshToken));
      if (!record) return null;
      await this.revokeSession(record.sessionId, record.userId, meta);
      return record.userId;
    },

    async revokeSession(sessionId: string, userId: number, meta?: RequestMeta): Promise<void> {
      await endSession(sessionId, userId, SESSION_REVOKED.logout, 'LOGOUT');
      await audit.record({ userId, actorEmail: null, action: 'LOGOUT', resource: 'session', success: true }, meta);
    },

    async logoutAllDevices(userId: number, meta?: RequestMeta): Promise<void> {
      const now = clock.now();
      const ids = await store.transaction(async (tx) => {
        const revoked = await tx.sessions.revokeAllOfUser(userId, now, SESSION_REVOKED.logoutAll);
        const user = await tx.users.findById(userId);
        if (user) await revokeUserTokens(tx, user, 'LOGOUT_ALL', now);
        return revoked;
      });
      authState.invalidateSessions(ids);
      await audit.record(
        { userId, actorEmail: null, action: 'LOGOUT_ALL', resource: 'session', details: { sessions: ids.length }, success: true },
        meta,
      );
    },

    withProjects,
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
