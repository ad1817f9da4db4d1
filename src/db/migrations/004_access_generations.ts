import type { Kysely } from 'kysely';
import type { DialectMigration } from './types.js';

/**
 * API.md "Tokens": a project token is bound to the assignment and the project state it was issued under.
 * Each project counts revocations of access to it (`accessGen`); a project token carries the count at its
 * issue (`pgen`). Deactivating a project sets `revokedGen` to the new count, unassigning a user stores the
 * new count as that user's cutoff for the project: a token below either never validates again, even after
 * a re-activation or a re-assignment. One-time codes keep the `pgen` they were issued under.
 */
export const accessGenerations: DialectMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('projects')
      .addColumn('accessGen', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('projects')
      .addColumn('revokedGen', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('project_codes')
      .addColumn('pgen', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('access_cutoffs')
      .addColumn('userId', 'integer', (c) => c.notNull())
      .addColumn('projectId', 'integer', (c) => c.notNull())
      .addColumn('gen', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_access_cutoffs', ['userId', 'projectId'])
      .execute();
  },
};
