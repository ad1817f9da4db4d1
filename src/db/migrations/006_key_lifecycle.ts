import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import { columnTypes, type DialectMigration } from './types.js';

/**
 * API.md "Tokens": each signing key stores when it is published (createdAt), signs from, retires, and leaves the
 * JWKS, so that every instance computes the same key set from the rows and the clock. Existing keys signed from
 * their creation; a key retired before this migration stays published a day after its retirement (the longest
 * grace the previous version gave). And a customProjectId is never given to another project, even after a
 * deletion: every id ever used is kept in `project_ids`.
 */
export const keyLifecycle: DialectMigration = {
  async up(db: Kysely<unknown>, dialect: DialectName) {
    const { timestamp } = columnTypes(dialect);
    await db.schema.alterTable('signing_keys').addColumn('signFrom', timestamp).execute();
    await db.schema.alterTable('signing_keys').addColumn('unpublishAt', timestamp).execute();
    await sql`update signing_keys set ${sql.ref('signFrom')} = ${sql.ref('createdAt')}`.execute(db);
    const retired = await sql<{
      id: string;
      retiredAt: Date | string;
    }>`select id, ${sql.ref('retiredAt')} from signing_keys where ${sql.ref('retiredAt')} is not null`.execute(db);
    for (const row of retired.rows) {
      const unpublishAt = new Date(new Date(row.retiredAt).getTime() + 86_400_000);
      const value = dialect === 'sqlite' ? unpublishAt.toISOString() : unpublishAt;
      await sql`update signing_keys set ${sql.ref('unpublishAt')} = ${value} where id = ${row.id}`.execute(db);
    }

    await db.schema
      .createTable('project_ids')
      .addColumn('customProjectId', 'varchar(50)', (c) => c.primaryKey())
      .execute();
    await sql`insert into project_ids (${sql.ref('customProjectId')}) select ${sql.ref('customProjectId')} from projects`.execute(db);
  },
};
