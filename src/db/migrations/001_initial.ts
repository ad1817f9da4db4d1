import type { Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, withSerialId, type DialectMigration } from './types.js';

/** The seed's six tables (with hashed secrets and the fields their rules need) and the design's own. */
export const initial: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp, bool } = columnTypes(dialect);
    const cascade = 'cascade' as const;

    await withSerialId(dialect, db.schema.createTable('users'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('password', 'varchar(255)')
      .addColumn('role', 'varchar(20)', (c) => c.notNull())
      .addColumn('customRole', 'varchar(100)')
      .addColumn('companyName', 'varchar(255)')
      .addColumn('companyAddress', 'text')
      .addColumn('companyPhone', 'varchar(30)')
      .addColumn('isActive', bool, (c) => c.notNull())
      .addColumn('isSuspended', bool, (c) => c.notNull())
      .addColumn('suspendedAt', timestamp)
      .addColumn('suspensionReason', 'varchar(500)')
      .addColumn('suspendedBy', 'integer')
      .addColumn('unsuspendedAt', timestamp)
      .addColumn('unsuspendedBy', 'integer')
      .addColumn('subUserLimit', 'integer', (c) => c.notNull().defaultTo(5))
      .addColumn('createdById', 'integer')
      .addColumn('lastLoginAt', timestamp)
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('updatedAt', timestamp, (c) => c.notNull())
      .addColumn('superAdminSlot', 'integer', (c) => c.unique())
      .addColumn('failedLoginCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lockedUntil', timestamp)
      .execute();
    await db.schema.createIndex('idx_users_role').on('users').column('role').execute();
    await db.schema.createIndex('idx_users_created_by').on('users').column('createdById').execute();

    await withSerialId(dialect, db.schema.createTable('projects'))
      .addColumn('customProjectId', 'varchar(50)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('icon', 'varchar(100)')
      .addColumn('description', 'text')
      .addColumn('projectUrl', 'varchar(500)', (c) => c.notNull())
      .addColumn('isActive', bool, (c) => c.notNull())
      .addColumn('createdBy', 'integer', (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('updatedAt', timestamp, (c) => c.notNull())
      .addColumn('clientSecretHash', 'varchar(128)')
      .execute();

    await db.schema
      .createTable('user_projects')
      .addColumn('userId', 'integer', (c) => c.notNull().references('users.id').onDelete(cascade))
      .addColumn('projectId', 'integer', (c) => c.notNull().references('projects.id').onDelete(cascade))
      .addColumn('assignedAt', timestamp, (c) => c.notNull())
      .addColumn('isActive', bool, (c) => c.notNull())
      .addColumn('lastAccessed', timestamp)
      .addPrimaryKeyConstraint('pk_user_projects', ['userId', 'projectId'])
      .execute();
    await db.schema.createIndex('idx_user_projects_project').on('user_projects').column('projectId').execute();

    await withSerialId(dialect, db.schema.createTable('otp_requests'))
      .addColumn('email', 'varchar(255)', (c) => c.notNull())
      .addColumn('otp', 'varchar(128)', (c) => c.notNull())
      .addColumn('purpose', 'varchar(30)', (c) => c.notNull())
      .addColumn('expiresAt', timestamp, (c) => c.notNull())
      .addColumn('isUsed', bool, (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('usedAt', timestamp)
      .execute();
    await db.schema.createIndex('idx_otp_requests_email').on('otp_requests').columns(['email', 'purpose']).execute();
    await db.schema.createIndex('idx_otp_requests_expires').on('otp_requests').column('expiresAt').execute();

    await db.schema
      .createTable('otp_lockouts')
      .addColumn('email', 'varchar(255)', (c) => c.notNull())
      .addColumn('purpose', 'varchar(30)', (c) => c.notNull())
      .addColumn('lockedUntil', timestamp, (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_otp_lockouts', ['email', 'purpose'])
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('userId', 'integer', (c) => c.notNull().references('users.id').onDelete(cascade))
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('expiresAt', timestamp, (c) => c.notNull())
      .addColumn('revokedAt', timestamp)
      .addColumn('revokedReason', 'varchar(50)')
      .execute();
    await db.schema.createIndex('idx_sessions_user').on('sessions').column('userId').execute();
    await db.schema.createIndex('idx_sessions_expires').on('sessions').column('expiresAt').execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('token', 'varchar(128)', (c) => c.notNull().unique())
      .addColumn('userId', 'integer', (c) => c.notNull().references('users.id').onDelete(cascade))
      .addColumn('sessionId', 'varchar(36)', (c) => c.notNull().references('sessions.id').onDelete(cascade))
      .addColumn('expiresAt', timestamp, (c) => c.notNull())
      .addColumn('isRevoked', bool, (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('rotatedAt', timestamp)
      .execute();
    await db.schema.createIndex('idx_refresh_tokens_user').on('refresh_tokens').column('userId').execute();
    await db.schema.createIndex('idx_refresh_tokens_session').on('refresh_tokens').column('sessionId').execute();

    await withSerialId(dialect, db.schema.createTable('project_codes'))
      .addColumn('codeHash', 'varchar(128)', (c) => c.notNull().unique())
      .addColumn('userId', 'integer', (c) => c.notNull().references('users.id').onDelete(cascade))
      .addColumn('projectId', 'integer', (c) => c.notNull().references('projects.id').onDelete(cascade))
      .addColumn('sessionId', 'varchar(36)', (c) => c.notNull().references('sessions.id').onDelete(cascade))
      .addColumn('expiresAt', timestamp, (c) => c.notNull())
      .addColumn('usedAt', timestamp)
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('idx_project_codes_expires').on('project_codes').column('expiresAt').execute();

    // No foreign keys: audit rows outlive the users and projects they name.
    await withSerialId(dialect, db.schema.createTable('audit_logs'))
      .addColumn('userId', 'integer')
      .addColumn('actorEmail', 'varchar(255)')
      .addColumn('targetUserId', 'integer')
      .addColumn('action', 'varchar(100)', (c) => c.notNull())
      .addColumn('resource', 'varchar(50)')
      .addColumn('projectId', 'integer')
      .addColumn('details', 'text')
      .addColumn('ipAddress', 'varchar(45)')
      .addColumn('userAgent', 'text')
      .addColumn('success', bool, (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('idx_audit_logs_created').on('audit_logs').column('createdAt').execute();
    await db.schema.createIndex('idx_audit_logs_user').on('audit_logs').column('userId').execute();
    await db.schema.createIndex('idx_audit_logs_target').on('audit_logs').column('targetUserId').execute();
    await db.schema.createIndex('idx_audit_logs_action').on('audit_logs').column('action').execute();

    await db.schema
      .createTable('signing_keys')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('algorithm', 'varchar(20)', (c) => c.notNull())
      .addColumn('publicJwk', 'text', (c) => c.notNull())
      .addColumn('privateKeyEnc', 'text', (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('retiredAt', timestamp)
      .execute();

    await withSerialId(dialect, db.schema.createTable('email_outbox'))
      .addColumn('kind', 'varchar(50)', (c) => c.notNull())
      .addColumn('payloadEnc', 'text')
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('nextAttemptAt', timestamp, (c) => c.notNull())
      .addColumn('lockedUntil', timestamp)
      .addColumn('lastError', 'varchar(500)')
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .addColumn('sentAt', timestamp)
      .execute();
    await db.schema.createIndex('idx_email_outbox_due').on('email_outbox').columns(['status', 'nextAttemptAt']).execute();
  },
};
