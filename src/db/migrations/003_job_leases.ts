import type { Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, type DialectMigration } from './types.js';

/** Leases for scheduled jobs (one instance runs each per interval), and the index the cleanup deletes by. */
export const jobLeases: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp } = columnTypes(dialect);
    await db.schema
      .createTable('job_leases')
      .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('holder', 'varchar(200)', (c) => c.notNull())
      .addColumn('leasedUntil', timestamp, (c) => c.notNull())
      .execute();
    // The cleanup deletes a session's codes by sessionId; MySQL indexes foreign keys by itself, the others do not.
    if (dialect !== 'mysql') await db.schema.createIndex('idx_project_codes_session').on('project_codes').column('sessionId').execute();
  },
};
