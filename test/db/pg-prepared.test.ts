import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';

const prepared = async (db: Database) =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(db.db)).rows.map(
    (r) => r.statement,
  );

describe.skipIf(TEST_DIALECT !== 'postgres')('prepared statements on PostgreSQL (needs TEST_DB=postgres)', () => {
  let testDb: TestDatabase;
  // One connection, so that pg_prepared_statements shows what this connection has prepared.
  let db: Database;
  let other: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    db = await createDb(testDb.url, { poolSize: 1 });
    other = await createDb(testDb.url, { poolSize: 1 });
    await sql`create table t (a int)`.execute(db.db);
    await sql`insert into t values (1), (2)`.execute(db.db);
  });
  afterAll(async () => {
    await db?.destroy();
    await other?.destroy();
    await testDb?.drop();
  });

  it('parses a parameterized text once per connection and runs it by name afterwards', async () => {
    for (const a of [1, 2, 1]) {
      const rows = await db.db
        .selectFrom('t' as never)
        .selectAll()
        .where('a' as never, '=', a as never)
        .execute();
      expect(rows).toEqual([{ a }]);
    }
    const texts = await prepared(db);
    expect(texts.filter((text) => text.startsWith('select * from "t" where "a" = $1'))).toHaveLength(1);
    // Parameterless texts (BEGIN, COMMIT, several statements at once) stay on the simple protocol.
    expect(texts.some((text) => /^(begin|commit|select statement)/i.test(text))).toBe(false);
    await sql`update t set a = a; update t set a = a`.execute(db.db);
  });

  it('names at most 500 texts per connection and runs the others unnamed', async () => {
    const own = await createDb(testDb.url, { poolSize: 1 });
    try {
      for (let i = 0; i < 520; i += 1)
        expect((await sql<{ n: number }>`select ${i}::int + ${sql.lit(i)} as n`.execute(own.db)).rows).toEqual([{ n: 2 * i }]);
      expect((await prepared(own)).length).toBe(500);
    } finally {
      await own.destroy();
    }
  });

  it('survives another instance changing the columns under a prepared select * (a rolling migration)', async () => {
    const select = () => sql<Record<string, unknown>>`select * from t where a = ${1}`.execute(db.db);
    expect((await select()).rows).toEqual([{ a: 1 }]);
    await sql`alter table t add column b int default 7`.execute(other.db);
    // Outside a transaction, the stale plan's failure is not the caller's: the same text runs again, unnamed.
    expect((await select()).rows).toEqual([{ a: 1, b: 7 }]);
    expect((await select()).rows).toEqual([{ a: 1, b: 7 }]);

    const inTransaction = () =>
      db.db.transaction().execute((tx) => sql<Record<string, unknown>>`select * from t where a >= ${2}`.execute(tx));
    expect((await inTransaction()).rows).toEqual([{ a: 2, b: 7 }]);
    await sql`alter table t add column c int default 8`.execute(other.db);
    // Inside one, the transaction is already aborted: the error reaches the caller (whose retry starts anew) once.
    await expect(inTransaction()).rejects.toMatchObject({ code: '0A000' });
    expect((await inTransaction()).rows).toEqual([{ a: 2, b: 7, c: 8 }]);
  });
});
