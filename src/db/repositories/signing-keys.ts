import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import type { DB, SigningKeysTable } from '../schema.js';
import { toDate, toDateOrNull } from '../values.js';
import { affected, type Executor, type RepoContext } from './executor.js';
import type { SigningKeyRow } from '../../domain/keys.js';

export type { SigningKeyRow };

type RawRow = {
  [K in keyof SigningKeysTable]: K extends 'createdAt' ? Date | string : K extends 'retiredAt' ? Date | string | null : SigningKeysTable[K];
};

const toRow = (raw: RawRow): SigningKeyRow => ({
  id: raw.id,
  algorithm: raw.algorithm,
  publicJwk: raw.publicJwk,
  privateKeyEnc: raw.privateKeyEnc,
  createdAt: toDate(raw.createdAt),
  retiredAt: toDateOrNull(raw.retiredAt),
});

/** Oldest first (createdAt, then id), ordered here so every dialect and collation agrees. */
const byAge = (a: SigningKeyRow, b: SigningKeyRow) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function signingKeysRepository({ exec, dialect }: RepoContext) {
  const insertRow = (on: Executor, row: SigningKeyRow) =>
    on
      .insertInto('signing_keys')
      .values({
        id: row.id,
        algorithm: row.algorithm,
        publicJwk: row.publicJwk,
        privateKeyEnc: row.privateKeyEnc,
        createdAt: row.createdAt,
        retiredAt: row.retiredAt,
      })
      .execute();

  return {
    /** Keys not retired, oldest first. */
    async listActive(): Promise<SigningKeyRow[]> {
      const rows = await exec.selectFrom('signing_keys').selectAll().where('retiredAt', 'is', null).execute();
      return rows.map(toRow).sort(byAge);
    },

    /** Active keys plus those retired after `retiredAfter` (their tokens may still be alive), oldest first. */
    async listVerifiable(retiredAfter: Date): Promise<SigningKeyRow[]> {
      const rows = await exec
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('retiredAt', 'is', null), eb('retiredAt', '>', retiredAfter)]))
        .execute();
      return rows.map(toRow).sort(byAge);
    },

    async insert(row: SigningKeyRow): Promise<void> {
      await insertRow(exec, row);
    },

    /**
     * Inserts `row` only if no active key exists, serialized across instances by a database lock, so
     * that instances starting together against an empty table create one key, not one each.
     * Returns whether it inserted. Must be called outside a transaction (it takes its own connection).
     */
    async insertIfNoneActive(row: SigningKeyRow): Promise<boolean> {
      if (exec.isTransaction) throw new Error('signingKeys.insertIfNoneActive needs its own connection; call it outside a transaction');
      return (exec as Kysely<DB>).connection().execute((conn) =>
        withKeyLock(conn, dialect, async () => {
          const existing = await conn.selectFrom('signing_keys').select('id').where('retiredAt', 'is', null).limit(1).executeTakeFirst();
          if (existing) return false;
          await insertRow(conn, row);
          return true;
        }),
      );
    },

    async updateEncrypted(id: string, privateKeyEnc: string): Promise<boolean> {
      const result = await exec.updateTable('signing_keys').set({ privateKeyEnc }).where('id', '=', id).executeTakeFirst();
      return affected(result) > 0;
    },

    async retire(id: string, at: Date): Promise<boolean> {
      const result = await exec
        .updateTable('signing_keys')
        .set({ retiredAt: at })
        .where('id', '=', id)
        .where('retiredAt', 'is', null)
        .executeTakeFirst();
      return affected(result) > 0;
    },
  };
}

/** Runs fn holding an exclusive lock on the key table's bootstrap, on one connection. */
async function withKeyLock<T>(conn: Kysely<DB>, dialect: DialectName, fn: () => Promise<T>): Promise<T> {
  if (dialect === 'sqlite') {
    await beginImmediate(conn);
    try {
      const result = await fn();
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  }
  if (dialect === 'postgres') {
    // Advisory locks are per database, so parallel test databases do not contend.
    await sql`select pg_advisory_lock(hashtext('xtown-authenticator:signing_keys'))`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext('xtown-authenticator:signing_keys'))`.execute(conn);
    }
  }
  // MySQL named locks are server-wide: qualify the name with the database.
  const got = await sql<{ acquired: number | null }>`select get_lock(concat(database(), '.xtown_signing_keys'), 30) as acquired`.execute(
    conn,
  );
  if (Number(got.rows[0]?.acquired) !== 1) throw new Error('Timed out waiting for the signing-key lock');
  try {
    return await fn();
  } finally {
    await sql`select release_lock(concat(database(), '.xtown_signing_keys'))`.execute(conn);
  }
}

/**
 * BEGIN IMMEDIATE takes SQLite's write lock up front. better-sqlite3 waits for a busy lock by blocking
 * the thread, which deadlocks two connections of one process; so wait here, asynchronously, instead.
 */
async function beginImmediate(conn: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn);
  const timeout = Number(rows[0]?.timeout ?? 5000);
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    const deadline = Date.now() + Math.max(timeout, 5000);
    for (;;) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${timeout}`).execute(conn);
  }
}
