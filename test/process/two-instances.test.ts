import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';
import { startSmtpPeer, type SmtpPeer } from '../helpers/mailer.js';
import { openTestRedis, TEST_REDIS_URL } from '../helpers/redis.js';
import { until } from '../helpers/until.js';
import { startService, type Service } from './service.js';

const SETUP_TOKEN = 'two-instances-setup-token-0123456789';
const PASSWORD = 'Corr3ct-Horse-Battery';
const CLEANUP_INTERVAL_MS = 1000;

/**
 * Two real processes of src/main.ts on two ports, one PostgreSQL database and one Redis: what a load
 * balancer in front of PM2 cluster mode or two containers would see. The Redis key prefix is not
 * configurable, so the counters are kept apart from other runs by a client IP of this run's own
 * (TRUST_PROXY=1 and X-Forwarded-For from 127.0.0.1) and unique emails.
 */
describe.skipIf(TEST_DIALECT !== 'postgres')(
  'two processes on one PostgreSQL and one Redis behave as one service (needs TEST_DB=postgres: the issue asks for PostgreSQL + Redis)',
  () => {
    let database: TestDatabase;
    let smtp: SmtpPeer;
    let a: Service;
    let b: Service;
    const run = Date.now().toString(36);
    const clientIp = `10.${randomInt(1, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;
    const rootEmail = `root-${run}@x.test`;

    const call = (service: Service, method: string, path: string, body?: object, headers: Record<string, string> = {}) =>
      fetch(`${service.base}${path}`, {
        method,
        headers: { 'x-forwarded-for': clientIp, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
    const post = (service: Service, path: string, body: object, headers?: Record<string, string>) =>
      call(service, 'POST', path, body, headers);
    /** The code of the first email to `to` the SMTP peer received after `mark` (its message count before the request). */
    const otpIn = (to: string, mark: number) =>
      smtp.messages
        .slice(mark)
        .filter((m) => m.to === to)
        .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1])
        .find(Boolean);
    const outboxRows = async (kind: string) => {
      const raw = await createDb(database.url, { poolSize: 1 });
      try {
        return await raw.db.selectFrom('email_outbox').select(['status', 'attempts']).where('kind', '=', kind).execute();
      } finally {
        await raw.destroy();
      }
    };

    beforeAll(async () => {
      (await openTestRedis()).disconnect(); // fails, with a clear message, when Redis is not there
      database = await createTestDatabase('postgres');
      smtp = await startSmtpPeer();
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        JWT_SECRET: 'two-instances-secret-that-is-long-enough-0123',
        SETUP_TOKEN,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SMTP_FROM: 'Xtown Authenticator <noreply@x.test>',
        TRUST_PROXY: '1',
        // One service behind one address: both instances issue and accept the same iss and aud.
        PUBLIC_URL: 'http://auth.two-instances.test',
        LOGIN_RATE_LIMIT_MAX: '5',
        RATE_LIMIT_MAX_REQUESTS: '100000',
        TOKEN_CLEANUP_INTERVAL_MS: String(CLEANUP_INTERVAL_MS),
        // The skipped runs are logged at debug.
        LOG_LEVEL: 'debug',
      };
      // One after the other: the first migrates the database.
      a = await startService(env);
      b = await startService(env);
    }, 40_000);

    afterAll(async () => {
      a?.kill();
      b?.kill();
      await smtp?.stop();
      await database?.drop();
    });

    it('an email promised through A is delivered once, though both instances run outbox workers', async () => {
      const mark = smtp.messages.length;
      const registered = await post(a, '/api/auth/register', {
        setupToken: SETUP_TOKEN,
        name: 'Root',
        email: rootEmail,
        password: PASSWORD,
      });
      expect(registered.status).toBe(201);
      const otp = await until('registration email at the SMTP peer', () => otpIn(rootEmail, mark), 5000);
      // A second delivery needs a second claim of the row, and a claim counts an attempt: once the row is
      // SENT (never claimed again), one attempt means no other worker ever held it.
      const [row] = await until(
        'the outbox row marked sent',
        async () => {
          const rows = await outboxRows('REGISTRATION_OTP');
          return rows[0]?.status === 'SENT' && rows;
        },
        5000,
      );
      expect(Number(row!.attempts)).toBe(1);
      expect(smtp.messages.filter((m) => m.to === rootEmail)).toHaveLength(1);
      // And it works through the other instance.
      expect((await post(b, '/api/auth/verify-registration-otp', { email: rootEmail, otp })).status).toBe(200);
    });

    it('login attempts spread over both instances hit LOGIN_RATE_LIMIT_MAX together: the 6th gets 429 with Retry-After', async () => {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 6; i += 1) {
        last = await post(i % 2 === 0 ? a : b, '/api/auth/login', { email: `nobody-${run}@x.test`, password: 'Not-The-Passw0rd' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('a logout of all devices through A makes B refuse the access token within a second', async () => {
      const login = await post(a, '/api/auth/login', { email: rootEmail, password: PASSWORD });
      expect(login.status).toBe(200);
      const { accessToken, refreshToken } = ((await login.json()) as { data: { accessToken: string; refreshToken: string } }).data;
      const auth = { authorization: `Bearer ${accessToken}` };
      expect((await post(b, '/api/auth/validate-token', { token: accessToken })).status).toBe(200);

      expect((await post(a, '/api/auth/logout', { refreshToken, allDevices: true }, auth)).status).toBe(200);
      await until(
        'B refusing the token within a second of the logout',
        async () => (await post(b, '/api/auth/validate-token', { token: accessToken })).status === 401,
        1000,
      );
      expect((await call(b, 'GET', '/api/auth/me', undefined, auth)).status).toBe(401);
    });

    it('a user suspended through A has its token refused by B within a second', async () => {
      const root = (
        (await (await post(a, '/api/auth/login', { email: rootEmail, password: PASSWORD })).json()) as { data: { accessToken: string } }
      ).data;
      const rootAuth = { authorization: `Bearer ${root.accessToken}` };
      const adminEmail = `admin-${run}@x.test`;
      const mark = smtp.messages.length;
      const created = await post(a, '/api/users/project-admin', { name: 'Admin', email: adminEmail }, rootAuth);
      expect(created.status).toBe(201);
      const adminId = ((await created.json()) as { data: { id: number } }).data.id;
      const otp = await until('activation email at the SMTP peer', () => otpIn(adminEmail, mark), 5000);
      const activated = await post(b, '/api/auth/activate-account', { email: adminEmail, otp, password: PASSWORD });
      expect(activated.status).toBe(200);
      const { accessToken } = ((await activated.json()) as { data: { accessToken: string } }).data;
      expect((await post(b, '/api/auth/validate-token', { token: accessToken })).status).toBe(200);

      expect((await post(a, `/api/users/${adminId}/suspend`, { reason: 'two-instance test' }, rootAuth)).status).toBe(200);
      await until(
        'B refusing the token within a second of the suspension',
        async () => (await post(b, '/api/auth/validate-token', { token: accessToken })).status === 401,
        1000,
      );
    });

    it('the cleanup runs on one instance per interval (the other finds the lease taken)', async () => {
      // Both have been up several intervals by now; let a few more pass.
      await until('four cleanup runs', () => cleanupLines(a, b, 'cleanup').length >= 4, 8000);
      const runs = cleanupLines(a, b, 'cleanup');
      const skipped = cleanupLines(a, b, 'cleanup_skipped');
      expect(runs.every((line) => typeof line.holder === 'string')).toBe(true);
      // Each tick of either instance either ran or was refused the lease; never two runs in one interval.
      expect(skipped.length).toBeGreaterThan(0);
      const times = runs.map((line) => Date.parse(String(line.time))).sort((x, y) => x - y);
      for (let i = 1; i < times.length; i += 1)
        expect(times[i]! - times[i - 1]!, `runs at ${runs.map((line) => String(line.time)).join(', ')}`).toBeGreaterThan(
          CLEANUP_INTERVAL_MS * 0.7,
        );
    });
  },
);

function cleanupLines(a: Service, b: Service, event: string) {
  return [...a.logs(), ...b.logs()].filter((line) => line.event === event);
}
