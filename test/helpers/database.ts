import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Database, type DialectName } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * TEST_DB selects the dialect of every suite: sqlite (default), postgres or mysql.
 * When postgres or mysql is asked for and cannot be reached, tests fail: they never skip.
 */
export const TEST_DIALECT = (process.env.TEST_DB ?? 'sqlite') as DialectName;
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

/** The server of a network dialect, as TEST_POSTGRES_URL or TEST_MYSQL_URL name it (a proxy's target). */
export function databaseServer(dialect: 'postgres' | 'mysql'): { host: string; port: number } {
  const url = new URL(dialect === 'postgres' ? POSTGRES_ADMIN_URL : MYSQL_ADMIN_URL);
  return { host: url.hostname, port: Number(url.port || (dialect === 'postgres' ? 5432 : 3306)) };
}

export interface TestDatabase {
  url: string;
  dialect: DialectName;
  drop(): Promise<void>;
}

/** A new, empty database with a unique name; drop() removes it. */
export async function createTestDatabase(dialect: DialectName = TEST_DIALECT): Promise<TestDatabase> {
  const name = `xtown_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'xtown-'));
    return { url: `file:${join(folder, 'test.db')}`, dialect, drop: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  const adminUrl = dialect === 'postgres' ? POSTGRES_ADMIN_URL : MYSQL_ADMIN_URL;
  const admin = await createDb(adminUrl, { poolSize: 1 });
  try {
    await rawExec(
      admin,
      dialect === 'postgres' ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dialect,
    drop: async () => {
      const cleaner = await createDb(adminUrl, { poolSize: 1 });
      try {
        await rawExec(cleaner, dialect === 'postgres' ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await cleaner.destroy();
      }
    },
  };
}

async function rawExec(database: Database, statement: string): Promise<void> {
  const { sql } = await import('kysely');
  await sql.raw(statement).execute(database.db);
}

/**
 * The dialects the repository suite runs on: SQLite always, PostgreSQL and MariaDB/MySQL whenever
 * their URL is set (CI sets them), and TEST_DB's in any case (it fails, never skips, when unreachable).
 */
export const REPOSITORY_DIALECTS: DialectName[] = [
  ...new Set<DialectName>([
    'sqlite',
    ...(process.env.TEST_POSTGRES_URL || TEST_DIALECT === 'postgres' ? (['postgres'] as const) : []),
    ...(process.env.TEST_MYSQL_URL || TEST_DIALECT === 'mysql' ? (['mysql'] as const) : []),
  ]),
];

/** A migrated database and its Kysely handle, for repository-level tests. */
export async function openMigratedTestDatabase(
  dialect: DialectName = TEST_DIALECT,
): Promise<{ database: Database; drop(): Promise<void> }> {
  const testDb = await createTestDatabase(dialect);
  const database = await createDb(testDb.url);
  await migrateToLatest(database);
  return {
    database,
    drop: async () => {
      await database.destroy();
      await testDb.drop();
    },
  };
}
