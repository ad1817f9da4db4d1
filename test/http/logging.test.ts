import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import {
  bearer,
  buildTestApp,
  login,
  otpFor,
  registerSuperAdmin,
  seedUser,
  SETUP_TOKEN,
  STRONG_PASSWORD,
  type TestApp,
} from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { fromDashboard } from './tokens-fixture.js';

const WRONG = 'Wr0ng-Guess-Of-Mine';
const NEW_PASSWORD = 'Second-Batt3ry-Staple';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MINUTE = 60_000;

describe(`logs: request ids, security events, redaction (${TEST_DIALECT})`, () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  /** The log lines a request wrote (the calls here run one at a time). */
  const linesOf = async (call: () => Promise<unknown>) => {
    const from = t.logs.length;
    await call();
    return t.logs.slice(from);
  };

  describe('request id', () => {
    it('keeps a sane x-request-id, replaces any other with a fresh UUID, and returns it', async () => {
      t = await buildTestApp();
      const idOf = async (value?: string) => {
        const response = await t.request({
          method: 'GET',
          url: '/api/auth/check-super-admin',
          headers: value === undefined ? {} : { 'x-request-id': value },
        });
        return String(response.headers['x-request-id']);
      };
      for (const sane of ['trace-abc-123', 'A.b_C-9', 'x'.repeat(128), '0']) expect(await idOf(sane)).toBe(sane);
      const fresh = new Set<string>();
      for (const insane of [undefined, '', 'x'.repeat(129), 'has space', 'semi;colon', '<script>', 'café', 'a/b', '{"json":1}']) {
        const id = await idOf(insane);
        expect(id, String(insane)).toMatch(UUID);
        fresh.add(id);
      }
      expect(fresh.size).toBe(9);
    });

    it('is on every line a request writes, those of the services included', async () => {
      t = await buildTestApp();
      await seedUser(t, { email: 'jane@acme.test' });
      const lines = await linesOf(() =>
        t.post('/api/auth/login', { email: 'jane@acme.test', password: WRONG }, { 'x-request-id': 'trace-login-1' }),
      );
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'login failed', 'request completed']));
      for (const line of lines) expect(line.reqId, JSON.stringify(line)).toBe('trace-login-1');
      // Once: a duplicated key would be read differently by different log tools.
      const raw = t.rawLogs.find((line) => line.includes('"event":"login_failed"'))!;
      expect(raw.match(/"reqId":/g)).toHaveLength(1);

      const generated = await linesOf(() => t.post('/api/auth/login', { email: 'jane@acme.test', password: WRONG }));
      const ids = new Set(generated.map((line) => line.reqId));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(UUID);
    });

    it('follows the work into the services over a real socket, the body arriving after the headers', async () => {
      t = await buildTestApp();
      await seedUser(t, { email: 'jane@acme.test' });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const body = JSON.stringify({ email: 'jane@acme.test', password: WRONG });
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(
        `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Request-Id: over-the-wire-7\r\nConnection: close\r\n\r\n`,
      );
      // The body comes in a later packet: parsed from stream events, outside the onRequest call.
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.write(body);
      await new Promise((resolve) => socket.on('close', resolve));
      expect(received).toMatch(/^HTTP\/1\.1 401/);
      expect(received).toMatch(/\r\nx-request-id: over-the-wire-7\r\n/i);
      expect(t.logs.find((line) => line.event === 'login_failed')?.reqId).toBe('over-the-wire-7');
    });

    it('leaves background work (the outbox worker) without a request id', async () => {
      t = await buildTestApp();
      await seedUser(t, { email: 'jane@acme.test' });
      expect((await t.post('/api/auth/forgot-password', { email: 'jane@acme.test' })).statusCode).toBe(200);
      await t.mailer.waitFor((m) => m.to === 'jane@acme.test');
      await expect.poll(() => t.logs.find((line) => line.msg === 'email sent')).toBeDefined();
      expect(t.logs.find((line) => line.msg === 'email sent')!.reqId).toBeUndefined();
    });
  });

  describe('security events', () => {
    it('names each event, at warn level, with the request id and without a secret', async () => {
      t = await buildTestApp({ env: { LOCKOUT_THRESHOLD: '2', LOGIN_RATE_LIMIT_MAX: '4', LOG_LEVEL: 'trace' } });
      const root = await registerSuperAdmin(t);
      const janeId = await seedUser(t, { email: 'jane@acme.test' });
      await seedUser(t, { email: 'bob@acme.test' });
      const events = () => t.logs.filter((line) => typeof line.event === 'string');
      const eventOf = (name: string) => events().filter((line) => line.event === name);
      const post = (url: string, body: unknown, id: string, headers: Record<string, string> = {}) =>
        t.post(url, body, { 'x-request-id': id, ...headers });

      // Failed logins, then the lockout at the threshold, then the login limit.
      expect((await post('/api/auth/login', { email: 'bob@acme.test', password: WRONG }, 'bob-1')).statusCode).toBe(401);
      expect((await post('/api/auth/login', { email: 'bob@acme.test', password: WRONG }, 'bob-2')).statusCode).toBe(401);
      expect((await post('/api/auth/login', { email: 'bob@acme.test', password: STRONG_PASSWORD }, 'bob-3')).statusCode).toBe(401);
      expect((await post('/api/auth/login', { email: 'bob@acme.test', password: STRONG_PASSWORD }, 'bob-4')).statusCode).toBe(401);
      expect((await post('/api/auth/login', { email: 'bob@acme.test', password: STRONG_PASSWORD }, 'bob-5')).statusCode).toBe(429);
      expect(eventOf('login_failed').map((line) => [line.reqId, line.reason])).toEqual([
        ['bob-1', 'wrong_password'],
        ['bob-2', 'wrong_password'],
        ['bob-3', 'locked'],
        ['bob-4', 'locked'],
      ]);
      expect(eventOf('account_locked').map((line) => line.reqId)).toEqual(['bob-2']);
      expect(eventOf('rate_limited').map((line) => [line.reqId, line.bucket])).toEqual([['bob-5', 'loginByIpAndEmail']]);

      // A refresh token used twice.
      const jane = await login(t, 'jane@acme.test');
      expect((await post('/api/auth/refresh-token', { refreshToken: jane.refreshToken }, 'refresh-1')).statusCode).toBe(200);
      expect((await post('/api/auth/refresh-token', { refreshToken: jane.refreshToken }, 'refresh-2')).statusCode).toBe(401);
      expect(eventOf('refresh_token_reuse').map((line) => [line.reqId, line.userId])).toEqual([['refresh-2', janeId]]);

      // A suspension.
      expect(
        (await post(`/api/users/${janeId}/suspend`, { reason: 'Left the company' }, 'suspend-1', bearer(root.accessToken))).statusCode,
      ).toBe(200);
      expect(eventOf('user_suspended').map((line) => [line.reqId, line.userId, line.by])).toEqual([['suspend-1', janeId, root.user.id]]);

      // 20 wrong reset codes within 24 h lock the OTP checks (3 codes an hour: 20 minutes apart).
      const otps: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const mark = t.mailer.mark();
        expect((await t.post('/api/auth/forgot-password', { email: 'bob@acme.test' })).statusCode).toBe(200);
        const otp = await otpFor(t, 'bob@acme.test', mark);
        otps.push(otp);
        for (let i = 1; i <= 5; i += 1) {
          const wrong = String((Number(otp) + i) % 1_000_000).padStart(6, '0');
          expect(
            (await post('/api/auth/reset-password', { email: 'bob@acme.test', otp: wrong, newPassword: NEW_PASSWORD }, `otp-${round}-${i}`))
              .statusCode,
          ).toBe(401);
        }
        t.clock.advance(20 * MINUTE);
      }
      expect(eventOf('otp_lockout').map((line) => [line.reqId, line.purpose])).toEqual([['otp-3-5', 'FORGOT_PASSWORD']]);

      for (const line of events().filter((l) => l.event !== 'started')) {
        expect(line.level, JSON.stringify(line)).toBe(40);
        expect(line.reqId, JSON.stringify(line)).toEqual(expect.any(String));
      }
      // At trace level nothing written is a secret: not the passwords, the codes, the tokens or the setup token.
      const all = t.rawLogs.join('\n');
      for (const secret of [
        STRONG_PASSWORD,
        WRONG,
        NEW_PASSWORD,
        jane.refreshToken,
        jane.accessToken,
        root.accessToken,
        root.refreshToken,
        SETUP_TOKEN,
        t.config.jwtSecret,
      ]) {
        expect(all.includes(secret), `a secret in the logs: ${secret.slice(0, 12)}…`).toBe(false);
      }
      for (const otp of otps) expect(all).not.toMatch(new RegExp(`(?<![A-Za-z0-9])${otp}(?![A-Za-z0-9])`));
    });
  });

  describe('redaction', () => {
    it('censors authorization headers, cookies, passwords, OTPs and tokens wherever the paths reach', () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logger = createLogger({ logLevel: 'trace' }, sink);
      const secrets = {
        bearer: 'Bearer eyJhbGciOiJFZERTQSJ9.secret-access.sig',
        cookie: 'xtown_refresh=refresh-in-a-cookie-123',
        setCookie: 'xtown_refresh=refresh-set-cookie-456; HttpOnly',
        password: 'Plain-Passw0rd-One',
        otp: '482913',
        token: 'token-value-789',
        refresh: 'refresh-value-abc',
        secret: 'client-secret-def',
      };
      logger.trace(
        {
          req: { headers: { authorization: secrets.bearer, cookie: secrets.cookie, 'x-setup-token': SETUP_TOKEN } },
          res: { headers: { 'set-cookie': secrets.setCookie } },
        },
        'request',
      );
      logger.trace({ headers: { authorization: secrets.bearer, cookie: secrets.cookie } }, 'headers');
      logger.trace({ upstream: { headers: { authorization: secrets.bearer, cookie: secrets.cookie } } }, 'nested headers');
      logger.trace(
        {
          body: {
            password: secrets.password,
            newPassword: secrets.password,
            currentPassword: secrets.password,
            otp: secrets.otp,
            code: secrets.token,
            token: secrets.token,
            refreshToken: secrets.refresh,
            accessToken: secrets.token,
            projectToken: secrets.token,
            clientSecret: secrets.secret,
            setupToken: SETUP_TOKEN,
          },
        },
        'body',
      );
      logger.trace(
        {
          password: secrets.password,
          newPassword: secrets.password,
          otp: secrets.otp,
          token: secrets.token,
          refreshToken: secrets.refresh,
          accessToken: secrets.token,
          clientSecret: secrets.secret,
          setupToken: SETUP_TOKEN,
        },
        'top level',
      );

      expect(lines).toHaveLength(5);
      const all = lines.join('');
      for (const [label, value] of Object.entries({ ...secrets, setup: SETUP_TOKEN })) expect(all.includes(value), label).toBe(false);
      expect(JSON.parse(lines[0]!).req.headers).toEqual({
        authorization: '[redacted]',
        cookie: '[redacted]',
        'x-setup-token': '[redacted]',
      });
      expect(JSON.parse(lines[3]!).body.password).toBe('[redacted]');
      expect(JSON.parse(lines[4]!).otp).toBe('[redacted]');
    });

    it('writes neither the Authorization header nor the cookie of a request, at trace level', async () => {
      t = await buildTestApp({ env: { LOG_LEVEL: 'trace' } });
      await seedUser(t, { email: 'jane@acme.test' });
      const jane = await login(t, 'jane@acme.test');
      const lines = await linesOf(async () => {
        expect((await t.get('/api/auth/me', bearer(jane.accessToken))).statusCode).toBe(200);
        // The cookie on a route that logs each request (refresh-token logs at warn only: it is audited instead).
        expect(
          (await t.request({ method: 'POST', url: '/api/auth/logout', headers: fromDashboard(t, jane.refreshToken) })).statusCode,
        ).toBe(200);
      });
      expect(lines.length).toBeGreaterThanOrEqual(4);
      const text = JSON.stringify(lines);
      expect(text).not.toContain(jane.accessToken);
      expect(text).not.toContain(jane.refreshToken);
    });
  });
});
