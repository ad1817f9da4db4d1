import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, seedUser, SETUP_TOKEN, STRONG_PASSWORD, type Session, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { closedPort, deletePrefix, openTestRedis, TEST_REDIS_PORT, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

/**
 * Two instances of one service: two apps (containers) on one database, and with `redis` one Redis
 * under one key prefix. On SQLite the two share one file, as PM2 cluster mode on one machine would.
 */
describe(`several instances behave as one service (${TEST_DIALECT})`, () => {
  const apps: TestApp[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    // The first app owns (and drops) the database: the others leave first.
    for (const app of apps.splice(0).reverse()) await app.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function pair(options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<[TestApp, TestApp]> {
    const redisKeyPrefix = uniqueRedisPrefix('instances');
    if (options.redisUrl) {
      const raw = await openTestRedis();
      cleanups.push(async () => {
        await deletePrefix(raw, redisKeyPrefix);
        raw.disconnect();
      });
    }
    const env = { ...options.env, ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}) };
    const a = await buildTestApp({ env, redisKeyPrefix });
    apps.push(a);
    const b = await buildTestApp({ env, redisKeyPrefix, joinDatabase: a.sharedDatabaseUrl });
    apps.push(b);
    return [a, b];
  }
  const proxyToRedis = async (): Promise<TcpProxy> => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: TEST_REDIS_PORT });
    cleanups.push(() => proxy.close());
    return proxy;
  };
  const wrongLogin = (t: TestApp, email: string, ip = '10.0.0.7') =>
    t.request({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'Not-The-Passw0rd' }, remoteAddress: ip });
  const ready = async (t: TestApp) => {
    const response = await t.get('/health/ready');
    return { status: response.statusCode, data: response.json().data as Record<string, string> };
  };
  const events = (t: TestApp, name: string) => t.logs.filter((line) => line.event === name).length;
  /** Each instance's mailer mark, taken before a request whose email either outbox worker may send. */
  const marks = (apps: TestApp[]) => apps.map((t) => t.mailer.mark());
  /** The OTP sent to `to` after `since` (marks() before the request), by either instance's outbox worker. */
  async function otpFromEither(apps: TestApp[], to: string, since: number[]): Promise<string> {
    const email = await until(
      `OTP email to ${to}`,
      () => apps.flatMap((t, i) => t.mailer.sent.slice(since[i])).find((m) => m.to === to && /\b\d{6}\b/.test(m.text)),
      3000,
    );
    return /\b(\d{6})\b/.exec(email.text)![1]!;
  }
  async function registerRoot(a: TestApp, b: TestApp): Promise<Session> {
    const email = 'root@acme.test';
    const since = marks([a, b]);
    expect(
      (await a.post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root Admin', email, password: STRONG_PASSWORD })).statusCode,
    ).toBe(201);
    const verified = await a.post('/api/auth/verify-registration-otp', { email, otp: await otpFromEither([a, b], email, since) });
    expect(verified.statusCode).toBe(200);
    return verified.json().data as Session;
  }

  describe('limits', () => {
    it('counts login attempts spread over both instances together when they share Redis', async () => {
      const [a, b] = await pair({ redisUrl: TEST_REDIS_URL, env: { LOGIN_RATE_LIMIT_MAX: '5' } });
      expect(a.container.redis?.available()).toBe(true);
      for (const t of [a, b, a, b, a]) expect((await wrongLogin(t, 'nobody@acme.test')).statusCode).toBe(401);
      const sixth = await wrongLogin(b, 'nobody@acme.test');
      expect(sixth.statusCode).toBe(429);
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      expect((await wrongLogin(a, 'nobody@acme.test')).statusCode).toBe(429);
      // Another IP has its own budget on both instances.
      expect((await wrongLogin(a, 'nobody@acme.test', '10.0.0.8')).statusCode).toBe(401);
    });

    it('without Redis each instance counts alone (what REDIS_URL is for)', async () => {
      const [a, b] = await pair({ env: { LOGIN_RATE_LIMIT_MAX: '5' } });
      for (const t of [a, b, a, b, a]) expect((await wrongLogin(t, 'nobody@acme.test')).statusCode).toBe(401);
      // B has seen 3, A 3: both still answer; A refuses only after its own fifth.
      expect((await wrongLogin(b, 'nobody@acme.test')).statusCode).toBe(401);
      for (let i = 0; i < 2; i++) expect((await wrongLogin(a, 'nobody@acme.test')).statusCode).toBe(401);
      expect((await wrongLogin(a, 'nobody@acme.test')).statusCode).toBe(429);
    });

    it('shares the lockout through the database: 40 parallel wrong passwords over both instances lock at the threshold', async () => {
      const [a, b] = await pair();
      const id = await seedUser(a, { email: 'lee@acme.test' });
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => wrongLogin(i % 2 ? a : b, 'LEE@acme.test', `10.1.0.${i}`)));
      expect(answers.map((r) => r.statusCode)).toEqual(Array(40).fill(401));
      const row = await a.container.store.repos.users.findById(id);
      expect(row?.failedLoginCount).toBe(5);
      expect(row?.lockedUntil).not.toBeNull();
      // The right password on either instance still gets the generic 401 while locked.
      const right = await b.request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'lee@acme.test', password: STRONG_PASSWORD },
        remoteAddress: '10.2.0.1',
      });
      expect(right.statusCode).toBe(401);
      expect(right.json().error.code).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('Redis unreachable', () => {
    it('keeps answering logins, limits them in memory, and reports Redis unhealthy without failing readiness', async () => {
      const started = Date.now();
      const [a] = await pair({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, env: { LOGIN_RATE_LIMIT_MAX: '5' } });
      expect(Date.now() - started).toBeLessThan(3000); // start-up does not hang on Redis
      await seedUser(a, { email: 'ann@acme.test' });
      expect((await login(a, 'ann@acme.test')).accessToken).toBeTruthy();
      for (let i = 0; i < 5; i++) expect((await wrongLogin(a, 'nobody@acme.test')).statusCode).toBe(401);
      const refused = await wrongLogin(a, 'nobody@acme.test');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(await ready(a)).toEqual({ status: 200, data: { database: 'healthy', redis: 'unhealthy' } });
      expect(events(a, 'redis_unavailable')).toBe(1);
    });

    it('notices Redis going away and coming back: readiness follows, each switch is logged once', async () => {
      const proxy = await proxyToRedis();
      const [a] = await pair({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
      expect(await ready(a)).toEqual({ status: 200, data: { database: 'healthy', redis: 'healthy' } });
      await proxy.cut('refuse');
      await until('redis unhealthy', async () => (await ready(a)).data.redis === 'unhealthy', 3000);
      expect((await ready(a)).status).toBe(200);
      expect((await wrongLogin(a, 'nobody@acme.test')).statusCode).toBe(401);
      await proxy.restore();
      await until('redis healthy again', async () => (await ready(a)).data.redis === 'healthy', 5000);
      expect(events(a, 'redis_unavailable')).toBe(1);
      expect(events(a, 'redis_recovered')).toBe(1);
    });
  });

  describe.each([
    { transport: 'redis', redisUrl: TEST_REDIS_URL },
    { transport: 'database', redisUrl: undefined },
  ])('revocation reaches the other instance within a second ($transport)', ({ transport, redisUrl }) => {
    /** The token works on B (which warms B's cache: its fixed clock never lets the TTL expire), then is refused within a second. */
    async function expectRefusedOnB(b: TestApp, tokens: string[], revoke: () => Promise<void>) {
      for (const token of tokens) {
        expect((await b.get('/api/auth/me', bearer(token))).statusCode).toBe(200);
        expect((await b.post('/api/auth/validate-token', { token })).json().data.valid).toBe(true);
      }
      await revoke();
      const started = Date.now();
      await until(
        'tokens refused by instance B',
        async () => {
          for (const token of tokens) if ((await b.get('/api/auth/me', bearer(token))).statusCode !== 401) return false;
          return true;
        },
        1000,
      );
      expect(Date.now() - started).toBeLessThan(1000);
      for (const token of tokens) expect((await b.post('/api/auth/validate-token', { token })).json().data).toEqual({ valid: false });
    }

    it('suspension through A', async () => {
      const [a, b] = await pair({ redisUrl });
      expect(b.container.revocation.mode).toBe(transport);
      const root = await registerRoot(a, b);
      const id = await seedUser(a, { email: 'sam@acme.test' });
      const session = await login(b, 'sam@acme.test');
      await expectRefusedOnB(b, [session.accessToken], async () => {
        expect((await a.post(`/api/users/${id}/suspend`, { reason: 'Policy' }, bearer(root.accessToken))).statusCode).toBe(200);
      });
    });

    it('logout of all devices through A', async () => {
      const [a, b] = await pair({ redisUrl });
      await seedUser(a, { email: 'sue@acme.test' });
      const first = await login(a, 'sue@acme.test');
      const second = await login(b, 'sue@acme.test');
      await expectRefusedOnB(b, [first.accessToken, second.accessToken], async () => {
        expect((await a.post('/api/auth/logout', { allDevices: true }, bearer(first.accessToken))).statusCode).toBe(200);
      });
    });

    it('password reset through A', async () => {
      const [a, b] = await pair({ redisUrl });
      await seedUser(a, { email: 'max@acme.test' });
      const session = await login(a, 'max@acme.test');
      await expectRefusedOnB(b, [session.accessToken], async () => {
        const since = marks([a, b]);
        expect((await a.post('/api/auth/forgot-password', { email: 'max@acme.test' })).statusCode).toBe(200);
        const otp = await otpFromEither([a, b], 'max@acme.test', since);
        expect(
          (await a.post('/api/auth/reset-password', { email: 'max@acme.test', otp, newPassword: 'Brand-New-Passw0rd' })).statusCode,
        ).toBe(200);
      });
    });
  });
});
