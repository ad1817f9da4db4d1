import { sql, type Selectable } from 'kysely';
import type { UsersTable } from '../schema.js';
import type { ProjectSummary, UserRecord } from '../../domain/models.js';
import { auditRow, type AuditEntry } from './audit.js';
import type { RepoContext } from './executor.js';
import type { RefreshTokenRecord } from './sessions.js';
import { mapUser } from './users.js';

export interface RotationInput {
  /** HMACs the presented token may be stored under (two during a secret rotation). */
  hashes: string[];
  /** The successor's row id and HMAC; it inherits the session and the absolute expiry. */
  next: { id: string; token: string };
  now: Date;
  /** The rotation's audit row, written with it; its userId is the token's owner. */
  audit: Omit<AuditEntry, 'userId'>;
  /**
   * The presented token's row as the caller read it just before (undefined: no such token), so that SQLite
   * and MariaDB start from it instead of reading it again; PostgreSQL's one statement decides on its own.
   */
  read?: { token: RefreshTokenRecord | undefined };
}

/** What the new access token is made of. */
export interface Rotation {
  user: UserRecord;
  projects: ProjectSummary[];
  sessionId: string;
  /** The session's absolute expiry, which the successor keeps. */
  expiresAt: Date;
}

type RotatedRow = Selectable<UsersTable> & { tokenSessionId: string; tokenExpiresAt: Date; tokenProjects: ProjectSummary[] };

/**
 * PostgreSQL: marks the token rotated and inserts its successor and the audit row in one statement,
 * one round trip and one commit (it used to be a read, a transaction of seven and an insert). Under
 * READ COMMITTED a second UPDATE of the same row waits for the first and re-checks `rotatedAt IS
 * NULL`, so exactly one of several concurrent uses gets a row back. As on the other dialects, the
 * session row, not the tokens' flags, decides: a successor that a concurrent revocation missed (it
 * does not wait for us) is refused at its first use by the join on sessions. Undefined when refused.
 */
export async function rotateInOneStatement({ exec }: RepoContext, input: RotationInput): Promise<Rotation | undefined> {
  const { hashes, next, now } = input;
  const { userId: _owner, ...audit } = auditRow({ ...input.audit, userId: null });
  // Unknown parameters in INSERT … SELECT take the target columns' types.
  const auditColumns = sql.join(Object.keys(audit).map((column) => sql.ref(column)));
  const auditValues = sql.join(Object.values(audit));
  const result = await sql<RotatedRow>`
    with rotated as (
      update refresh_tokens as rt
      set "rotatedAt" = ${now}
      from sessions as s, users as u
      where rt.token in (${sql.join(hashes)})
        and rt."rotatedAt" is null
        and not rt."isRevoked"
        and rt."expiresAt" > ${now}
        and s.id = rt."sessionId" and s."revokedAt" is null
        and u.id = rt."userId" and u."isActive" and not u."isSuspended"
      returning u.*, rt."sessionId" as "tokenSessionId", rt."expiresAt" as "tokenExpiresAt"
    ), successor as (
      insert into refresh_tokens (id, token, "userId", "sessionId", "expiresAt", "isRevoked", "createdAt")
      select ${next.id}, ${next.token}, id, "tokenSessionId", "tokenExpiresAt", false, ${now} from rotated
    ), audited as (
      insert into audit_logs ("userId", ${auditColumns})
      select id, ${auditValues} from rotated
    )
    select r.*, coalesce((
      select json_agg(json_build_object('id', p.id, 'customProjectId', p."customProjectId", 'name', p.name,
          'projectUrl', p."projectUrl", 'icon', p.icon, 'isActive', p."isActive") order by p.id)
      from projects as p
      where case when r.role = 'SUPER_ADMIN' then p."isActive"
        else exists (select 1 from user_projects as up where up."userId" = r.id and up."projectId" = p.id and up."isActive")
          and (r.role <> 'SUB_USER' or p."isActive") end
    ), '[]'::json) as "tokenProjects"
    from rotated as r`.execute(exec);
  const row = result.rows[0];
  if (!row) return undefined;
  // The new access token's projects come with the rotation (users.projectsOf's rules, in SQL): one round trip.
  return { user: mapUser(row), projects: row.tokenProjects, sessionId: row.tokenSessionId, expiresAt: row.tokenExpiresAt };
}
