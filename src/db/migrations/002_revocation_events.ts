import type { Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, withSerialId, type DialectMigration } from './types.js';

/**
 * Revocation signals for several instances without Redis: every invalidation of the auth-state
 * cache is a row, each instance polls for ids it has not seen, and old rows are deleted.
 */
export const revocationEvents: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp } = columnTypes(dialect);
    await withSerialId(dialect, db.schema.createTable('revocation_events'))
      .addColumn('kind', 'varchar(20)', (c) => c.notNull())
      .addColumn('targetId', 'varchar(64)', (c) => c.notNull())
      .addColumn('createdAt', timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('idx_revocation_events_created').on('revocation_events').column('createdAt').execute();
  },
};
