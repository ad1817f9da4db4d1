import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import type { DB } from './schema.js';
import { prepareOncePerConnection } from './pg-prepared.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** How long opening a connection to PostgreSQL or MySQL may take before the request fails with 503. */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * The deadline of every query on PostgreSQL and MySQL: on a frozen network path (connections open, nothing
 * passes, no reset) a query would otherwise wait for ever, holding its request and its pool connection.
 * Client-side, since a server-side timeout cannot reach a client it cannot talk to; PostgreSQL also gets it
 * as statement_timeout. Migrations run without it (an index on a big table may take longer).
 */
export const QUERY_TIMEOUT_MS = 5000;

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

/** Only the configured driver is loaded. `queryTimeoutMs`: 0 for none (migrations). */
export async function createDb(url: string, options: { poolSize?: number; queryTimeoutMs?: number } = {}): Promise<Database> {
  const dialect = dialectOf(url);
  const kyselyDialect = await buildDialect(dialect, url, options.poolSize ?? 10, options.queryTimeoutMs ?? QUERY_TIMEOUT_MS);
  const db = new Kysely<DB>({ dialect: kyselyDialect });
  return { db, dialect, destroy: () => db.destroy() };
}

async function buildDialect(dialect: DialectName, url: string, poolSize: number, queryTimeoutMs: number): Promise<Dialect> {
  const deadline = queryTimeoutMs > 0 ? queryTimeoutMs : undefined;
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
    return new SqliteDialect({ database: withCachedStatements(database) });
  }
  if (dialect === 'postgres') {
    const pg = (await import('pg')).default;
    // COUNT(*) and BIGINT come back as strings by default; ours fit in a double.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    // An unreachable database must fail a request within a few seconds (503), not hold it: this bounds both a
    // new connection and the wait for a free one.
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: deadline,
      statement_timeout: deadline,
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Readiness reports the outage.
    });
    pool.on('connect', (client) => {
      // The pool listens for errors only on idle clients: a connection lost while a client is checked out
      // would emit an unhandled 'error' and crash the process. Its query fails on its own, and the pool
      // drops the dead client when it comes back.
      client.on('error', () => undefined);
      prepareOncePerConnection(client);
      if (deadline) dropOnQueryTimeout(client);
    });
    return new PostgresDialect({ pool });
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
  return new MysqlDialect({ pool: deadline ? withQueryDeadline(pool, deadline) : pool });
}

/**
 * pg answers a query past query_timeout with an error but keeps the connection, whose next queries then
 * wait behind the unanswered one: the connection is ended instead, so that the pool drops it on release.
 */
function dropOnQueryTimeout(client: import('pg').PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: typeof query }).query = (...args) => {
    const result = query(...args);
    if (result instanceof Promise)
      result.catch((error: unknown) => {
        if ((error as Error)?.message === 'Query read timeout')
          (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      });
    return result;
  };
}

type MysqlPool = import('mysql2').Pool;
type MysqlQuery = (sql: unknown, values: unknown, callback: unknown) => unknown;

/**
 * mysql2 has no pool-wide query timeout, only a per-query `timeout`: every connection Kysely takes gets its
 * query() wrapped once to pass it (Kysely calls query(sql, parameters, callback) with a string).
 */
function withQueryDeadline(pool: MysqlPool, timeout: number): MysqlPool {
  const wrapped = new WeakSet<object>();
  const getConnection: MysqlPool['getConnection'] = (callback) =>
    pool.getConnection((error, connection) => {
      if (connection && !wrapped.has(connection)) {
        wrapped.add(connection);
        const query = connection.query.bind(connection) as MysqlQuery;
        // A timed-out query leaves its command in place, and the commands queued behind it (a ROLLBACK)
        // would wait for ever: the connection is destroyed, which fails them and makes the pool drop it.
        const dropOnTimeout =
          (cb: unknown) =>
          (error: { code?: string } | null, ...rest: unknown[]) => {
            if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
            (cb as (...args: unknown[]) => void)(error, ...rest);
          };
        (connection as { query: MysqlQuery }).query = (sql, values, cb) =>
          typeof sql === 'string' ? query({ sql, timeout }, values, dropOnTimeout(cb)) : query(sql, values, cb);
      }
      callback(error, connection);
    });
  // Kysely's MySQL driver uses getConnection and end only.
  return { getConnection, end: pool.end.bind(pool) } as unknown as MysqlPool;
}

/** The part of a better-sqlite3 database that Kysely's SQLite driver uses. */
type SqliteDatabase = Pick<import('better-sqlite3').Database, 'prepare' | 'close'>;
type SqliteStatement = ReturnType<SqliteDatabase['prepare']>;

const MAX_CACHED_STATEMENTS = 1000;

/** better-sqlite3 binds neither booleans nor Dates: they are stored as 0/1 and ISO-8601 text. */
function toSqlite(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Kysely's SQLite driver prepares every query anew (a tenth of a refresh rotation's CPU). It runs each
 * statement to completion (all or run, never iterate), so a statement can be kept by its SQL text and
 * run again; only the driver sees the cache. The parameters are converted here, on their way to the
 * statement: a Kysely plugin doing it rebuilt every query's tree and added a promise per query.
 */
function withCachedStatements(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, Pick<SqliteStatement, 'reader' | 'all' | 'run'>>();
  const bind = (parameters: unknown[]) => parameters.map(toSqlite);
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        const prepared = database.prepare(sql);
        statement = {
          reader: prepared.reader,
          all: (parameters: unknown[]) => prepared.all(bind(parameters)),
          run: (parameters: unknown[]) => prepared.run(bind(parameters)),
        } as Pick<SqliteStatement, 'reader' | 'all' | 'run'>;
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => database.close(),
  } as SqliteDatabase;
}
