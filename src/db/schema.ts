import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { OtpPurpose, Role } from '../domain/models.js';

export type { OtpPurpose, Role };

/** SQLite stores booleans as 0/1 and timestamps as ISO text; PostgreSQL and MySQL as native types. Mappers normalize. */
export type Bool = ColumnType<boolean | number, boolean, boolean>;
export type Timestamp = ColumnType<Date | string, Date, Date>;
export type NullableTimestamp = ColumnType<Date | string | null, Date | null | undefined, Date | null>;

export type OutboxStatus = 'PENDING' | 'SENT' | 'ABANDONED';

export interface UsersTable {
  id: Generated<number>;
  name: string;
  email: string;
  /** Null until the user chooses a password (activation); an argon2id or bcrypt hash otherwise. */
  password: string | null;
  role: Role;
  customRole: string | null;
  companyName: string | null;
  companyAddress: string | null;
  companyPhone: string | null;
  isActive: Bool;
  isSuspended: Bool;
  suspendedAt: NullableTimestamp;
  suspensionReason: string | null;
  suspendedBy: number | null;
  unsuspendedAt: NullableTimestamp;
  unsuspendedBy: number | null;
  subUserLimit: number;
  createdById: number | null;
  lastLoginAt: NullableTimestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** 1 on the one verified Super Admin, null elsewhere; a unique index makes the first verification win. */
  superAdminSlot: number | null;
  failedLoginCount: Generated<number>;
  lockedUntil: NullableTimestamp;
  /** The user's token generation (the `gen` claim), raised by every revocation of all of its tokens (migration 007). */
  tokenGen: Generated<number>;
}

export interface ProjectsTable {
  id: Generated<number>;
  customProjectId: string;
  name: string;
  icon: string | null;
  description: string | null;
  projectUrl: string;
  isActive: Bool;
  createdBy: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  /** HMAC of the client secret the project's backend uses for exchange-code. */
  clientSecretHash: string | null;
  /** HMAC of the secret the last rotation replaced, which keeps working until previousSecretValidUntil (migration 005). */
  previousSecretHash: string | null;
  previousSecretValidUntil: NullableTimestamp;
  /** Revocations of access to the project so far; a project token carries the count at its issue (pgen). */
  accessGen: Generated<number>;
  /** Project tokens with a lower pgen were issued before the last deactivation. */
  revokedGen: Generated<number>;
}

/** Per user and project: project tokens with a lower pgen were issued before the user's last unassignment. */
export interface AccessCutoffsTable {
  userId: number;
  projectId: number;
  gen: number;
}

export interface UserProjectsTable {
  userId: number;
  projectId: number;
  assignedAt: Timestamp;
  isActive: Bool;
  lastAccessed: NullableTimestamp;
}

export interface OtpRequestsTable {
  id: Generated<number>;
  email: string;
  /** HMAC of the code, never the code. */
  otp: string;
  purpose: OtpPurpose;
  expiresAt: Timestamp;
  isUsed: Bool;
  createdAt: Timestamp;
  attempts: Generated<number>;
  /** Set only when the code was consumed by a correct guess (cancelled codes keep it null). */
  usedAt: NullableTimestamp;
}

export interface OtpLockoutsTable {
  email: string;
  purpose: OtpPurpose;
  lockedUntil: Timestamp;
  createdAt: Timestamp;
}

export interface SessionsTable {
  id: string;
  userId: number;
  createdAt: Timestamp;
  /** Absolute: rotation never extends it. */
  expiresAt: Timestamp;
  revokedAt: NullableTimestamp;
  revokedReason: string | null;
}

export interface RefreshTokensTable {
  id: string;
  /** HMAC of the token. */
  token: string;
  userId: number;
  sessionId: string;
  expiresAt: Timestamp;
  isRevoked: Bool;
  createdAt: Timestamp;
  rotatedAt: NullableTimestamp;
}

export interface ProjectCodesTable {
  id: Generated<number>;
  codeHash: string;
  userId: number;
  projectId: number;
  sessionId: string;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  createdAt: Timestamp;
  /** The project token's pgen when the code was issued: the exchange's token carries it. */
  pgen: Generated<number>;
}

export interface AuditLogsTable {
  id: Generated<number>;
  userId: number | null;
  actorEmail: string | null;
  targetUserId: number | null;
  action: string;
  resource: string | null;
  projectId: number | null;
  /** JSON text. */
  details: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  success: Bool;
  createdAt: Timestamp;
}

export interface SigningKeysTable {
  id: string;
  algorithm: string;
  publicJwk: string;
  /** AES-256-GCM under a key derived from JWT_SECRET. */
  privateKeyEnc: string;
  /** Published from createdAt, signs from signFrom until retiredAt, published until unpublishAt (migration 006). */
  createdAt: Timestamp;
  signFrom: Timestamp;
  retiredAt: NullableTimestamp;
  unpublishAt: NullableTimestamp;
}

/** Every customProjectId ever used, so that none is given to another project after a deletion (migration 006). */
export interface ProjectIdsTable {
  customProjectId: string;
}

export interface EmailOutboxTable {
  id: Generated<number>;
  kind: string;
  /** AES-256-GCM of { to, subject, html, text }; wiped (null) once delivered. */
  payloadEnc: string | null;
  status: OutboxStatus;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lockedUntil: NullableTimestamp;
  lastError: string | null;
  createdAt: Timestamp;
  sentAt: NullableTimestamp;
}

/** One row per scheduled job: whoever holds an unexpired lease runs it; the others skip that interval. */
export interface JobLeasesTable {
  name: string;
  holder: string;
  leasedUntil: Timestamp;
}

/** One invalidation of the auth-state cache, for the instances that poll instead of using Redis. */
export interface RevocationEventsTable {
  id: Generated<number>;
  kind: 'user' | 'session' | 'project';
  targetId: string;
  createdAt: Timestamp;
}

/** One event of a project's stream (API.md "Project events"); projectId null: every project's. */
export interface ProjectEventsTable {
  id: number;
  projectId: number | null;
  type: string;
  at: Timestamp;
  userId: number | null;
  sessionId: string | null;
  gen: number | null;
  reason: string | null;
}

/** `last`: the newest project event id handed out; `purged`: the newest one the cleanup deleted, with its time. */
export interface ProjectEventCountersTable {
  name: 'last' | 'purged';
  value: number;
  at: NullableTimestamp;
}

export interface DB {
  users: UsersTable;
  projects: ProjectsTable;
  user_projects: UserProjectsTable;
  otp_requests: OtpRequestsTable;
  otp_lockouts: OtpLockoutsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  project_codes: ProjectCodesTable;
  audit_logs: AuditLogsTable;
  signing_keys: SigningKeysTable;
  project_ids: ProjectIdsTable;
  email_outbox: EmailOutboxTable;
  job_leases: JobLeasesTable;
  revocation_events: RevocationEventsTable;
  access_cutoffs: AccessCutoffsTable;
  project_events: ProjectEventsTable;
  project_event_counters: ProjectEventCountersTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type OtpRow = Selectable<OtpRequestsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type AuditLogRow = Selectable<AuditLogsTable>;
export type OutboxRow = Selectable<EmailOutboxTable>;
