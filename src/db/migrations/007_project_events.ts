import type { Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, type DialectMigration } from './types.js';

/**
 * API.md "Project events" and the `gen` claim. `users.tokenGen` counts the revocations of all of a user's
 * tokens (suspension, deletion, password change or reset, logout of all devices). `project_events` is the
 * stored stream the events route replays and follows. Its ids are not auto-increments: they are handed out
 * from the `last` row of `project_event_counters`, updated as the last statement of the writing transaction,
 * so that its row lock orders the writers' commits by id (a reader following `id > last` never skips an event
 * committed late) and a rollback leaves no gap. The `purged` row holds the newest id the cleanup deleted (and
 * its time): a reader resuming at an older id is answered with `resync`.
 */
export const projectEvents: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp } = columnTypes(dialect);
    await db.schema
      .alterTable('users')
      .addColumn('tokenGen', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('project_events')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('projectId', 'integer')
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('at', timestamp, (c) => c.notNull())
      .addColumn('userId', 'integer')
      .addColumn('sessionId', 'varchar(64)')
      .addColumn('gen', 'integer')
      .addColumn('reason', 'varchar(32)')
      .execute();
    await db.schema.createIndex('idx_project_events_at').on('project_events').column('at').execute();
    await db.schema
      .createTable('project_event_counters')
      .addColumn('name', 'varchar(16)', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull())
      .addColumn('at', timestamp)
      .execute();
    await (db as Kysely<{ project_event_counters: { name: string; value: number; at: null } }>)
      .insertInto('project_event_counters')
      .values([
        { name: 'last', value: 0, at: null },
        { name: 'purged', value: 0, at: null },
      ])
      .execute();
  },
};
