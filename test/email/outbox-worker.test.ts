import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDataStore } from '../../src/db/repositories/index.js';
import { toDate } from '../../src/db/values.js';
import { createSmtpMailer } from '../../src/email/mailer.js';
import { createOutboxWorker, retryDelayMs } from '../../src/services/outbox/worker.js';
import { createEmailQueue } from '../../src/services/outbox/queue.js';
import type { OutgoingEmail } from '../../src/email/types.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';
import { createCapturingMailer, freePort, startSmtpPeer, type SmtpPeer } from '../helpers/mailer.js';
import { watchOutboxPolls } from '../helpers/outbox-polls.js';
import { until } from '../helpers/until.js';
import { capturingLogger, openOutboxFixture, otpData, secrets, type OutboxFixture } from './fixture.js';

const smtpTo = (port: number) =>
  createSmtpMailer({ host: '127.0.0.1', port, secure: false, from: 'Xtown Authenticator <no-reply@xtown.test>' });
const onlyRow = async (f: OutboxFixture) => {
  const rows = await f.database.db.selectFrom('email_outbox').selectAll().execute();
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe(`outbox worker on ${TEST_DIALECT}`, () => {
  let f: OutboxFixture;
  const peers: SmtpPeer[] = [];
  beforeAll(async () => {
    f = await openOutboxFixture();
  });
  afterAll(async () => f?.drop());
  beforeEach(async () => {
    await f.database.db.deleteFrom('email_outbox').execute();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.stop()));
  });

  it('retries while the SMTP server is down, then delivers exactly once', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    const worker = createOutboxWorker({ store: f.store, mailer: smtpTo(port), secrets, clock: f.clock, logger });
    await f.store.transaction((tx) => f.queue.enqueue(tx, 'REGISTRATION_OTP', 'alice@example.test', otpData('604172')));

    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, abandoned: 0 });
    const failed = await onlyRow(f);
    expect(failed).toMatchObject({ status: 'PENDING', attempts: 1, lockedUntil: null });
    expect(failed.payloadEnc).not.toBeNull();
    expect(failed.lastError).toMatch(/ECONNREFUSED/);
    const retryAt = toDate(failed.nextAttemptAt);
    expect(retryAt.getTime()).toBeGreaterThan(f.clock.now().getTime());
    expect(lines.join('')).toContain(`"outboxId":${failed.id}`);
    expect(lines.join('')).toContain('REGISTRATION_OTP');
    expect(lines.join('')).not.toMatch(/alice|604172|registration code/i);

    const peer = await startSmtpPeer({ port });
    peers.push(peer);
    // Not due yet: nothing is sent even though the server is back.
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, abandoned: 0 });
    f.clock.set(new Date(retryAt.getTime() + 1));
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0, abandoned: 0 });
    expect(peer.messages).toHaveLength(1);
    expect(peer.messages[0]).toMatchObject({ to: 'alice@example.test', subject: 'Your Xtown Authenticator registration code' });
    expect(peer.messages[0]!.text).toContain('604172');
    expect(peer.messages[0]!.html).toContain('604172');
    expect(await onlyRow(f)).toMatchObject({ status: 'SENT', payloadEnc: null, attempts: 2 });

    f.clock.advance(3_600_000);
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, abandoned: 0 });
    expect(peer.messages).toHaveLength(1);
  });

  it('abandons after maxAttempts failures and wipes the payload', async () => {
    const mailer = createCapturingMailer();
    mailer.failNext(100);
    const { logger, lines } = capturingLogger();
    const worker = createOutboxWorker({
      store: f.store,
      mailer,
      secrets,
      clock: f.clock,
      logger,
      options: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
    });
    await f.store.transaction((tx) => f.queue.enqueue(tx, 'FORGOT_PASSWORD_OTP', 'carol@example.test', otpData('777001', 'Carol')));

    const results = [];
    for (let i = 0; i < 3; i += 1) {
      results.push(await worker.runOnce());
      f.clock.advance(10_000);
    }
    expect(results).toEqual([
      { sent: 0, failed: 1, abandoned: 0 },
      { sent: 0, failed: 1, abandoned: 0 },
      { sent: 0, failed: 0, abandoned: 1 },
    ]);
    expect(await onlyRow(f)).toMatchObject({
      status: 'ABANDONED',
      payloadEnc: null,
      attempts: 3,
      lastError: 'capturing mailer: simulated failure',
    });
    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 0, abandoned: 0 });
    expect(lines.join('')).toContain('email abandoned');
    expect(mailer.sent).toHaveLength(0);
  });

  it('keeps the address out of lastError and the logs when the server rejects the recipient', async () => {
    const peer = await startSmtpPeer({ rejectRecipient: (address) => address.startsWith('ghost') });
    peers.push(peer);
    const { logger, lines } = capturingLogger();
    const worker = createOutboxWorker({ store: f.store, mailer: smtpTo(peer.port), secrets, clock: f.clock, logger });
    await f.store.transaction((tx) => f.queue.enqueue(tx, 'WELCOME', 'ghost.user@example.test', { name: 'Ghost' }));

    expect(await worker.runOnce()).toEqual({ sent: 0, failed: 1, abandoned: 0 });
    const row = await onlyRow(f);
    expect(row.lastError).toMatch(/550/);
    expect(row.lastError).not.toContain('ghost');
    expect(lines.join('')).toMatch(/550/);
    expect(lines.join('')).not.toMatch(/ghost|Welcome to/i);
  });

  it('sends in the background after a nudge, and stop() waits for the batch in flight', async () => {
    const mailer = createCapturingMailer();
    const begun: string[] = [];
    const slow: typeof mailer = {
      ...mailer,
      send: async (email: OutgoingEmail) => {
        begun.push(email.to);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await mailer.send(email);
      },
    };
    const queue = createEmailQueue({ secrets, clock: f.clock });
    const worker = createOutboxWorker({
      store: f.store,
      mailer: slow,
      secrets,
      clock: f.clock,
      logger: capturingLogger().logger,
      options: { pollIntervalMs: 60_000 },
    });
    queue.setWaker(worker.nudge);
    const polls = watchOutboxPolls(f.store);
    worker.start();
    try {
      // The first (empty) poll has passed; from now on only a nudge can bring the worker back within the test.
      await polls.idle(1, 'the first poll, with nothing due');
      await f.store.transaction((tx) => queue.enqueue(tx, 'WELCOME', 'dora@example.test', { name: 'Dora' }));
      queue.nudge();
      await mailer.waitFor((email) => email.to === 'dora@example.test', 2000);

      await f.store.transaction((tx) => queue.enqueue(tx, 'WELCOME', 'erin@example.test', { name: 'Erin' }));
      queue.nudge();
      // Stop while Erin's send is in flight (waiting on the send's start, not on a fixed delay, which a loaded CI machine outlasts).
      await until("Erin's send to begin", () => begun.includes('erin@example.test'), 2000, 2);
      expect(mailer.sent.map((e) => e.to)).toEqual(['dora@example.test']);
    } finally {
      await worker.stop();
    }
    // stop() returned only after the send that had started finished and was recorded.
    expect(mailer.sent.map((e) => e.to)).toEqual(['dora@example.test', 'erin@example.test']);
    expect((await f.database.db.selectFrom('email_outbox').select('status').execute()).map((r) => r.status)).toEqual(['SENT', 'SENT']);
  });

  it('stop() lets the email being sent finish but claims no more of the batch (a shutdown is not held by a backlog)', async () => {
    const mailer = createCapturingMailer();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let begun = 0;
    const slow: typeof mailer = {
      ...mailer,
      send: async (email: OutgoingEmail) => {
        begun += 1;
        await gate;
        await mailer.send(email);
      },
    };
    for (const name of ['a', 'b', 'c']) await f.store.transaction((tx) => f.queue.enqueue(tx, 'WELCOME', `${name}@example.test`, { name }));
    const worker = createOutboxWorker({
      store: f.store,
      mailer: slow,
      secrets,
      clock: f.clock,
      logger: capturingLogger().logger,
      options: { pollIntervalMs: 60_000 },
    });
    worker.start();
    await until('the first send to begin', () => begun > 0, 5000, 5);
    const stopped = worker.stop();
    release();
    await stopped;
    expect(mailer.sent.map((e) => e.to)).toEqual(['a@example.test']);
    const rows = await f.database.db.selectFrom('email_outbox').select(['status', 'attempts']).orderBy('id').execute();
    expect(rows.map((r) => [r.status, Number(r.attempts)])).toEqual([
      ['SENT', 1],
      ['PENDING', 0],
      ['PENDING', 0],
    ]);
    // Stopped is not broken: a later run sends the rest.
    expect(await worker.runOnce()).toEqual({ sent: 2, failed: 0, abandoned: 0 });
  });

  it('spaces retries exponentially with jitter, up to the cap', () => {
    expect(retryDelayMs(1, 5000, 3_600_000, () => 0)).toBe(2500);
    expect(retryDelayMs(1, 5000, 3_600_000, () => 1)).toBe(5000);
    expect(retryDelayMs(4, 5000, 3_600_000, () => 1)).toBe(40_000);
    expect(retryDelayMs(30, 5000, 3_600_000, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(30, 5000, 3_600_000, () => 0)).toBe(1_800_000);
  });
});

describe(`two outbox workers on one ${TEST_DIALECT} database`, () => {
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

  it('deliver each of 20 emails exactly once', async () => {
    const clock = fixedClock('2026-03-01T10:00:00.000Z');
    const storeA = createDataStore(first);
    const storeB = createDataStore(second);
    const queue = createEmailQueue({ secrets, clock });
    for (let i = 0; i < 20; i += 1)
      await storeA.transaction((tx) => queue.enqueue(tx, 'REGISTRATION_OTP', `user${i}@example.test`, otpData(String(100000 + i))));

    const peer = await startSmtpPeer();
    try {
      const mailer = smtpTo(peer.port);
      const logger = capturingLogger().logger;
      const workers = [storeA, storeB].map((store) =>
        createOutboxWorker({ store, mailer, secrets, clock, logger, options: { batchSize: 5 } }),
      );
      const drain = async (worker: (typeof workers)[number]) => {
        let sent = 0;
        for (;;) {
          const result = await worker.runOnce();
          sent += result.sent;
          if (result.sent + result.failed + result.abandoned === 0) return sent;
        }
      };
      const sentByWorker = await Promise.all(workers.map(drain));
      expect(sentByWorker.reduce((a, b) => a + b, 0)).toBe(20);
      const recipients = peer.messages.map((m) => m.to).sort();
      expect(recipients).toEqual(Array.from({ length: 20 }, (_, i) => `user${i}@example.test`).sort());
      expect(await storeA.repos.outbox.pendingCount()).toBe(0);
    } finally {
      await peer.stop();
    }
  });
});
