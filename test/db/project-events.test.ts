import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import type { ProjectEventInput } from '../../src/domain/events.js';
import { createTestDatabase, REPOSITORY_DIALECTS } from '../helpers/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { until } from '../helpers/until.js';

const AT = new Date('2026-04-01T10:00:00.000Z');
const event = (projectId: number): ProjectEventInput => ({
  projectId,
  type: 'project.revoked',
  userId: null,
  sessionId: null,
  gen: projectId,
  reason: 'DEACTIVATED',
});

/**
 * API.md: "no reader following ids ever skips an event, even when the transactions that wrote them commit out
 * of order". Two writers as two instances would be (own connections; on SQLite one file, which has one writer),
 * a third connection reading as the events hub does, on every dialect.
 */
describe.each(REPOSITORY_DIALECTS)('project event ids on %s', (dialect) => {
  const databases: Database[] = [];
  let drop: () => Promise<void>;
  let first: DataStore;
  let second: DataStore;
  let reader: DataStore;
  beforeAll(async () => {
    const testDb = await createTestDatabase(dialect);
    const open = async () => {
      const database = await createDb(testDb.url);
      databases.push(database);
      return database;
    };
    await migrateToLatest(await open());
    first = createDataStore(databases[0]!);
    // SQLite's second writer is the first one's connection: one writer, and better-sqlite3 would block the loop.
    second = dialect === 'sqlite' ? first : createDataStore(await open());
    reader = createDataStore(await open());
    drop = async () => {
      for (const database of databases) await database.destroy();
      await testDb.drop();
    };
  });
  afterAll(async () => drop());

  /** True once a transaction is waiting for a row lock (the second writer on the counter). */
  async function someoneWaits(): Promise<boolean> {
    if (dialect === 'postgres') {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(databases.at(-1)!.db);
      return rows[0]!.n > 0;
    }
    // MariaDB's innodb_trx does not always list the waiter; its statement in the process list does.
    const { rows } = await sql<{ n: number }>`select count(*) as n from information_schema.processlist
      where db = database() and info like 'update \`project_event_counters\`%'`.execute(databases.at(-1)!.db);
    return Number(rows[0]!.n) > 0;
  }

  it('a writer holding its id keeps a later writer from committing: a reader never sees the later id alone', async () => {
    const base = await reader.repos.projectEvents.latestId();
    const snapshots: number[][] = [];
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        snapshots.push((await reader.repos.projectEvents.after(base, 100)).map((row) => row.id - base));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let tookId!: () => void;
    const idTaken = new Promise<void>((resolve) => (tookId = resolve));
    const one = first.transaction(async (tx) => {
      await tx.projectEvents.record([event(1)], AT);
      await tx.projectEvents.flush(); // its id is taken: the counter row is held until the commit
      tookId();
      await held;
    });
    await idTaken;
    let twoDone = false;
    const two = second.transaction((tx) => tx.projectEvents.record([event(2)], AT)).then(() => (twoDone = true));
    if (dialect === 'sqlite') await until('the reader to look a while', () => snapshots.length >= 20);
    else await until('the second writer to wait for the counter', someoneWaits);
    const before = snapshots.length;
    await until('the reader to look again', () => snapshots.length >= before + 5);

    expect(twoDone).toBe(false);
    expect(snapshots.every((ids) => ids.length === 0)).toBe(true);
    release();
    await Promise.all([one, two]);
    await until('both events', () => snapshots.at(-1)?.length === 2);
    reading = false;
    await readLoop;

    // Every read was a prefix of the ids in order: never 2 without 1.
    for (const ids of snapshots) expect(ids).toEqual(ids.map((_, i) => i + 1));
    const rows = await reader.repos.projectEvents.after(base, 100);
    expect(rows.map((row) => [row.id - base, row.projectId])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('a rolled-back writer leaves no gap: the ids stay dense', async () => {
    const base = await reader.repos.projectEvents.latestId();
    await expect(
      first.transaction(async (tx) => {
        await tx.projectEvents.record([event(3), event(4)], AT);
        await tx.projectEvents.flush();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await second.transaction((tx) => tx.projectEvents.record([event(5), event(6)], AT));
    await first.repos.projectEvents.keysRotated(AT);
    const rows = await reader.repos.projectEvents.after(base, 100);
    expect(rows.map((row) => [row.id - base, row.projectId])).toEqual([
      [1, 5],
      [2, 6],
      [3, null],
    ]);
    expect(await reader.repos.projectEvents.latestId()).toBe(base + 3);
  });
});
