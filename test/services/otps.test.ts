import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/crypto/secrets.js';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import { toBool, toDate } from '../../src/db/values.js';
import type { EmailData, EmailKind } from '../../src/email/types.js';
import type { EmailQueue } from '../../src/services/outbox/queue.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { OtpPurpose } from '../../src/domain/models.js';
import { createAuditLog } from '../../src/services/audit.js';
import { createOtpService, generateOtpCode, type OtpService } from '../../src/services/otps.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';
import { newUserRow } from '../helpers/rows.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const config = { otp: { ttlSec: 600, length: 6, resendCooldownSec: 60, maxPerHour: 3, maxAttempts: 5, maxDailyFailures: 20 } };
const secrets = createSecrets('test-secret-for-otps-0123456789abcdef');

interface Enqueued {
  kind: EmailKind;
  to: string;
  data: EmailData[EmailKind];
}

/** Records what the service enqueues; the real outbox is another module's. */
function fakeEmails() {
  const sent: Enqueued[] = [];
  const queue: EmailQueue = {
    async enqueue(_tx, kind, to, data) {
      sent.push({ kind, to, data });
    },
    nudge() {},
  };
  return { sent, queue };
}

describe(`OTP service on ${TEST_DIALECT}`, () => {
  let database: Database;
  let store: DataStore;
  let drop: () => Promise<void>;
  let counter = 0;
  const nextEmail = () => `user${++counter}@otp.test`;

  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
    store = createDataStore(database);
  });
  afterAll(async () => drop?.());

  /** The lockout notice goes only to addresses that have an account. */
  async function seedOwner(email: string) {
    const now = new Date();
    await store.repos.users.insert(newUserRow({ name: 'Owner', email, createdAt: now }));
  }

  function setup() {
    const clock = fixedClock('2026-03-01T10:00:00.000Z');
    const emails = fakeEmails();
    const audit = createAuditLog({ store, clock, logger: { error: () => {} } });
    const service = createOtpService({ store, secrets, clock, config, emails: emails.queue, audit });
    return { clock, emails, service };
  }

  const issue = (service: OtpService, email: string, purpose: OtpPurpose = 'REGISTRATION') =>
    store.transaction((tx) => service.issue(tx, email, purpose));

  async function use(service: OtpService, email: string, code: string, purpose: OtpPurpose = 'REGISTRATION') {
    const { otpId } = await service.check(email, purpose, code);
    await store.transaction((tx) => service.consume(tx, otpId));
  }

  const wrong = (code: string) => code.slice(0, -1) + ((Number(code.at(-1)) + 1) % 10);
  const expectInvalid = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'INVALID_OTP' });
  const rowsOf = (email: string) => database.db.selectFrom('otp_requests').selectAll().where('email', '=', email).orderBy('id').execute();

  async function failTimes(service: OtpService, email: string, code: string, times: number, purpose: OtpPurpose = 'REGISTRATION') {
    for (let i = 0; i < times; i++) await expectInvalid(service.check(email, purpose, wrong(code)));
  }

  it('generates uniform digits of the asked length, keeping leading zeros', () => {
    const codes = Array.from({ length: 2000 }, () => generateOtpCode(4));
    expect(codes.every((code) => /^\d{4}$/.test(code))).toBe(true);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
    expect(generateOtpCode(10)).toMatch(/^\d{10}$/);
  });

  it('issues OTP_LENGTH digits and stores only a hash, under the normalized email', async () => {
    const { service, clock } = setup();
    const email = nextEmail();
    const { code, expiresAt } = await issue(service, `  ${email.toUpperCase()} `);
    expect(code).toMatch(/^\d{6}$/);
    expect(expiresAt.toISOString()).toBe(new Date(clock.now().getTime() + 600_000).toISOString());
    const [row] = await rowsOf(email);
    expect(row).toBeDefined();
    expect(row!.otp).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.otp).not.toContain(code);
    expect(row!.attempts).toBe(0);
    expect(toBool(row!.isUsed)).toBe(false);
    expect(toDate(row!.expiresAt).toISOString()).toBe(expiresAt.toISOString());
  });

  it('accepts a correct code once: the second consume and a later check fail', async () => {
    const { service } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    const { otpId } = await service.check(email, 'REGISTRATION', code);
    await store.transaction((tx) => service.consume(tx, otpId));
    await expectInvalid(store.transaction((tx) => service.consume(tx, otpId)));
    await expectInvalid(service.check(email, 'REGISTRATION', code));
    const [row] = await rowsOf(email);
    expect(toBool(row!.isUsed)).toBe(true);
    expect(row!.usedAt).not.toBeNull();
  });

  it('leaves the code unused when the consuming transaction rolls back', async () => {
    const { service } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    const { otpId } = await service.check(email, 'REGISTRATION', code);
    const failed = store.transaction(async (tx) => {
      await service.consume(tx, otpId);
      throw new Error('the follow-up change failed');
    });
    await expect(failed).rejects.toThrow('the follow-up change failed');
    await store.transaction((tx) => service.consume(tx, otpId));
  });

  it('binds the code to its email and purpose: the same stored hash does not match elsewhere', async () => {
    const { service } = setup();
    const owner = nextEmail();
    const other = nextEmail();
    const { code } = await issue(service, owner);
    await issue(service, other);
    await issue(service, owner, 'FORGOT_PASSWORD');
    const [ownerRow] = await rowsOf(owner);
    // As if the other code had the same digits: only the email and purpose in the HMAC tell them apart.
    await database.db.updateTable('otp_requests').set({ otp: ownerRow!.otp }).where('email', '=', other).execute();
    await database.db
      .updateTable('otp_requests')
      .set({ otp: ownerRow!.otp })
      .where('email', '=', owner)
      .where('purpose', '=', 'FORGOT_PASSWORD')
      .execute();
    await expectInvalid(service.check(other, 'REGISTRATION', code));
    await expectInvalid(service.check(owner, 'FORGOT_PASSWORD', code));
    await use(service, owner, code);
  });

  it('expires after the configured lifetime', async () => {
    const { service, clock } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    clock.advance(599_000);
    await service.check(email, 'REGISTRATION', code);
    clock.advance(1_000);
    await expectInvalid(service.check(email, 'REGISTRATION', code));
  });

  it('cancels the older live code when a new one is issued', async () => {
    const { service } = setup();
    const email = nextEmail();
    const first = await issue(service, email);
    let second = await issue(service, email);
    while (second.code === first.code) second = await issue(service, email);
    await expectInvalid(service.check(email, 'REGISTRATION', first.code));
    const rows = await rowsOf(email);
    expect(toBool(rows[0]!.isUsed)).toBe(true);
    expect(rows[0]!.usedAt).toBeNull();
    await use(service, email, second.code);
  });

  it('kills a code after 5 wrong tries: the right code then fails', async () => {
    const { service } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    await failTimes(service, email, code, 5);
    await expectInvalid(service.check(email, 'REGISTRATION', code));
    const [row] = await rowsOf(email);
    expect(row!.attempts).toBe(5);
  });

  it('lets exactly one of 8 concurrent uses of one correct code succeed', async () => {
    const { service } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => use(service, email, code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'INVALID_OTP' });
  });

  it('evaluates at most 5 of 50 concurrent wrong guesses, and refuses the right code afterwards', async () => {
    const { service } = setup();
    const email = nextEmail();
    const { code } = await issue(service, email);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => service.check(email, 'REGISTRATION', wrong(code))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const rows = await rowsOf(email);
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(5);
    await expectInvalid(service.check(email, 'REGISTRATION', code));
  });

  it('purges codes expired before a cut-off in batches, and run-out lockouts', async () => {
    const { service, clock } = setup();
    clock.set('2020-01-01T00:00:00.000Z');
    const email = nextEmail();
    for (let i = 0; i < 3; i++) await issue(service, email);
    const otps = store.repos.otps;
    const cutOff = new Date('2020-06-01T00:00:00.000Z');
    expect(await otps.deleteExpired(cutOff, 2)).toBe(2);
    expect(await otps.deleteExpired(cutOff, 2)).toBe(1);
    expect(await rowsOf(email)).toHaveLength(0);
    expect(await otps.insertLockout(email, 'REGISTRATION', new Date('2020-01-02T00:00:00.000Z'), clock.now())).toBe(true);
    expect(await otps.insertLockout(email, 'REGISTRATION', new Date('2020-01-02T00:00:00.000Z'), clock.now())).toBe(false);
    expect(await otps.deleteExpiredLockouts(cutOff)).toBe(1);
  });

  it('locks an email and purpose for 24 h after 20 wrong tries, telling the owner once', async () => {
    const { service, clock, emails } = setup();
    const email = nextEmail();
    await seedOwner(email);
    const purpose = 'FORGOT_PASSWORD';
    for (let i = 0; i < 3; i++) await failTimes(service, email, (await issue(service, email, purpose)).code, 5, purpose);
    const fourth = await issue(service, email, purpose);
    await failTimes(service, email, fourth.code, 4, purpose);
    // 19 wrong tries: not locked yet, and a success does not count as a failure.
    await use(service, email, fourth.code, purpose);
    expect(emails.sent).toHaveLength(0);

    const fifth = await issue(service, email, purpose);
    const racing = await Promise.allSettled(Array.from({ length: 10 }, () => service.check(email, purpose, wrong(fifth.code))));
    expect(racing.every((r) => r.status === 'rejected')).toBe(true);
    expect(emails.sent).toEqual([{ kind: 'OTP_LOCKOUT', to: email, data: { purpose, until: new Date(clock.now().getTime() + DAY_MS) } }]);

    const fresh = await issue(service, email, purpose);
    await expectInvalid(service.check(email, purpose, fresh.code));
    const rows = await rowsOf(email);
    expect(rows.at(-1)!.attempts).toBe(0);

    const otherPurpose = await issue(service, email, 'REGISTRATION');
    await use(service, email, otherPurpose.code, 'REGISTRATION');

    clock.advance(DAY_MS - 1);
    await expectInvalid(service.check(email, purpose, (await issue(service, email, purpose)).code));
    clock.advance(1);
    await use(service, email, (await issue(service, email, purpose)).code, purpose);
    expect(emails.sent).toHaveLength(1);
  });

  it('records a lockout in the audit log, and mails no address that has no account', async () => {
    const { clock, emails, service } = setup();
    const email = nextEmail();
    const purpose: OtpPurpose = 'FORGOT_PASSWORD';
    for (let round = 0; round < 4; round += 1) {
      const { code } = await issue(service, email, purpose);
      for (let i = 0; i < 5; i += 1) await service.check(email, purpose, wrong(code)).catch(() => undefined);
      clock.advance(20 * 60_000);
    }
    expect(emails.sent).toEqual([]);
    const { code } = await issue(service, email, purpose);
    await expect(service.check(email, purpose, code)).rejects.toMatchObject({ code: 'INVALID_OTP' });
    const audit = await database.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'OTP_LOCKOUT')
      .where('actorEmail', '=', email)
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({ purpose });
  });

  it('locks again after a lockout has run out, with a second notice at the 20th wrong try', async () => {
    const { service, clock, emails } = setup();
    const email = nextEmail();
    await seedOwner(email);
    const failTwenty = async () => {
      const before = emails.sent.length;
      for (let i = 0; i < 4; i++) {
        const { code } = await issue(service, email);
        await failTimes(service, email, code, i === 3 ? 4 : 5);
        if (i === 3) {
          expect(emails.sent).toHaveLength(before);
          await failTimes(service, email, code, 1);
          expect(emails.sent).toHaveLength(before + 1);
        }
      }
    };
    await failTwenty();
    expect(emails.sent).toHaveLength(1);
    clock.advance(DAY_MS);
    await failTwenty();
    expect(emails.sent).toHaveLength(2);
    await expectInvalid(service.check(email, 'REGISTRATION', (await issue(service, email)).code));
    const lockout = await database.db.selectFrom('otp_lockouts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(toDate(lockout.lockedUntil).toISOString()).toBe(new Date(clock.now().getTime() + DAY_MS).toISOString());
  });
});
