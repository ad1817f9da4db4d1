import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { DialectName } from '../client.js';

/** The column types that differ between SQLite, PostgreSQL and MySQL/MariaDB. */
export function columnTypes(dialect: DialectName) {
  return {
    timestamp: (dialect === 'postgres' ? sql`timestamptz` : dialect === 'mysql' ? sql`datetime(3)` : sql`text`) as RawBuilder<unknown>,
    bool: (dialect === 'sqlite' ? sql`integer` : sql`boolean`) as RawBuilder<unknown>,
  };
}

/** An auto-incrementing integer primary key on each dialect. */
export function withSerialId<T extends string>(dialect: DialectName, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  if (dialect === 'postgres') return table.addColumn('id', 'serial', (c) => c.primaryKey());
  return table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}
