import type { Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, type DialectMigration } from './types.js';

/**
 * API.md "POST /api/projects/:id/rotate-secret": the replaced client secret keeps working for a grace period, so
 * that a project can deploy the new one without an outage. Only the one it replaced is kept (an HMAC, like the
 * current one), with the moment it stops working; a later rotation overwrites both.
 */
export const previousClientSecret: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp } = columnTypes(dialect);
    await db.schema.alterTable('projects').addColumn('previousSecretHash', 'varchar(128)').execute();
    await db.schema.alterTable('projects').addColumn('previousSecretValidUntil', timestamp).execute();
  },
};
