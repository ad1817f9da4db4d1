import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import type { DB } from './schema.js';
import { prepareOncePerConnection } from './pg-prepared.js';
import { SqliteValuesPlugin } from './sqlite-values-plugin.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** How long opening a connection to PostgreSQL or MySQL may take before the request fails with 503. */
const CONNECT_TIMEOUT_MS = 3000;

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  destroy(): Promise<void>;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('file:') || url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  throw new Error(`DATABASE_URL: unsupported scheme in ${url.split(':')[0]}:`);
}

/** Only the configured driver is loaded. */
export async function createDb(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  const dialect = dialectOf(url);
  const { kyselyDialect, plugins } = await buildDialect(dialect, url, options.poolSize ?? 10);
  const db = new Kysely<DB>({ dialect: kyselyDialect, plugins });
  return { db, dialect, destroy: () => db.destroy() };
}

async function buildDialect(
  dialect: DialectName,
  url: string,
  poolSize: number,
): Promise<{ kyselyDialect: Dialect; plugins: SqliteValuesPlugin[] }> {
  if (dialect === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const path = url.replace(/^(file:|sqlite:)(\/\/)?/, '');
    const inMemory = path === ':memory:' || path === '';
    if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = new SQLite(inMemory ? ':memory:' : path);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    database.pragma('synchronous = NORMAL');
    return { kyselyDialect: new SqliteDialect({ database: withStatementCache(database) }), plugins: [new SqliteValuesPlugin()] };
  }
  if (dialect === 'postgres') {
    const pg = (await import('pg')).default;
    // COUNT(*) and BIGINT come back as strings by default; ours fit in a double.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    // An unreachable database must fail a request within a few seconds (503), not hold it: this bounds both a
    // new connection and the wait for a free one.
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Readiness reports the outage.
    });
    pool.on('connect', (client) => {
      // The pool listens for errors only on idle clients: a connection lost while a client is checked out
      // would emit an unhandled 'error' and crash the process. Its query fails on its own, and the pool
      // drops the dead client when it comes back.
      client.on('error', () => undefined);
      prepareOncePerConnection(client);
    });
    return { kyselyDialect: new PostgresDialect({ pool }), plugins: [] };
  }
  const mysql = await import('mysql2');
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: poolSize,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    charset: 'utf8mb4',
  });
  return { kyselyDialect: new MysqlDialect({ pool }), plugins: [] };
}

/** The part of a better-sqlite3 database that Kysely's SQLite driver uses. */
type SqliteDatabase = Pick<import('better-sqlite3').Database, 'prepare' | 'close'>;

const MAX_CACHED_STATEMENTS = 1000;

/**
 * Kysely's SQLite driver prepares every query anew (a tenth of a refresh rotation's CPU). It runs each
 * statement to completion (all or run, never iterate), so a statement can be kept by its SQL text and
 * run again; only the driver sees the cache.
 */
function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statements.set(sql, (statement = database.prepare(sql)));
      }
      return statement;
    },
    close: () => database.close(),
  } as SqliteDatabase;
}
