import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';

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

    it('lets other emails from the same IP in until the per-IP cap, and leaves other IPs alone', async () => {
      const app = await build({ LOGIN_RATE_LIMIT_MAX: '5' });
      const perIp = app.config.rateLimit.loginMaxPerIp;
      expect(perIp).toBe(50);
      await seedUser(app, { email: 'jane@acme.test' });
      await seedUser(app, { email: 'john@acme.test' });
      for (let i = 0; i < 5; i++) expect((await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
      expectLimited(await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD));
      expect((await loginFrom(app, 'john@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);

      // Seven logins so far from this IP (the refused one counts too); unknown emails (one try each)
      // bring it to one below the cap.
      for (let i = 7; i < perIp - 1; i++) {
        expect((await loginFrom(app, `guess${i}@acme.test`, 'Some-Guess-123')).statusCode, `login ${i + 1}`).toBe(401);
      }
      expect((await loginFrom(app, 'john@acme.test', STRONG_PASSWORD)).statusCode).toBe(200); // the 50th
      expectLimited(await loginFrom(app, 'john@acme.test', STRONG_PASSWORD));
      expectLimited(await loginFrom(app, 'fresh@acme.test', 'Some-Guess-123'));

      expect((await loginFrom(app, 'john@acme.test', STRONG_PASSWORD, OTHER_IP)).statusCode).toBe(200);
      expect((await loginFrom(app, 'jane@acme.test', STRONG_PASSWORD, '10.0.0.8')).statusCode).toBe(200);
    });
  });

  describe('general, unauthenticated', () => {
    it('refuses the request after RATE_LIMIT_MAX_REQUESTS with Retry-After, per client IP', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      for (let i = 0; i < 5; i++) expect((await app.get('/api/auth/check-super-admin')).statusCode).toBe(200);
      expectLimited(await app.get('/api/auth/check-super-admin'));
      expectLimited(await app.post('/api/auth/login', { email: 'jane@acme.test', password: STRONG_PASSWORD }));
      expect((await app.request({ method: 'GET', url: '/api/auth/check-super-admin', remoteAddress: OTHER_IP })).statusCode).toBe(200);
      app.clock.advance(WINDOW_SEC * 1000);
      expect((await app.get('/api/auth/check-super-admin')).statusCode).toBe(200);
    });

    it('counts the socket address, not a forged X-Forwarded-For, when TRUST_PROXY is off', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      expect(app.config.trustProxy).toBe(0);
      const forged = (i: number) => app.get('/api/auth/check-super-admin', { 'x-forwarded-for': `203.0.113.${i}` });
      for (let i = 0; i < 5; i++) expect((await forged(i)).statusCode).toBe(200);
      expectLimited(await forged(99));
      expectLimited(await app.get('/api/auth/check-super-admin'));
    });

    it('(control) follows X-Forwarded-For when one proxy hop is trusted', async () => {
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5', TRUST_PROXY: '1' });
      for (let i = 0; i < 8; i++) {
        expect((await app.get('/api/auth/check-super-admin', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
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
      for (let i = 0; i < 4; i++) expect((await app.get('/api/auth/check-super-admin')).statusCode).toBe(200);
      expectLimited(await app.get('/api/auth/check-super-admin'));

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
      const app = await build({ RATE_LIMIT_MAX_REQUESTS: '5' });
      const perUser = app.config.rateLimit.maxAuthenticated;
      expect(perUser).toBe(50);
      await seedUser(app, { email: 'jane@acme.test' });
      await seedUser(app, { email: 'john@acme.test' });
      const jane = await login(app, 'jane@acme.test');
      const john = await login(app, 'john@acme.test');
      for (let i = 0; i < 3; i++) expect((await app.get('/api/auth/check-super-admin')).statusCode).toBe(200);
      expectLimited(await app.get('/api/auth/check-super-admin'));
      expectLimited(await app.get('/api/auth/me')); // no token: the IP's budget
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
      it(`allows 10 ${route} calls per 15 minutes per IP`, async () => {
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
});
