import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import { toDate } from '../../src/db/values.js';
import { CLEANUP_JOB, createCleanupJob, type CleanupOptions } from '../../src/jobs/cleanup.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';
import { until } from '../helpers/until.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ACCESS_TTL_SEC = 3600;
const INTERVAL_MS = HOUR;
const silent = pino({ level: 'silent' });

describe(`the cleanup job on ${TEST_DIALECT}`, () => {
  let testDb: TestDatabase;
  let database: Database;
  let store: DataStore;
  let clock: ReturnType<typeof fixedClock>;
  const extra: Database[] = [];
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs);
  const db = () => database.db;

  const job = (batchSize = 1000, over: { store?: DataStore; holder?: string; options?: CleanupOptions } = {}) =>
    createCleanupJob({
      store: over.store ?? store,
      clock,
      logger: silent,
      config: { cleanup: { intervalMs: INTERVAL_MS, batchSize }, accessTokenTtlSec: ACCESS_TTL_SEC },
      holder: over.holder,
      options: over.options,
    });

  beforeEach(async () => {
    testDb = await createTestDatabase();
    database = await createDb(testDb.url);
    await migrateToLatest(database);
    store = createDataStore(database);
    clock = fixedClock('2026-03-01T12:00:00.000Z');
  });
  afterEach(async () => {
    for (const other of extra.splice(0)) await other.destroy();
    await database.destroy();
    await testDb.drop();
  });

  async function seedUserAndProject() {
    const now = clock.now();
    const user = {
      name: 'U',
      password: null,
      role: 'ADMIN' as const,
      customRole: null,
      suspensionReason: null,
      suspendedBy: null,
      unsuspendedBy: null,
      companyName: null,
      companyAddress: null,
      companyPhone: null,
      isActive: true,
      isSuspended: false,
      subUserLimit: 5,
      createdById: null,
      createdAt: now,
      updatedAt: now,
      superAdminSlot: null,
    };
    await db()
      .insertInto('users')
      .values({ ...user, email: 'u@x.test' })
      .execute();
    const userId = (await db().selectFrom('users').select('id').where('email', '=', 'u@x.test').executeTakeFirstOrThrow()).id;
    await db()
      .insertInto('projects')
      .values({
        customProjectId: 'p1',
        name: 'P',
        icon: null,
        description: null,
        projectUrl: 'https://p.test',
        isActive: true,
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
        clientSecretHash: null,
      })
      .execute();
    const projectId = (await db().selectFrom('projects').select('id').executeTakeFirstOrThrow()).id;
    return { userId, projectId };
  }

  async function session(
    id: string,
    userId: number,
    expiresInMs: number,
    opts: { revoked?: boolean; tokens?: Array<'live' | 'rotated' | 'revoked'> } = {},
  ) {
    const now = clock.now();
    await db()
      .insertInto('sessions')
      .values({
        id,
        userId,
        createdAt: at(-8 * DAY),
        expiresAt: at(expiresInMs),
        revokedAt: opts.revoked ? now : null,
        revokedReason: opts.revoked ? 'LOGOUT' : null,
      })
      .execute();
    let n = 0;
    for (const kind of opts.tokens ?? ['live']) {
      n += 1;
      await db()
        .insertInto('refresh_tokens')
        .values({
          id: `${id}-t${n}`,
          token: `hash-${id}-${n}`,
          userId,
          sessionId: id,
          expiresAt: at(expiresInMs),
          isRevoked: kind === 'revoked' || Boolean(opts.revoked),
          createdAt: now,
          rotatedAt: kind === 'rotated' ? now : null,
        })
        .execute();
    }
  }

  const code = (hash: string, userId: number, projectId: number, sessionId: string, expiresInMs: number, used = false) =>
    db()
      .insertInto('project_codes')
      .values({
        codeHash: hash,
        userId,
        projectId,
        sessionId,
        expiresAt: at(expiresInMs),
        usedAt: used ? at(-MIN) : null,
        createdAt: at(-2 * MIN),
      })
      .execute();

  const otp = (email: string, expiresInMs: number, isUsed = false) =>
    db()
      .insertInto('otp_requests')
      .values({
        email,
        otp: `h-${email}`,
        purpose: 'FORGOT_PASSWORD',
        expiresAt: at(expiresInMs),
        isUsed,
        createdAt: at(expiresInMs - 10 * MIN),
        attempts: 1,
        usedAt: null,
      })
      .execute();

  const email = (kind: string, status: 'PENDING' | 'SENT' | 'ABANDONED', ageMs: number) =>
    db()
      .insertInto('email_outbox')
      .values({
        kind,
        payloadEnc: status === 'PENDING' ? 'enc' : null,
        status,
        attempts: 1,
        nextAttemptAt: at(-ageMs),
        lockedUntil: null,
        lastError: null,
        createdAt: at(-ageMs),
        sentAt: status === 'SENT' ? at(-ageMs) : null,
      })
      .execute();

  const ids = async (table: 'sessions' | 'refresh_tokens') => (await db().selectFrom(table).select('id').execute()).map((r) => r.id).sort();

  it('deletes exactly what can never be used again, and keeps everything else', async () => {
    const { userId, projectId } = await seedUserAndProject();
    // Past expiry by more than the access-token lifetime: the session goes with all its tokens and codes.
    await session('s-old', userId, -2 * HOUR, { tokens: ['rotated', 'revoked', 'live'] });
    await code('c-of-old-session', userId, projectId, 's-old', 30 * 1000);
    // Expired, but an access token minted just before its end may still be valid: kept for now.
    await session('s-just-expired', userId, -30 * MIN, { tokens: ['rotated', 'live'] });
    // Revoked but not expired: its rotated and revoked tokens stay so that their reuse is still detected.
    await session('s-revoked', userId, DAY, { revoked: true, tokens: ['rotated', 'revoked'] });
    await session('s-live', userId, DAY, { tokens: ['rotated', 'rotated', 'live'] });
    await code('c-used', userId, projectId, 's-live', 30 * 1000, true);
    await code('c-expired', userId, projectId, 's-live', -1000);
    await code('c-live', userId, projectId, 's-live', 30 * 1000);

    await otp('expired-25h@x.test', -25 * HOUR);
    await otp('used-30h@x.test', -30 * HOUR, true);
    // Expired less than 24 h ago: the daily cap on wrong guesses still counts it.
    await otp('expired-23h@x.test', -23 * HOUR);
    await otp('live@x.test', 5 * MIN);
    await db()
      .insertInto('otp_lockouts')
      .values({ email: 'over@x.test', purpose: 'FORGOT_PASSWORD', lockedUntil: at(-MIN), createdAt: at(-DAY) })
      .execute();
    await db()
      .insertInto('otp_lockouts')
      .values({ email: 'locked@x.test', purpose: 'FORGOT_PASSWORD', lockedUntil: at(10 * MIN), createdAt: at(-HOUR) })
      .execute();

    await email('SENT_8D', 'SENT', 8 * DAY);
    await email('SENT_6D', 'SENT', 6 * DAY);
    await email('ABANDONED_8D', 'ABANDONED', 8 * DAY);
    await email('ABANDONED_1D', 'ABANDONED', DAY);
    // Never delivered: an old PENDING row is still owed to someone.
    await email('PENDING_30D', 'PENDING', 30 * DAY);

    const run = await job().runOnce();
    expect(run.ran).toBe(true);
    expect(run.deleted).toEqual({
      sessions: 1,
      refreshTokens: 3,
      sessionProjectCodes: 1,
      otps: 2,
      otpLockouts: 1,
      projectCodes: 2,
      emails: 2,
      projectEvents: 0,
    });

    expect(await ids('sessions')).toEqual(['s-just-expired', 's-live', 's-revoked']);
    expect(await ids('refresh_tokens')).toEqual([
      's-just-expired-t1',
      's-just-expired-t2',
      's-live-t1',
      's-live-t2',
      's-live-t3',
      's-revoked-t1',
      's-revoked-t2',
    ]);
    expect((await db().selectFrom('project_codes').select('codeHash').execute()).map((r) => r.codeHash)).toEqual(['c-live']);
    expect((await db().selectFrom('otp_requests').select('email').orderBy('email').execute()).map((r) => r.email)).toEqual([
      'expired-23h@x.test',
      'live@x.test',
    ]);
    expect((await db().selectFrom('otp_lockouts').select('email').execute()).map((r) => r.email)).toEqual(['locked@x.test']);
    expect((await db().selectFrom('email_outbox').select('kind').orderBy('kind').execute()).map((r) => r.kind)).toEqual([
      'ABANDONED_1D',
      'PENDING_30D',
      'SENT_6D',
    ]);
    // The users and projects the rows pointed at are untouched.
    expect(await db().selectFrom('users').select('id').execute()).toHaveLength(1);
    expect(await db().selectFrom('projects').select('id').execute()).toHaveLength(1);

    // A day later the rest of what expired has gone too, and what is live still is not.
    clock.advance(DAY + 1000);
    const later = await job().runOnce();
    expect(later.deleted).toMatchObject({ sessions: 1, refreshTokens: 2, otps: 1 });
    expect(await ids('sessions')).toEqual(['s-live', 's-revoked']);
  });

  it('works off a backlog in batches of TOKEN_CLEANUP_BATCH_SIZE', async () => {
    const { userId, projectId } = await seedUserAndProject();
    for (let i = 0; i < 8; i += 1) await session(`s-${i}`, userId, -2 * HOUR, { tokens: ['rotated', 'live'] });
    await session('s-live', userId, DAY);
    for (let i = 0; i < 7; i += 1) await otp(`o${i}@x.test`, -25 * HOUR);
    for (let i = 0; i < 5; i += 1) await code(`c-${i}`, userId, projectId, 's-live', -1000);
    for (let i = 0; i < 4; i += 1) await email(`E${i}`, 'SENT', 8 * DAY);

    // Each repository call takes at most one batch.
    expect(await store.repos.cleanup.expiredSessionIds(at(-HOUR), 3)).toHaveLength(3);
    expect(await store.repos.cleanup.deleteSpentProjectCodes(clock.now(), 3)).toBe(3);
    await code('c-5', userId, projectId, 's-live', -1000);
    await code('c-6', userId, projectId, 's-live', -1000);

    const limits: number[] = [];
    const cleanup = job(3);
    cleanup.addTask({ name: 'probe', run: async (_now, limit) => (limits.push(limit), 0) });
    const run = await cleanup.runOnce();
    expect(run.deleted).toMatchObject({ sessions: 8, refreshTokens: 16, otps: 7, projectCodes: 4, emails: 4, probe: 0 });
    expect(limits).toEqual([3]);
    // sessions 3+3+2, otps 3+3+1, lockouts 0, codes 3+1, emails 3+1, probe 0: a batch short of 3 ends each task.
    expect(run.batches).toBe(3 + 3 + 1 + 2 + 2 + 1 + 1);
    expect(await ids('sessions')).toEqual(['s-live']);
  });

  it('runs once per interval however many instances race for it (the lease)', async () => {
    // Every instance has its own connection pool, as separate processes would.
    const stores = [store];
    for (let i = 0; i < 3; i += 1) {
      const other = await createDb(testDb.url);
      extra.push(other);
      stores.push(createDataStore(other));
    }
    const jobs = stores.map((s, i) => job(1000, { store: s, holder: `instance-${i}` }));
    const winners: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const runs = await Promise.all(jobs.map((j) => j.runOnce()));
      const ran = runs.filter((r) => r.ran);
      expect(ran, `round ${round}`).toHaveLength(1);
      winners.push(ran[0]!.holder);
      const lease = await store.repos.jobLeases.find(CLEANUP_JOB);
      expect(lease?.holder).toBe(ran[0]!.holder);
      expect(toDate(lease!.leasedUntil).getTime()).toBeGreaterThan(clock.now().getTime());

      // Later in the same interval nobody runs it again, not even the holder.
      clock.advance(INTERVAL_MS / 2);
      expect((await Promise.all(jobs.map((j) => j.runOnce()))).filter((r) => r.ran)).toHaveLength(0);
      clock.advance(INTERVAL_MS / 2);
    }
    expect(winners).toHaveLength(6);
  });

  it('start() runs it on schedule and stop() ends it', async () => {
    const cleanup = job(1000, { options: { firstRunDelayMs: 10 } });
    cleanup.start();
    await until('the first scheduled run to take the lease', () => store.repos.jobLeases.find(CLEANUP_JOB), 5000);
    await cleanup.stop();
    expect((await store.repos.jobLeases.find(CLEANUP_JOB))?.holder).toBe(cleanup.holder);
  });
});
