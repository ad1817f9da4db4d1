import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
  buildTestApp,
  login,
  otpFor,
  registerSuperAdmin,
  seedProject,
  seedUser,
  STRONG_PASSWORD,
  type TestApp,
} from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { openRawDb } from './tokens-fixture.js';

const WINDOW_SEC = 15 * 60;
const OTHER_IP = '10.0.0.7';

function expectLimited(response: LightMyRequestResponse, maxRetryAfterSec = WINDOW_SEC) {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.json()).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfterSec);
}

async function auditRows(app: TestApp, action: string) {
  const raw = await openRawDb(app);
  try {
    return await raw.db.selectFrom('audit_logs').select(['details', 'actorEmail']).where('action', '=', action).execute();
  } finally {
    await raw.destroy();
  }
}

describe(`rate limits (${TEST_DIALECT})`, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const build = async (env: Record<string, string>) => (t = await buildTestApp({ env }));
  const loginFrom = (app: TestApp, email: string, password: string, remoteAddress = '127.0.0.1') =>
    app.request({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });

  describe('login', () => {
    it('refuses the 6th login of one IP and email, whatever the case of the email, until the window ends', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '5' });
      expect(app.config.rateLimit.loginMax).toBe(5);
      await seedUser(app, { email: 'jane@acme.test' });
      for (const email of ['jane@acme.test', 'JANE@acme.test', ' jane@acme.test', 'Jane@Acme.Test', 'jane@acme.test']) {
        expect((await loginFrom(app, email, STRONG_PASSWORD)).statusCode, email).toBe(200);
      }
      expectLimited(await loginFrom(app, 'JANE@ACME.TEST', STRONG_PASSWORD));
      app.clock.advance(60_000);
      const later = await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD);
      expectLimited(later, WINDOW_SEC - 60);
      expect(Number(later.headers['retry-after'])).toBeGreaterThan(WINDOW_SEC - 120);

      expect((await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD, OTHER_IP)).statusCode).toBe(200);
      app.clock.advance(WINDOW_SEC * 1000);
      expect((await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
    });

    it('counts only failures per IP: 60 colleagues sign in, then the 51st wrong password is refused', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '5', LOGIN_FAILURES_PER_IP_MAX: '50' });
      expect(app.config.rateLimit.loginFailuresPerIp).toBe(50);
      const hash = await app.container.hasher.hash(STRONG_PASSWORD);
      for (let i = 0; i < 60; i++) await seedUser(app, { email: `colleague${i}@acme.test`, passwordHash: hash });
      for (let i = 0; i < 60; i++) expect((await loginFrom(app, `colleague${i}@acme.test`, STRONG_PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < 49; i++) expect((await loginFrom(app, `guess${i}@acme.test`, 'Some-Guess-123')).statusCode).toBe(401);
      // A success in between gives back only its own slot: the count of failures stays where it was.
      expect((await loginFrom(app, 'colleague0@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
      expect((await loginFrom(app, 'guess49@acme.test', 'Some-Guess-123')).statusCode).toBe(401); // the 50th failure
      expectLimited(await loginFrom(app, 'guess50@acme.test', 'Some-Guess-123'));
      expectLimited(await loginFrom(app, 'colleague1@acme.test', STRONG_PASSWORD)); // the budget is taken before the check
      expect((await loginFrom(app, 'colleague1@acme.test', STRONG_PASSWORD, OTHER_IP)).statusCode).toBe(200);
      app.clock.advance(WINDOW_SEC * 1000);
      expect((await loginFrom(app, 'colleague1@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
    });

    it('lets at most 50 of 200 concurrent wrong guesses be checked: the budget is taken before the password', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '1000', LOGIN_FAILURES_PER_IP_MAX: '50', LOCKOUT_THRESHOLD: '1000' });
      await seedUser(app, { email: 'jane@acme.test' });
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => loginFrom(app, 'jane@acme.test', `Wrong-Guess-${i}`)));
      const statuses = answers.map((response) => response.statusCode);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(50);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(150);
      expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
      const rows = await auditRows(app, 'LOGIN_FAILED');
      expect(rows.length).toBeLessThanOrEqual(50);
    });
  });

  describe('general, unauthenticated', () => {
    it('refuses the request after RATE_LIMIT_MAX_REQUESTS with Retry-After, per client IP', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      for (let i = 0; i < 5; i++) expect((await app.get('/api/auth/me')).statusCode).toBe(401);
      expectLimited(await app.get('/api/auth/me'));
      expectLimited(
        await app.post('/api/auth/register', { setupToken: 'x', name: 'Root', email: 'r@acme.test', password: STRONG_PASSWORD }),
      );
      expect((await app.request({ method: 'GET', url: '/api/auth/me', remoteAddress: OTHER_IP })).statusCode).toBe(401);
      app.clock.advance(WINDOW_SEC * 1000);
      expect((await app.get('/api/auth/me')).statusCode).toBe(401);
    });

    it('audits a refusal once per budget and window, with its bucket, and logs each', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '2' });
      for (let i = 0; i < 2; i++) await app.get('/api/auth/me');
      for (let i = 0; i < 3; i++) expectLimited(await app.get('/api/auth/me'));
      const rows = await auditRows(app, 'RATE_LIMITED');
      expect(rows).toHaveLength(1);
      expect(JSON.parse(String(rows[0]!.details))).toMatchObject({ bucket: 'generalByIp' });
      expect(app.logs.filter((line) => line.event === 'rate_limited' && line.bucket === 'generalByIp')).toHaveLength(3);
    });

    it('counts IPv6 callers by their /64', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '3' });
      const from = (remoteAddress: string) => app.request({ method: 'GET', url: '/api/auth/me', remoteAddress });
      for (const address of ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd']) {
        expect((await from(address)).statusCode).toBe(401);
      }
      expectLimited(await from('2001:db8:1:2::77'));
      expect((await from('2001:db8:1:3::1')).statusCode).toBe(401);
    });

    it('leaves health, the JWKS and check-super-admin outside every limit', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '2' });
      for (let i = 0; i < 10; i++) {
        for (const url of ['/health', '/health/ready', '/.well-known/jwks.json', '/api/auth/check-super-admin']) {
          expect((await app.get(url)).statusCode, url).toBe(200);
        }
      }
      for (let i = 0; i < 2; i++) expect((await app.get('/api/auth/me')).statusCode).toBe(401);
      expectLimited(await app.get('/api/auth/me'));
    });

    it('counts the socket address, not a forged X-Forwarded-For, when TRUST_PROXY is off', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      expect(app.config.trustProxy).toBe(0);
      const forged = (i: number) => app.get('/api/auth/me', { 'x-forwarded-for': `203.0.113.${i}` });
      for (let i = 0; i < 5; i++) expect((await forged(i)).statusCode).toBe(401);
      expectLimited(await forged(99));
      expectLimited(await app.get('/api/auth/me'));
    });

    it('(control) follows X-Forwarded-For when one proxy hop is trusted', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5', TRUST_PROXY: '1' });
      for (let i = 0; i < 8; i++) {
        expect((await app.get('/api/auth/me', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(401);
      }
    });

    it('leaves validate-token and the JWKS outside the general budget', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      await seedUser(app, { email: 'jane@acme.test' });
      const session = await login(app, 'jane@acme.test'); // 1 of 5
      const validate = (token: string) => app.post('/api/auth/validate-token', { token });
      for (let i = 0; i < 10; i++) {
        expect((await validate(session.accessToken)).statusCode).toBe(200);
        expect((await app.get('/.well-known/jwks.json')).statusCode).toBe(200);
      }
      for (let i = 0; i < 5; i++) expect((await app.get('/api/auth/me')).statusCode).toBe(401);
      expectLimited(await app.get('/api/auth/me'));

      const valid = await validate(session.accessToken);
      expect(valid.statusCode).toBe(200);
      expect(valid.json().data.valid).toBe(true);
      const viaHeader = await app.post('/api/auth/validate-token', undefined, bearer(session.accessToken));
      expect(viaHeader.statusCode).toBe(200);
      const invalid = await validate('not.a.token');
      expect(invalid.statusCode).toBe(401);
      expect(invalid.json().data).toEqual({ valid: false });
      expect((await app.get('/.well-known/jwks.json')).statusCode).toBe(200);
    });
  });

  describe('general, authenticated', () => {
    it('counts a signed-in caller per user, not per IP', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5', RATE_LIMIT_MAX_AUTHENTICATED: '50' });
      const perUser = app.config.rateLimit.maxAuthenticated;
      expect(perUser).toBe(50);
      await seedUser(app, { email: 'jane@acme.test' });
      await seedUser(app, { email: 'john@acme.test' });
      const jane = await login(app, 'jane@acme.test');
      const john = await login(app, 'john@acme.test');
      for (let i = 0; i < 5; i++) expect((await app.get('/api/auth/me')).statusCode).toBe(401); // no token: the IP's budget
      expectLimited(await app.get('/api/auth/me'));
      expectLimited(await app.get('/api/auth/me', bearer('forged.token.here'))); // a refused token: the IP's budget too

      for (let i = 0; i < perUser; i++)
        expect((await app.get('/api/auth/me', bearer(jane.accessToken))).statusCode, `me ${i + 1}`).toBe(200);
      expectLimited(await app.get('/api/auth/me', bearer(jane.accessToken)));
      const johnMe = await app.get('/api/auth/me', bearer(john.accessToken));
      expect(johnMe.statusCode).toBe(200);
      expect(johnMe.json().data.email).toBe('john@acme.test');
    });
  });

  describe('verification routes', () => {
    const routes = {
      'verify-registration-otp': { email: 'root@acme.test', otp: '000000' },
      'activate-account': { email: 'new@acme.test', otp: '000000', password: STRONG_PASSWORD },
      'reset-password': { email: 'jane@acme.test', otp: '000000', newPassword: STRONG_PASSWORD },
    };
    for (const [route, body] of Object.entries(routes)) {
      it(`allows 10 failed ${route} calls per 15 minutes per IP`, async () => {
        const app = await build({});
        const call = (remoteAddress = '127.0.0.1') =>
          app.request({ method: 'POST', url: `/api/auth/${route}`, payload: body, remoteAddress });
        for (let i = 0; i < 10; i++) {
          const response = await call();
          expect(response.statusCode, `call ${i + 1}: ${response.body}`).toBe(401);
          expect(response.json().error.code).toBe('INVALID_OTP');
        }
        expectLimited(await call());
        expect((await call(OTHER_IP)).statusCode).toBe(401);
        app.clock.advance(WINDOW_SEC * 1000 - 1_000);
        expectLimited(await call(), 1);
        app.clock.advance(1_000);
        expect((await call()).statusCode).toBe(401);
      });
    }
  });

  it('lets a correct OTP give back its own slot only: the 11th failure is refused, whatever succeeded between', async () => {
    const app = await build({});
    await seedUser(app, { email: 'new@acme.test', password: null });
    const activate = (otp: string, email = 'new@acme.test') =>
      app.post('/api/auth/activate-account', { email, otp, password: STRONG_PASSWORD });
    for (let i = 0; i < 9; i++) expect((await activate('000000', `stranger${i}@acme.test`)).statusCode).toBe(401);
    const mark = app.mailer.mark();
    expect((await app.post('/api/auth/resend-otp', { email: 'new@acme.test', purpose: 'ACCOUNT_ACTIVATION' })).statusCode).toBe(200);
    expect((await activate(await otpFor(app, 'new@acme.test', mark))).statusCode).toBe(200);
    expect((await activate('000000', 'stranger9@acme.test')).statusCode).toBe(401); // the 10th failure
    expectLimited(await activate('000000', 'stranger10@acme.test'));
  });

  describe('refresh-token', () => {
    it('answers a refresh without any token 401 and counts it against nothing', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '2', REFRESH_FAILURES_PER_IP_MAX: '2' });
      for (let i = 0; i < 20; i++) {
        const response = await app.post('/api/auth/refresh-token');
        expect([response.statusCode, response.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
      }
      await seedUser(app, { email: 'jane@acme.test' });
      const session = await login(app, 'jane@acme.test');
      expect((await app.post('/api/auth/refresh-token', { refreshToken: session.refreshToken })).statusCode).toBe(200);
    });

    it('counts rotations per session, and failures per IP', async () => {
      const app = await build({ REFRESH_RATE_LIMIT_MAX: '3', REFRESH_FAILURES_PER_IP_MAX: '4' });
      await seedUser(app, { email: 'jane@acme.test' });
      let token = (await login(app, 'jane@acme.test')).refreshToken;
      for (let i = 0; i < 3; i++) {
        const rotated = await app.post('/api/auth/refresh-token', { refreshToken: token });
        expect(rotated.statusCode).toBe(200);
        token = rotated.json().data.refreshToken;
      }
      expectLimited(await app.post('/api/auth/refresh-token', { refreshToken: token }));
      // The refused call rotated nothing: the same token works once the window has passed.
      app.clock.advance(WINDOW_SEC * 1000);
      expect((await app.post('/api/auth/refresh-token', { refreshToken: token })).statusCode).toBe(200);

      const other = await login(app, 'jane@acme.test');
      for (let i = 0; i < 4; i++) {
        expect((await app.post('/api/auth/refresh-token', { refreshToken: `00000000-0000-4000-8000-00000000000${i}` })).statusCode).toBe(
          401,
        );
      }
      expectLimited(await app.post('/api/auth/refresh-token', { refreshToken: other.refreshToken }));
      const elsewhere = await app.request({
        method: 'POST',
        url: '/api/auth/refresh-token',
        payload: { refreshToken: other.refreshToken },
        remoteAddress: OTHER_IP,
      });
      expect(elsewhere.statusCode).toBe(200);
    });
  });

  describe('project backends', () => {
    it('counts validate-token per project once the token verified, and failures per address, which cannot burn the project', async () => {
      const app = await build({ BACKEND_RATE_LIMIT_MAX: '5' });
      const crm = await seedProject(app, { customProjectId: 'crm' });
      await seedUser(app, { email: 'jane@acme.test', projectIds: [crm.id] });
      const session = await login(app, 'jane@acme.test');
      const opened = await app.post('/api/auth/project-token/crm', undefined, bearer(session.accessToken));
      const projectToken = opened.json().data.projectToken as string;
      const validate = (token: string, remoteAddress: string) =>
        app.request({ method: 'POST', url: '/api/auth/validate-token', payload: { token, projectId: 'crm' }, remoteAddress });

      for (let i = 0; i < 5; i++) expect((await validate('forged.token.value', '10.9.9.9')).statusCode).toBe(401);
      expectLimited(await validate('forged.token.value', '10.9.9.9'), 60);
      for (let i = 0; i < 5; i++) expect((await validate(projectToken, '10.1.1.1')).statusCode).toBe(200);
      expectLimited(await validate(projectToken, '10.2.2.2'), 60); // the project's budget, from any address
      app.clock.advance(60_000);
      expect((await validate(projectToken, '10.9.9.9')).statusCode).toBe(200);
    });
  });

  describe('device cookies', () => {
    const DEVICE = /xtown_device=([^;]+)/;

    it('lets the Super Admin in from a browser it used before while a guesser has locked the account and used up the address', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '1000', LOGIN_FAILURES_PER_IP_MAX: '8', LOCKOUT_THRESHOLD: '5' });
      const root = await registerSuperAdmin(app);
      const email = root.user.email;
      // The owner's browser signed in once: it holds the device cookie (httpOnly, a year, signed).
      const first = await loginFrom(app, email, STRONG_PASSWORD);
      const setCookie = String(first.headers['set-cookie']);
      expect(setCookie).toMatch(/xtown_device=[^;]+;.*HttpOnly/i);
      expect(setCookie).toMatch(/Max-Age=31536000/);
      const device = DEVICE.exec(setCookie)![1]!;
      const mark = app.mailer.mark();

      // The guesser, behind the same office address, without the cookie.
      for (let i = 0; i < 8; i++) expect((await loginFrom(app, email, `Guess-${i}-abcdef`)).statusCode).toBe(401);
      expectLimited(await loginFrom(app, email, STRONG_PASSWORD)); // the address is used up for cookieless browsers
      expect((await loginFrom(app, email, STRONG_PASSWORD, OTHER_IP)).statusCode).toBe(401); // and the account is locked for them

      const owner = (password: string, cookie = `xtown_device=${device}`) =>
        app.request({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { cookie } });
      expect((await owner(STRONG_PASSWORD)).statusCode).toBe(200);
      // Its own budget: a typo or two do not matter; a forged or foreign cookie is no cookie.
      expect((await owner('Typo-Passw0rd')).statusCode).toBe(401);
      expect((await owner(STRONG_PASSWORD)).statusCode).toBe(200);
      expectLimited(await owner(STRONG_PASSWORD, `xtown_device=${device.slice(0, -2)}xx`));

      // Told once, by email, however many more wrong passwords arrive.
      await app.mailer.waitFor((m) => m.to === email && /locked/i.test(m.subject), 3000, mark);
      for (let i = 0; i < 3; i++) await loginFrom(app, email, `More-${i}-abcdef`, '10.3.3.3');
      expect(app.mailer.sent.slice(mark).filter((m) => /locked/i.test(m.subject))).toHaveLength(1);
    });

    it('keeps a device cookie to its account: it does not open another account past its lockout', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '1000', LOCKOUT_THRESHOLD: '3' });
      await seedUser(app, { email: 'jane@acme.test' });
      await seedUser(app, { email: 'john@acme.test' });
      const jane = await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD);
      const cookie = `xtown_device=${DEVICE.exec(String(jane.headers['set-cookie']))![1]}`;
      for (let i = 0; i < 3; i++) expect((await loginFrom(app, 'john@acme.test', `Guess-${i}-abcdef`, OTHER_IP)).statusCode).toBe(401);
      const johnFromJanesBrowser = await app.request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'john@acme.test', password: STRONG_PASSWORD },
        headers: { cookie },
      });
      expect(johnFromJanesBrowser.statusCode).toBe(401);
    });
  });

  it('serves an office of 500 behind one address under the default limits: sign in, /me, refresh, reload, and not one 429', async () => {
    t = await buildTestApp({
      env: {
        // The defaults of API.md's Limits table (the test helper raises some for the other suites).
        RATE_LIMIT_MAX_REQUESTS: '100',
        RATE_LIMIT_MAX_AUTHENTICATED: '1000',
        LOGIN_RATE_LIMIT_MAX: '5',
        LOGIN_FAILURES_PER_IP_MAX: '50',
        PASSWORD_HASH: 'bcrypt',
        BCRYPT_ROUNDS: '4',
      },
    });
    const app = t;
    const hash = await app.container.hasher.hash(STRONG_PASSWORD);
    for (let i = 0; i < 500; i++) await seedUser(app, { email: `staff${i}@acme.test`, passwordHash: hash });
    const statuses: number[] = [];
    for (let i = 0; i < 500; i++) {
      const signedIn = await loginFrom(app, `staff${i}@acme.test`, STRONG_PASSWORD, '198.51.100.10');
      statuses.push(signedIn.statusCode);
      const { accessToken, refreshToken } = signedIn.json().data;
      const from = { remoteAddress: '198.51.100.10' };
      statuses.push((await app.request({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken), ...from })).statusCode);
      statuses.push((await app.request({ method: 'POST', url: '/api/auth/refresh-token', payload: { refreshToken }, ...from })).statusCode);
      statuses.push((await app.request({ method: 'GET', url: '/api/auth/check-super-admin', ...from })).statusCode);
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(statuses).toHaveLength(2000);
  }, 120_000);
});
