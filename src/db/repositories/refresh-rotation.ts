import { sql, type Selectable } from 'kysely';
import type { UsersTable } from '../schema.js';
import type { ProjectSummary, UserRecord } from '../../domain/models.js';
import { auditRow, type AuditEntry } from './audit.js';
import type { RepoContext } from './executor.js';
import { mapUser, usersRepository } from './users.js';

export interface RotationInput {
  /** HMACs the presented token may be stored under (two during a secret rotation). */
  hashes: string[];
  /** The successor's row id and HMAC; it inherits the session and the absolute expiry. */
  next: { id: string; token: string };
  now: Date;
  /** The rotation's audit row, written with it; its userId is the token's owner. */
  audit: Omit<AuditEntry, 'userId'>;
}

/** What the new access token is made of. */
export interface Rotation {
  user: UserRecord;
  projects: ProjectSummary[];
  sessionId: string;
  /** The session's absolute expiry, which the successor keeps. */
  expiresAt: Date;
}

type RotatedRow = Selectable<UsersTable> & { tokenSessionId: string; tokenExpiresAt: Date };

/**
 * PostgreSQL: marks the token rotated and inserts its successor and the audit row in one statement,
 * one round trip and one commit (it used to be a read, a transaction of seven and an insert). Under
 * READ COMMITTED a second UPDATE of the same row waits for the first and re-checks `rotatedAt IS
 * NULL`, so exactly one of several concurrent uses gets a row back. As on the other dialects, the
 * session row, not the tokens' flags, decides: a successor that a concurrent revocation missed (it
 * does not wait for us) is refused at its first use by the join on sessions. Undefined when refused.
 */
export async function rotateInOneStatement({ exec, dialect }: RepoContext, input: RotationInput): Promise<Rotation | undefined> {
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
    select * from rotated`.execute(exec);
  const row = result.rows[0];
  if (!row) return undefined;
  const user = mapUser(row);
  // Read after the commit, to keep the rotation one statement: should this read fail, the client's
  // retry with the old token counts as reuse and ends the session (a new sign-in, nothing worse).
  const projects = await usersRepository({ exec, dialect }).projectsOf(user.id, user.role);
  return { user, projects, sessionId: row.tokenSessionId, expiresAt: row.tokenExpiresAt };
}
