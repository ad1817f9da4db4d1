import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../client.js';
import type { DB, SigningKeysTable } from '../schema.js';
import { toDate, toDateOrNull } from '../values.js';
import { affected, type Executor, type RepoContext } from './executor.js';
import type { SigningKeyRow, SigningKeyStore } from '../../domain/keys.js';

export type { SigningKeyRow };

type RawRow = {
  [K in keyof SigningKeysTable]: K extends 'createdAt' | 'signFrom'
    ? Date | string
    : K extends 'retiredAt' | 'unpublishAt'
      ? Date | string | null
      : SigningKeysTable[K];
};

const toRow = (raw: RawRow): SigningKeyRow => ({
  id: raw.id,
  algorithm: raw.algorithm,
  publicJwk: raw.publicJwk,
  privateKeyEnc: raw.privateKeyEnc,
  createdAt: toDate(raw.createdAt),
  signFrom: toDate(raw.signFrom),
  retiredAt: toDateOrNull(raw.retiredAt),
  unpublishAt: toDateOrNull(raw.unpublishAt),
});

/** Oldest first (createdAt, then id), ordered here so every dialect and collation agrees. */
const byAge = (a: SigningKeyRow, b: SigningKeyRow) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const published = (on: Executor, at: Date) =>
  on
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('unpublishAt', 'is', null), eb('unpublishAt', '>', at)]))
    .execute()
    .then((rows) => rows.map(toRow).sort(byAge));

export function signingKeysRepository({ exec, dialect }: RepoContext): SigningKeyStore {
  return {
    listPublished: (at) => published(exec, at),

    /**
     * Serialized across instances by a database lock, so that instances starting together against an empty
     * table create one key, and two rotations at once make one new key. Must be called outside a transaction
     * (it takes its own connection).
     */
    async rotate(at, plan) {
      if (exec.isTransaction) throw new Error('signingKeys.rotate needs its own connection; call it outside a transaction');
      return (exec as Kysely<DB>).connection().execute((conn) =>
        withKeyLock(conn, dialect, async () => {
          const decided = plan(await published(conn, at));
          if (!decided) return false;
          const { key } = decided;
          await conn
            .insertInto('signing_keys')
            .values({
              id: key.id,
              algorithm: key.algorithm,
              publicJwk: key.publicJwk,
              privateKeyEnc: key.privateKeyEnc,
              createdAt: key.createdAt,
              signFrom: key.signFrom,
              retiredAt: key.retiredAt,
              unpublishAt: key.unpublishAt,
            })
            .execute();
          for (const retire of decided.retire) {
            await conn
              .updateTable('signing_keys')
              .set({ retiredAt: retire.retiredAt, unpublishAt: retire.unpublishAt })
              .where('id', '=', retire.id)
              .execute();
          }
          return true;
        }),
      );
    },

    async updateEncrypted(id, privateKeyEnc) {
      const result = await exec.updateTable('signing_keys').set({ privateKeyEnc }).where('id', '=', id).executeTakeFirst();
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
