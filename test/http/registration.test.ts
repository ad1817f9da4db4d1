import { describe, expect, it } from 'vitest';
import { bearer, otpFor, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestApp } from '../helpers/world.js';
import { openRawDb } from './tokens-fixture.js';

/** Every SUPER_ADMIN row, verified or pending, read behind the services' back. */
async function superAdminRows(t: TestApp) {
  const raw = await openRawDb(t);
  try {
    const rows = await raw.db.selectFrom('users').select(['email', 'superAdminSlot']).where('role', '=', 'SUPER_ADMIN').execute();
    return rows.map((row) => ({ email: row.email, verified: row.superAdminSlot === 1 }));
  } finally {
    await raw.destroy();
  }
}

describe(`registration of the first Super Admin (${TEST_DIALECT})`, () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  const body = (email: string, extra: Record<string, unknown> = {}) => ({
    setupToken: SETUP_TOKEN,
    name: 'Root',
    email,
    password: STRONG_PASSWORD,
    ...extra,
  });

  it('goes from check-super-admin through register and the emailed OTP to a signed-in Super Admin', async () => {
    expect((await t.get('/api/auth/check-super-admin')).json()).toEqual({ success: true, data: { exists: false } });

    const mark = t.mailer.mark();
    const registered = await t.post('/api/auth/register', body('  Root@Acme.TEST ', { companyName: 'Acme' }));
    expect(registered.statusCode).toBe(201);
    expect(registered.json().data.email).toBe('root@acme.test');
    expect(new Date(registered.json().data.otpExpiresAt).getTime()).toBe(t.clock.now().getTime() + 10 * 60_000);
    expect((await t.get('/api/auth/check-super-admin')).json().data.exists).toBe(false);

    const login = await t.post('/api/auth/login', { email: 'root@acme.test', password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('ACCOUNT_NOT_ACTIVATED');

    const otp = await otpFor(t, 'root@acme.test', mark);
    const verified = await t.post('/api/auth/verify-registration-otp', { email: 'ROOT@acme.test', otp });
    expect(verified.statusCode).toBe(200);
    const data = verified.json().data;
    expect(data.user).toMatchObject({ email: 'root@acme.test', role: 'SUPER_ADMIN', isActive: true, companyName: 'Acme', projects: [] });
    expect(data.user).not.toHaveProperty('password');
    expect(data.expiresIn).toBe(8 * 3600);
    expect(data.refreshExpiresIn).toBe(7 * 86400);
    const cookie = String(verified.headers['set-cookie']);
    expect(cookie).toContain(`xtown_refresh=${data.refreshToken}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toContain('Path=/api/auth');

    expect((await t.get('/api/auth/check-super-admin')).json().data.exists).toBe(true);
    await t.mailer.waitFor((m) => m.to === 'root@acme.test' && /welcome/i.test(m.subject));
    const me = await t.get('/api/auth/me', bearer(data.accessToken));
    expect(me.statusCode).toBe(200);
    expect(me.json().data.email).toBe('root@acme.test');

    const again = await t.post('/api/auth/register', body('other@acme.test'));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SUPER_ADMIN_EXISTS');
  });

  it('refuses a wrong or missing setup token and changes nothing', async () => {
    const wrong = await t.post('/api/auth/register', body('root@acme.test', { setupToken: 'guess' }));
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ success: false, error: { code: 'SETUP_TOKEN_INVALID' } });
    const missing = await t.post('/api/auth/register', { name: 'Root', email: 'root@acme.test', password: STRONG_PASSWORD });
    expect(missing.statusCode).toBe(400);
    expect(await t.container.store.repos.users.findByEmail('root@acme.test')).toBeUndefined();
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('refuses weak passwords with details and a wrong OTP with INVALID_OTP', async () => {
    for (const password of ['short1', 'lettersonly', '12345678901', 'password1']) {
      const response = await t.post('/api/auth/register', body('root@acme.test', { password }));
      expect(response.statusCode, password).toBe(400);
      expect(response.json().error.details[0].field).toBe('password');
    }
    const mark = t.mailer.mark();
    await t.post('/api/auth/register', body('root@acme.test'));
    const otp = await otpFor(t, 'root@acme.test', mark);
    const wrongOtp = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
    const response = await t.post('/api/auth/verify-registration-otp', { email: 'root@acme.test', otp: wrongOtp });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('INVALID_OTP');
  });

  it('lets a new registration replace an unverified one', async () => {
    const first = t.mailer.mark();
    await t.post('/api/auth/register', body('first@acme.test'));
    const firstOtp = await otpFor(t, 'first@acme.test', first);
    const second = t.mailer.mark();
    expect((await t.post('/api/auth/register', body('second@acme.test'))).statusCode).toBe(201);
    const secondOtp = await otpFor(t, 'second@acme.test', second);
    expect((await t.post('/api/auth/verify-registration-otp', { email: 'first@acme.test', otp: firstOtp })).statusCode).toBe(401);
    expect((await t.post('/api/auth/verify-registration-otp', { email: 'second@acme.test', otp: secondOtp })).statusCode).toBe(200);
  });

  it('answers concurrent registrations of one email with 201 or 409 EMAIL_TAKEN, never a 500', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.post('/api/auth/register', body('same@acme.test'))));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses).toContain(201);
    for (const answer of answers.filter((r) => r.statusCode !== 201)) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json().error.code).toBe('EMAIL_TAKEN');
    }
  });

  it('ends concurrent registrations and verifications with exactly one Super Admin', async () => {
    const emails = ['a@acme.test', 'b@acme.test', 'c@acme.test', 'd@acme.test'];
    const mark = t.mailer.mark();
    const registered = await Promise.all(emails.map((email) => t.post('/api/auth/register', body(email))));
    expect(registered.every((r) => r.statusCode === 201)).toBe(true);
    const pending = [];
    for (const email of emails) {
      const user = await t.container.store.repos.users.findByEmail(email);
      if (user) pending.push({ email, otp: await otpFor(t, email, mark) });
    }
    expect(pending.length).toBeGreaterThanOrEqual(1);
    const verified = await Promise.all(
      pending.flatMap(({ email, otp }) => [1, 2].map(() => t.post('/api/auth/verify-registration-otp', { email, otp }))),
    );
    const winners = verified.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    for (const loser of verified.filter((r) => r.statusCode !== 200)) expect([401, 409]).toContain(loser.statusCode);
    const superAdmins = await t.container.store.repos.users.findByEmail(winners[0]!.json().data.user.email);
    expect(superAdmins?.isVerifiedSuperAdmin).toBe(true);
    let verifiedCount = 0;
    for (const email of emails) if ((await t.container.store.repos.users.findByEmail(email))?.isVerifiedSuperAdmin) verifiedCount += 1;
    expect(verifiedCount).toBe(1);
  });

  it('leaves no pending Super Admin behind when rivals register while the first one verifies', async () => {
    const mark = t.mailer.mark();
    expect((await t.post('/api/auth/register', body('root@acme.test'))).statusCode).toBe(201);
    const otp = await otpFor(t, 'root@acme.test', mark);
    const rivals = ['r1@acme.test', 'r2@acme.test', 'r3@acme.test', 'r4@acme.test', 'r5@acme.test'];
    // The rivals are started first, so that some of them replace root's registration and some come after it won.
    const answers = await Promise.all([
      ...rivals.map((email) => t.post('/api/auth/register', body(email))),
      ...Array.from({ length: 10 }, () => t.post('/api/auth/verify-registration-otp', { email: 'root@acme.test', otp })),
    ]);
    for (const answer of answers) expect(answer.statusCode, answer.body).toBeLessThan(500);

    const rows = await superAdminRows(t);
    const winners = answers.filter((answer) => answer.statusCode === 200);
    if (winners.length === 1) {
      // Root won: it is the only Super Admin row, and every rival email is free for it to use.
      expect(rows).toEqual([{ email: 'root@acme.test', verified: true }]);
      const auth = bearer(winners[0]!.json().data.accessToken);
      for (const email of rivals) {
        const created = await t.post('/api/users/project-admin', { name: 'Rival', email }, auth);
        expect(created.statusCode, created.body).toBe(201);
      }
      for (const email of rivals) expect((await t.post('/api/auth/register', body(email))).json().error.code).toBe('SUPER_ADMIN_EXISTS');
    } else {
      // A rival replaced root's registration before any verification: no Super Admin yet, one pending registration.
      expect(winners).toHaveLength(0);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.verified).toBe(false);
    }
  });

  it('races 10 verifications against 5 rival registrations repeatedly without ever keeping a rival', async () => {
    for (let round = 0; round < 5; round++) {
      const raw = t.container.store.repos.users;
      const mark = t.mailer.mark();
      const email = `root${round}@acme.test`;
      if (await raw.superAdminExists()) break;
      expect((await t.post('/api/auth/register', body(email))).statusCode).toBe(201);
      const otp = await otpFor(t, email, mark);
      await Promise.all([
        ...Array.from({ length: 10 }, () => t.post('/api/auth/verify-registration-otp', { email, otp })),
        ...Array.from({ length: 5 }, (_, i) => t.post('/api/auth/register', body(`rival${round}-${i}@acme.test`))),
      ]);
      const rows = await superAdminRows(t);
      if (rows.some((row) => row.verified)) {
        expect(rows.filter((row) => !row.verified)).toEqual([]);
        expect(rows).toHaveLength(1);
      } else {
        expect(rows).toHaveLength(1);
      }
    }
  });
});
