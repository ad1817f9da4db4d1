import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { bearer, login, otpFor, seedProject, seedUser, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestApp } from '../helpers/world.js';
import { until } from '../helpers/until.js';

const SUBJECT = {
  REGISTRATION: /registration code/i,
  ACCOUNT_ACTIVATION: /activate your/i,
  FORGOT_PASSWORD: /password reset code/i,
  WELCOME: /welcome/i,
  LOCKOUT: /temporarily blocked/i,
} as const;
type Purpose = 'REGISTRATION' | 'ACCOUNT_ACTIVATION' | 'FORGOT_PASSWORD';

const MINUTE = 60_000;
const NEW_PASSWORD = 'N3w-Passphrase-Blue';
/** Another code of the same length that is certainly not `code`. */
const wrong = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

describe(`OTP flows (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let ipSeq = 0;
  useTestApp((app) => (t = app));

  // activate-account and reset-password allow 10 calls per 15 min per IP: each call comes from its own address.
  const freshIp = () => {
    ipSeq += 1;
    return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
  };
  const verifyCall = (url: string, payload: Record<string, string>) =>
    t.request({ method: 'POST', url, payload, remoteAddress: freshIp() });
  /** The mailer's mark before the last request that could email an OTP of this address and purpose. */
  const marks = new Map<string, number>();
  const markRequest = (email: string, purpose: Purpose) => marks.set(`${email.trim().toLowerCase()} ${purpose}`, t.mailer.mark());
  const register = (email: string) => {
    markRequest(email, 'REGISTRATION');
    return t.post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root', email, password: STRONG_PASSWORD });
  };
  const forgot = (email: string) => {
    markRequest(email, 'FORGOT_PASSWORD');
    return t.post('/api/auth/forgot-password', { email });
  };
  const resend = (email: string, purpose: Purpose) => {
    markRequest(email, purpose);
    return t.post('/api/auth/resend-otp', { email, purpose });
  };
  const reset = (email: string, otp: string, newPassword = NEW_PASSWORD) =>
    verifyCall('/api/auth/reset-password', { email, otp, newPassword });
  const activate = (email: string, otp: string, password = NEW_PASSWORD) =>
    verifyCall('/api/auth/activate-account', { email, otp, password });
  const loginStatus = async (email: string, password: string) => (await t.post('/api/auth/login', { email, password })).statusCode;

  /** Waits until the outbox has handed every queued email to the capturing mailer. */
  async function settle() {
    await until('the outbox to drain', async () => (await t.container.store.repos.outbox.pendingCount()) === 0, 5000);
  }
  const mails = (to: string, subject: RegExp) => t.mailer.sent.filter((m) => m.to === to && subject.test(m.subject));
  /** The code emailed in answer to the last register/forgot/resend of `to` for `purpose`: never one sent before that request. */
  async function latestOtp(to: string, purpose: Purpose): Promise<string> {
    const mark = marks.get(`${to} ${purpose}`);
    if (mark === undefined) throw new Error(`no ${purpose} request for ${to} was made`);
    return otpFor(t, to, mark, SUBJECT[purpose]);
  }
  async function otpRows(email: string) {
    const raw = await createDb(t.config.databaseUrl, { poolSize: 1 });
    try {
      return await raw.db
        .selectFrom('otp_requests')
        .select(['id', 'purpose', 'attempts', 'usedAt'])
        .where('email', '=', email)
        .orderBy('id')
        .execute();
    } finally {
      await raw.destroy();
    }
  }

  describe('forgot-password', () => {
    it('answers an active, an unknown, a suspended and a not-activated email alike and emails only the active user', async () => {
      await seedUser(t, { email: 'active@acme.test' });
      await seedUser(t, { email: 'suspended@acme.test', isSuspended: true });
      await seedUser(t, { email: 'pending@acme.test', password: null });
      const emails = ['active@acme.test', 'nobody@acme.test', 'suspended@acme.test', 'pending@acme.test'];
      const responses = [];
      for (const email of emails) responses.push(await forgot(email));
      for (const response of responses) {
        expect(response.statusCode).toBe(200);
        expect(response.body).toBe(responses[0]!.body);
        expect(response.headers['content-type']).toBe(responses[0]!.headers['content-type']);
      }
      expect(responses[0]!.json()).toMatchObject({ success: true, message: expect.any(String) });
      await settle();
      expect(t.mailer.sent.map((m) => m.to)).toEqual(['active@acme.test']);
      expect(t.mailer.sent[0]!.subject).toMatch(SUBJECT.FORGOT_PASSWORD);
      // The same work for every address: each got a code row, even the ones nobody can read.
      for (const email of emails) expect(await otpRows(email), email).toHaveLength(1);
    });

    it('keeps a 60 s cooldown for known and unknown emails alike, with Retry-After, then allows again', async () => {
      await seedUser(t, { email: 'active@acme.test' });
      expect((await forgot('active@acme.test')).statusCode).toBe(200);
      expect((await forgot('nobody@acme.test')).statusCode).toBe(200);
      t.clock.advance(30_000);
      const known = await forgot(' Active@ACME.test ');
      const unknown = await forgot('nobody@acme.test');
      for (const response of [known, unknown]) {
        expect(response.statusCode).toBe(429);
        expect(response.json().error.code).toBe('OTP_COOLDOWN');
        expect(response.headers['retry-after']).toBe('30');
      }
      expect(known.body).toBe(unknown.body);
      // resend-otp shares the cooldown of the address.
      expect((await resend('active@acme.test', 'FORGOT_PASSWORD')).statusCode).toBe(429);
      t.clock.advance(30_000);
      expect((await forgot('active@acme.test')).statusCode).toBe(200);
      expect((await forgot('nobody@acme.test')).statusCode).toBe(200);
      await settle();
      expect(mails('active@acme.test', SUBJECT.FORGOT_PASSWORD)).toHaveLength(2);
      expect(t.mailer.sent).toHaveLength(2);

      t.clock.advance(60_000);
      const burst = await Promise.all(Array.from({ length: 6 }, () => forgot('active@acme.test')));
      expect(burst.map((r) => r.statusCode).sort()).toEqual([200, 429, 429, 429, 429, 429]);
      await settle();
      expect(mails('active@acme.test', SUBJECT.FORGOT_PASSWORD)).toHaveLength(3);
    });

    it('sends at most 3 per hour per email, known or unknown', async () => {
      await seedUser(t, { email: 'active@acme.test' });
      for (let i = 0; i < 3; i += 1) {
        expect((await forgot('active@acme.test')).statusCode).toBe(200);
        expect((await forgot('nobody@acme.test')).statusCode).toBe(200);
        t.clock.advance(61_000);
      }
      const known = await forgot('active@acme.test');
      const unknown = await forgot('nobody@acme.test');
      expect(known.statusCode).toBe(429);
      expect(known.headers['retry-after']).toBe(String(3600 - 183));
      expect(unknown.body).toBe(known.body);
      expect(unknown.headers['retry-after']).toBe(known.headers['retry-after']);
      await settle();
      expect(mails('active@acme.test', SUBJECT.FORGOT_PASSWORD)).toHaveLength(3);

      t.clock.advance(3600_000 - 183_000);
      expect((await forgot('active@acme.test')).statusCode).toBe(200);
      expect((await forgot('nobody@acme.test')).statusCode).toBe(200);
      await settle();
      expect(mails('active@acme.test', SUBJECT.FORGOT_PASSWORD)).toHaveLength(4);
    });
  });

  describe('resend-otp', () => {
    it('sends each purpose only where it applies and answers the same everywhere', async () => {
      const registered = await t.post('/api/auth/register', {
        setupToken: SETUP_TOKEN,
        name: 'Root',
        email: 'root@acme.test',
        password: STRONG_PASSWORD,
      });
      expect(registered.statusCode).toBe(201);
      await seedUser(t, { email: 'new@acme.test', password: null });
      await seedUser(t, { email: 'jane@acme.test' });
      await seedUser(t, { email: 'sus@acme.test', isSuspended: true });
      await settle();
      const before = t.mailer.sent.length; // the registration email
      const emails = ['root@acme.test', 'new@acme.test', 'jane@acme.test', 'sus@acme.test', 'ghost@acme.test'];
      const bodies = new Set<string>();
      for (const purpose of ['REGISTRATION', 'ACCOUNT_ACTIVATION', 'FORGOT_PASSWORD'] as const) {
        for (const email of emails) {
          const response = await resend(email, purpose);
          expect(response.statusCode, `${email} ${purpose}`).toBe(200);
          bodies.add(response.body);
        }
        t.clock.advance(61_000);
      }
      expect(bodies.size).toBe(1);
      await settle();
      const sent = t.mailer.sent.slice(before).map((m) => `${m.to} ${m.subject}`);
      expect(sent).toHaveLength(3);
      expect(sent.find((s) => s.startsWith('root@'))).toMatch(SUBJECT.REGISTRATION);
      expect(sent.find((s) => s.startsWith('new@'))).toMatch(SUBJECT.ACCOUNT_ACTIVATION);
      expect(sent.find((s) => s.startsWith('jane@'))).toMatch(SUBJECT.FORGOT_PASSWORD);
    });

    it('cancels the older OTP of the same purpose when a new one is sent, for every purpose', async () => {
      await register('root@acme.test');
      await seedUser(t, { email: 'new@acme.test', password: null });
      await seedUser(t, { email: 'jane@acme.test' });
      const cases = [
        {
          email: 'root@acme.test',
          purpose: 'REGISTRATION' as const,
          use: (otp: string) => verifyCall('/api/auth/verify-registration-otp', { email: 'root@acme.test', otp }),
        },
        { email: 'new@acme.test', purpose: 'ACCOUNT_ACTIVATION' as const, use: (otp: string) => activate('new@acme.test', otp) },
        { email: 'jane@acme.test', purpose: 'FORGOT_PASSWORD' as const, use: (otp: string) => reset('jane@acme.test', otp) },
      ];
      for (const c of cases) if (c.purpose !== 'REGISTRATION') await resend(c.email, c.purpose);
      const older = new Map<string, string>();
      for (const c of cases) older.set(c.email, await latestOtp(c.email, c.purpose));
      t.clock.advance(61_000);
      for (const c of cases) expect((await resend(c.email, c.purpose)).statusCode).toBe(200);
      for (const c of cases) {
        const newer = await latestOtp(c.email, c.purpose);
        expect(mails(c.email, SUBJECT[c.purpose])).toHaveLength(2);
        if (newer === older.get(c.email)) continue; // one chance in a million: nothing to tell apart
        const refused = await c.use(older.get(c.email)!);
        expect(refused.statusCode, c.purpose).toBe(401);
        expect(refused.json().error.code).toBe('INVALID_OTP');
        expect((await c.use(newer)).statusCode, c.purpose).toBe(200);
      }
    });
  });

  describe('reset-password', () => {
    it('refuses a wrong OTP, sets the password with the right one once, ends the sessions and clears a login lockout', async () => {
      const crm = await seedProject(t, { customProjectId: 'crm' });
      await seedUser(t, { email: 'jane@acme.test', projectIds: [crm.id] });
      const session = await login(t, 'jane@acme.test');
      const opened = await t.post(`/api/auth/project-token/${crm.id}`, undefined, bearer(session.accessToken));
      expect(opened.statusCode).toBe(200);
      const { projectToken } = opened.json().data;
      for (let i = 0; i < 5; i += 1) expect(await loginStatus('jane@acme.test', 'Wr0ng-Password-Guess')).toBe(401);
      expect(await loginStatus('jane@acme.test', STRONG_PASSWORD)).toBe(401); // locked
      await forgot('jane@acme.test');
      const otp = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');

      const refused = await reset('jane@acme.test', wrong(otp));
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ success: false, error: { code: 'INVALID_OTP' } });
      const done = await reset('jane@acme.test', otp);
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ success: true, message: expect.any(String) });

      expect(await loginStatus('jane@acme.test', STRONG_PASSWORD)).toBe(401);
      expect(await loginStatus('jane@acme.test', NEW_PASSWORD)).toBe(200);
      expect((await t.get('/api/auth/me', bearer(session.accessToken))).statusCode).toBe(401);
      expect((await t.post('/api/auth/refresh-token', { refreshToken: session.refreshToken })).statusCode).toBe(401);
      expect((await t.post('/api/auth/validate-token', { token: projectToken, projectId: crm.id })).statusCode).toBe(401);

      const again = await reset('jane@acme.test', otp, 'An0ther-Passphrase');
      expect(again.statusCode).toBe(401);
      expect(again.json().error.code).toBe('INVALID_OTP');
      expect(await loginStatus('jane@acme.test', NEW_PASSWORD)).toBe(200);
    });

    it('does not take an OTP of another email or of another purpose', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await seedUser(t, { email: 'bob@acme.test' });
      await forgot('jane@acme.test');
      await forgot('bob@acme.test');
      const janeOtp = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      const bobOtp = await latestOtp('bob@acme.test', 'FORGOT_PASSWORD');
      if (janeOtp !== bobOtp) expect((await reset('bob@acme.test', janeOtp)).statusCode).toBe(401);
      expect((await reset('nobody@acme.test', janeOtp)).statusCode).toBe(401);

      // An activation code for an address that has since become active is no reset code.
      const newId = await seedUser(t, { email: 'new@acme.test', password: null });
      await resend('new@acme.test', 'ACCOUNT_ACTIVATION');
      const activationOtp = await latestOtp('new@acme.test', 'ACCOUNT_ACTIVATION');
      await t.container.store.repos.users.activate(newId, await t.container.hasher.hash(STRONG_PASSWORD), t.clock.now());
      const crossed = await reset('new@acme.test', activationOtp);
      expect(crossed.statusCode).toBe(401);
      expect(crossed.json().error.code).toBe('INVALID_OTP');
      t.clock.advance(61_000);
      await forgot('new@acme.test');
      const resetOtp = await latestOtp('new@acme.test', 'FORGOT_PASSWORD');
      // ...and a reset code does not verify a registration of the same address.
      expect((await verifyCall('/api/auth/verify-registration-otp', { email: 'new@acme.test', otp: resetOtp })).statusCode).toBe(401);

      expect((await reset('jane@acme.test', janeOtp)).statusCode).toBe(200);
      expect((await reset('bob@acme.test', bobOtp, 'B0b-New-Passphrase')).statusCode).toBe(200);
      expect((await reset('new@acme.test', resetOtp, 'N3w-User-Passphrase')).statusCode).toBe(200);
      expect(await loginStatus('bob@acme.test', 'B0b-New-Passphrase')).toBe(200);
    });

    it('takes an OTP until 10 minutes after it was sent and not at 10 minutes', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await forgot('jane@acme.test');
      const first = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      t.clock.advance(10 * MINUTE - 1000);
      expect((await reset('jane@acme.test', first)).statusCode).toBe(200);

      await forgot('jane@acme.test');
      const second = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      t.clock.advance(10 * MINUTE);
      const expired = await reset('jane@acme.test', second, 'An0ther-Passphrase');
      expect(expired.statusCode).toBe(401);
      expect(expired.json().error.code).toBe('INVALID_OTP');
      expect(await loginStatus('jane@acme.test', NEW_PASSWORD)).toBe(200);
    });
  });

  describe('races and guessing', () => {
    it('lets exactly one of 8 concurrent resets with the right OTP through', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await forgot('jane@acme.test');
      const otp = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      const passwords = Array.from({ length: 8 }, (_, i) => `Racer-${i}-Passphrase`);
      const responses = await Promise.all(passwords.map((password) => reset('jane@acme.test', otp, password)));
      const winners = responses.map((r, i) => (r.statusCode === 200 ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      for (const r of responses) if (r.statusCode !== 200) expect(r.json().error.code).toBe('INVALID_OTP');
      // The winner's password signs in between the losers' tries, so five losers never lock the account.
      const winner = passwords[winners[0]!]!;
      for (const password of passwords.filter((p) => p !== winner)) {
        expect(await loginStatus('jane@acme.test', winner)).toBe(200);
        expect(await loginStatus('jane@acme.test', password)).toBe(401);
      }
    });

    it('lets exactly one of 8 concurrent activations with the right OTP through', async () => {
      await seedUser(t, { email: 'new@acme.test', password: null });
      await resend('new@acme.test', 'ACCOUNT_ACTIVATION');
      const otp = await latestOtp('new@acme.test', 'ACCOUNT_ACTIVATION');
      const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => activate('new@acme.test', otp, `Racer-${i}-Passphrase`)));
      expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
      await settle();
      expect(mails('new@acme.test', SUBJECT.WELCOME)).toHaveLength(1);
    });

    it('counts exactly 5 of 50 concurrent wrong guesses, after which the right code is refused', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await forgot('jane@acme.test');
      const otp = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => reset('jane@acme.test', wrong(otp, i))));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(401));
      const rows = await otpRows('jane@acme.test');
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.attempts)).toBe(5);
      expect((await reset('jane@acme.test', otp)).statusCode).toBe(401);
      expect(await loginStatus('jane@acme.test', STRONG_PASSWORD)).toBe(200);
    });

    it('refuses every OTP of the purpose after 20 wrong tries in 24 h and tells the owner once', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      // 3 OTPs per hour per email: 20 minutes between requests keeps under that cap and far above the 60 s cooldown.
      const newOtp = async () => {
        expect((await forgot('jane@acme.test')).statusCode).toBe(200);
        return latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      };
      for (let round = 0; round < 4; round += 1) {
        const otp = await newOtp();
        for (let i = 0; i < 5; i += 1) {
          if (round === 3 && i === 4) {
            await settle();
            expect(mails('jane@acme.test', SUBJECT.LOCKOUT), 'no notice after 19 wrong tries').toHaveLength(0);
          }
          expect((await reset('jane@acme.test', wrong(otp, i))).statusCode).toBe(401);
        }
        t.clock.advance(20 * MINUTE);
      }
      const fresh = await newOtp();
      expect((await reset('jane@acme.test', fresh)).statusCode).toBe(401);
      expect((await reset('jane@acme.test', wrong(fresh))).statusCode).toBe(401);
      await settle();
      const notices = mails('jane@acme.test', SUBJECT.LOCKOUT);
      expect(notices).toHaveLength(1);
      expect(t.mailer.sent.filter((m) => SUBJECT.LOCKOUT.test(m.subject))).toHaveLength(1);
      expect(await loginStatus('jane@acme.test', STRONG_PASSWORD)).toBe(200);

      // Once the 24 hours have passed, a new code works again.
      t.clock.advance(24 * 60 * MINUTE);
      const later = await newOtp();
      expect((await reset('jane@acme.test', later)).statusCode).toBe(200);
    });

    it('sends one lockout notice when concurrent wrong guesses cross the cap together', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      for (let round = 0; round < 4; round += 1) {
        expect((await forgot('jane@acme.test')).statusCode).toBe(200);
        const otp = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
        const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => reset('jane@acme.test', wrong(otp, i))));
        expect(responses.every((r) => r.statusCode === 401)).toBe(true);
        t.clock.advance(20 * MINUTE);
      }
      expect((await forgot('jane@acme.test')).statusCode).toBe(200);
      const fresh = await latestOtp('jane@acme.test', 'FORGOT_PASSWORD');
      const tries = await Promise.all(Array.from({ length: 4 }, () => reset('jane@acme.test', fresh)));
      expect(tries.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
      await settle();
      expect(mails('jane@acme.test', SUBJECT.LOCKOUT)).toHaveLength(1);
    });
  });

  describe('activate-account', () => {
    it('activates a user created without a password, once, and keeps the OTP through a refused weak password', async () => {
      const crm = await seedProject(t, { customProjectId: 'crm' });
      const id = await seedUser(t, { email: 'new@acme.test', password: null, projectIds: [crm.id] });
      expect((await t.container.store.repos.users.findById(id))?.isActive).toBe(false);
      expect(await loginStatus('new@acme.test', NEW_PASSWORD)).toBe(401);
      expect((await resend('new@acme.test', 'ACCOUNT_ACTIVATION')).statusCode).toBe(200);
      const otp = await latestOtp('new@acme.test', 'ACCOUNT_ACTIVATION');

      const weak = await activate('new@acme.test', otp, 'password');
      expect(weak.statusCode).toBe(400);
      expect(weak.json().error).toMatchObject({ code: 'VALIDATION_ERROR', details: [expect.objectContaining({ field: 'password' })] });

      const response = await activate(' NEW@acme.test', otp);
      expect(response.statusCode).toBe(200);
      const data = response.json().data;
      expect(Object.keys(data).sort()).toEqual(['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'user']);
      expect(data.user).toMatchObject({
        id,
        email: 'new@acme.test',
        isActive: true,
        projects: [expect.objectContaining({ id: crm.id, customProjectId: 'crm' })],
      });
      expect(JSON.stringify(data)).not.toContain(otp);
      expect(String(response.headers['set-cookie'])).toContain(`xtown_refresh=${data.refreshToken}`);
      expect((await t.get('/api/auth/me', bearer(data.accessToken))).statusCode).toBe(200);
      await settle();
      expect(mails('new@acme.test', SUBJECT.WELCOME)).toHaveLength(1);

      expect(await loginStatus('new@acme.test', NEW_PASSWORD)).toBe(200);
      const second = await activate('new@acme.test', otp, 'An0ther-Passphrase');
      expect(second.statusCode).toBe(401);
      expect(second.json().error.code).toBe('INVALID_OTP');
      t.clock.advance(61_000);
      await resend('new@acme.test', 'ACCOUNT_ACTIVATION');
      await settle();
      expect(mails('new@acme.test', SUBJECT.ACCOUNT_ACTIVATION)).toHaveLength(1);
      expect(await loginStatus('new@acme.test', NEW_PASSWORD)).toBe(200);
    });
  });
});
