import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { outboxRepository } from '../../src/db/repositories/outbox.js';
import { toDate, toDateOrNull } from '../../src/db/values.js';
import { createOutboxWorker } from '../../src/services/outbox/worker.js';
import { createCapturingMailer } from '../helpers/mailer.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';
import { capturingLogger, openOutboxFixture, otpData, secrets, type OutboxFixture } from './fixture.js';

const rowOf = (f: OutboxFixture, id: number) =>
  f.database.db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const allRows = (f: OutboxFixture) => f.database.db.selectFrom('email_outbox').selectAll().orderBy('id').execute();

describe(`email outbox on ${TEST_DIALECT}`, () => {
  let f: OutboxFixture;
  beforeAll(async () => {
    f = await openOutboxFixture();
  });
  afterAll(async () => f?.drop());
  beforeEach(async () => {
    await f.database.db.deleteFrom('email_outbox').execute();
  });

  it('stores the payload encrypted, and only when the transaction commits', async () => {
    await f.store.transaction((tx) => f.queue.enqueue(tx, 'REGISTRATION_OTP', 'alice@example.test', otpData('482913')));
    await f.store
      .transaction(async (tx) => {
        await f.queue.enqueue(tx, 'REGISTRATION_OTP', 'rolled@example.test', otpData('111111'));
        throw new Error('roll back');
      })
      .catch(() => undefined);

    const rows = await allRows(f);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ kind: 'REGISTRATION_OTP', status: 'PENDING', attempts: 0, lockedUntil: null, sentAt: null });
    expect(toDate(row.nextAttemptAt).toISOString()).toBe(f.clock.now().toISOString());
    const stored = row.payloadEnc!;
    for (const secret of ['482913', 'alice@example.test', 'alice', 'registration code']) expect(stored.toLowerCase()).not.toContain(secret);
    // Base64 of the plain JSON would also leak: the ciphertext must not decode to it either.
    expect(Buffer.from(stored.split('.').at(-1)!, 'base64url').toString('latin1')).not.toContain('482913');
    expect(JSON.parse(secrets.decrypt(stored))).toMatchObject({
      to: 'alice@example.test',
      subject: 'Your Xtown Authenticator registration code',
    });
    expect(await f.store.repos.outbox.pendingCount()).toBe(1);
  });

  it('wipes the payload once delivered and marks the row SENT', async () => {
    const mailer = createCapturingMailer();
    const worker = createOutboxWorker({ store: f.store, mailer, secrets, clock: f.clock, logger: capturingLogger().logger });
    await f.store.transaction((tx) => f.queue.enqueue(tx, 'FORGOT_PASSWORD_OTP', 'bob@example.test', otpData('550021', 'Bob')));
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, abandoned: 0 });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'bob@example.test' });
    expect(mailer.sent[0]!.text).toContain('550021');
    const [row] = await allRows(f);
    expect(row).toMatchObject({ status: 'SENT', payloadEnc: null, attempts: 1, lockedUntil: null });
    expect(toDateOrNull(row!.sentAt)?.toISOString()).toBe(f.clock.now().toISOString());
    expect(await f.store.repos.outbox.pendingCount()).toBe(0);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, abandoned: 0 });
  });

  it('claims only due, unlocked rows, and a claimed row stays locked until lockUntil', async () => {
    const repo = f.store.repos.outbox;
    const now = f.clock.now();
    const later = new Date(now.getTime() + 60_000);
    const due = await repo.insert({ kind: 'WELCOME', payloadEnc: 'x', nextAttemptAt: now, createdAt: now });
    await repo.insert({ kind: 'WELCOME', payloadEnc: 'y', nextAttemptAt: later, createdAt: now });

    const claimed = await repo.claimDue(now, 10, later);
    expect(claimed).toEqual([{ id: due, kind: 'WELCOME', payloadEnc: 'x', attempts: 1 }]);
    expect(await repo.claimDue(now, 10, later)).toEqual([]);
    expect(toDateOrNull((await rowOf(f, due)).lockedUntil)?.toISOString()).toBe(later.toISOString());
    // Once the lock has run out (a worker died mid-send), the row is claimable again.
    expect((await repo.claimDue(later, 10, new Date(later.getTime() + 60_000))).map((r) => [r.id, r.attempts])).toContainEqual([due, 2]);
  });

  it('keeps lastError short and records retries and abandonment', async () => {
    const repo = f.store.repos.outbox;
    const now = f.clock.now();
    const id = await repo.insert({ kind: 'WELCOME', payloadEnc: 'secret', nextAttemptAt: now, createdAt: now });
    const retryAt = new Date(now.getTime() + 5000);
    await repo.markRetry(id, retryAt, 'é'.repeat(800));
    let row = await rowOf(f, id);
    expect(row.lastError).toBe('é'.repeat(500));
    expect(toDate(row.nextAttemptAt).toISOString()).toBe(retryAt.toISOString());
    await repo.markAbandoned(id, 'gave up');
    row = await rowOf(f, id);
    expect(row).toMatchObject({ status: 'ABANDONED', payloadEnc: null, lastError: 'gave up' });
    // A finished row is never claimed again.
    expect(await repo.claimDue(new Date(now.getTime() + 86_400_000), 10, new Date(now.getTime() + 86_460_000))).toEqual([]);
  });

  it('deletes finished rows older than the cut-off, in batches, and never pending ones', async () => {
    const repo = f.store.repos.outbox;
    const old = new Date('2026-01-01T00:00:00.000Z');
    const recent = new Date('2026-02-28T00:00:00.000Z');
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push(await repo.insert({ kind: 'WELCOME', payloadEnc: 'p', nextAttemptAt: old, createdAt: old }));
    await repo.markSent(ids[0]!, old);
    await repo.markSent(ids[1]!, old);
    const abandoned = await repo.insert({ kind: 'WELCOME', payloadEnc: 'p', nextAttemptAt: old, createdAt: old });
    await repo.markAbandoned(abandoned, 'x');
    const fresh = await repo.insert({ kind: 'WELCOME', payloadEnc: 'p', nextAttemptAt: recent, createdAt: recent });
    await repo.markSent(fresh, recent);

    const cutoff = new Date('2026-02-01T00:00:00.000Z');
    expect(await repo.deleteSentBefore(cutoff, 2)).toBe(2);
    expect(await repo.deleteSentBefore(cutoff, 2)).toBe(1);
    expect(await repo.deleteSentBefore(cutoff, 2)).toBe(0);
    expect((await allRows(f)).map((r) => r.id).sort()).toEqual([ids[2]!, fresh].sort());
  });
});

describe(`two outbox repositories on one ${TEST_DIALECT} database`, () => {
  let testDb: TestDatabase;
  let first: Database;
  let second: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    first = await createDb(testDb.url);
    await migrateToLatest(first);
    second = await createDb(testDb.url);
  });
  afterAll(async () => {
    await first?.destroy();
    await second?.destroy();
    await testDb?.drop();
  });

  it('never claim the same row twice when they race', async () => {
    const now = new Date('2026-03-01T10:00:00.000Z');
    const a = outboxRepository({ exec: first.db, dialect: first.dialect });
    const b = outboxRepository({ exec: second.db, dialect: second.dialect });
    for (let i = 0; i < 20; i += 1) await a.insert({ kind: 'WELCOME', payloadEnc: `p${i}`, nextAttemptAt: now, createdAt: now });
    const lock = new Date(now.getTime() + 60_000);
    const claims = await Promise.all([
      a.claimDue(now, 20, lock),
      b.claimDue(now, 20, lock),
      a.claimDue(now, 5, lock),
      b.claimDue(now, 5, lock),
    ]);
    const ids = claims.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
  });
});
