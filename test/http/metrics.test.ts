import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerSuperAdmin, seedProject, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { basic, openSse } from '../helpers/sse.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { until } from '../helpers/until.js';
import { parseExposition, type Exposition } from '../helpers/prometheus.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const WRONG = 'Wr0ng-Guess-Of-Mine';

describe(`GET /metrics (${TEST_DIALECT})`, () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  const scrape = async (): Promise<Exposition> => {
    const response = await t.get('/metrics');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(response.body);
  };
  const login = (email: string, password = STRONG_PASSWORD) => t.post('/api/auth/login', { email, password });

  it('counts logins by outcome, by the right amounts', async () => {
    t = await buildTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '3', LOCKOUT_THRESHOLD: '2' } });
    await seedUser(t, { email: 'jane@acme.test' });
    await seedUser(t, { email: 'bob@acme.test' });
    await seedUser(t, { email: 'tom@acme.test', isActive: false });
    await seedUser(t, { email: 'sue@acme.test', isSuspended: true });

    const before = await scrape();
    const outcomes = ['success', 'invalid_credentials', 'locked', 'not_activated', 'suspended', 'rate_limited'];
    expect(before.types.get('xtown_logins_total')).toBe('counter');
    for (const outcome of outcomes) expect(before.value('xtown_logins_total', { outcome }), outcome).toBe(0);

    expect((await login('jane@acme.test')).statusCode).toBe(200);
    expect((await login('jane@acme.test')).statusCode).toBe(200);
    expect((await login('tom@acme.test')).statusCode).toBe(403);
    expect((await login('sue@acme.test')).statusCode).toBe(403);
    expect((await login('nobody@acme.test')).statusCode).toBe(401);
    expect((await login('bob@acme.test', WRONG)).statusCode).toBe(401);
    expect((await login('bob@acme.test', WRONG)).statusCode).toBe(401); // the threshold: bob is locked now
    expect((await login('bob@acme.test')).statusCode).toBe(401); // right password, locked: the same 401
    expect((await login('bob@acme.test')).statusCode).toBe(429); // the 4th for bob from this IP

    const after = await scrape();
    const delta = Object.fromEntries(
      outcomes.map((outcome) => [
        outcome,
        after.value('xtown_logins_total', { outcome })! - before.value('xtown_logins_total', { outcome })!,
      ]),
    );
    expect(delta).toEqual({ success: 2, invalid_credentials: 3, locked: 1, not_activated: 1, suspended: 1, rate_limited: 1 });
  });

  it('times requests by route pattern and status, never by raw URL', async () => {
    t = await buildTestApp();
    const root = await registerSuperAdmin(t);
    const janeId = await seedUser(t, { email: 'jane@acme.test' });
    expect((await t.get(`/api/users/${janeId}`, bearer(root.accessToken))).statusCode).toBe(200);
    expect((await t.get('/api/users/987654', bearer(root.accessToken))).statusCode).toBe(404);
    expect((await t.get('/no/such/path-4242')).statusCode).toBe(404);
    expect((await login('jane@acme.test')).statusCode).toBe(200);
    expect((await login('jane@acme.test', WRONG)).statusCode).toBe(401);

    const response = await t.get('/metrics');
    const metrics = parseExposition(response.body);
    expect(metrics.types.get('http_request_duration_seconds')).toBe('histogram');
    const count = (method: string, route: string, status: number) =>
      metrics.value('http_request_duration_seconds_count', { method, route, status_code: String(status) });
    expect(count('GET', '/api/users/:id', 200)).toBe(1);
    expect(count('GET', '/api/users/:id', 404)).toBe(1);
    expect(count('GET', 'unmatched', 404)).toBe(1);
    expect(count('POST', '/api/auth/login', 200)).toBe(1);
    expect(count('POST', '/api/auth/login', 401)).toBe(1);
    expect(count('POST', '/api/auth/register', 201)).toBe(1);
    const buckets = metrics.samples.filter(
      (s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/api/auth/login' && s.labels.status_code === '200',
    );
    expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBe(1);
    expect(
      metrics.value('http_request_duration_seconds_sum', { method: 'POST', route: '/api/auth/login', status_code: '200' }),
    ).toBeGreaterThan(0);
    expect(response.body).not.toContain('987654');
    expect(response.body).not.toContain('path-4242');
    expect(response.body).not.toContain(`/api/users/${janeId}"`);
  });

  it('counts emails sent, failed and abandoned, and reports the outbox depth at scrape time', async () => {
    t = await buildTestApp();
    for (const name of ['a', 'b', 'c']) await seedUser(t, { email: `${name}@acme.test` });
    const before = await scrape();
    expect(before.value('xtown_email_outbox_pending')).toBe(0);
    const emails = (m: Exposition, outcome: string) => m.value('xtown_emails_total', { outcome })!;

    await t.container.worker.stop();
    for (const name of ['a', 'b', 'c'])
      expect((await t.post('/api/auth/forgot-password', { email: `${name}@acme.test` })).statusCode).toBe(200);
    expect((await scrape()).value('xtown_email_outbox_pending')).toBe(3);

    t.mailer.failNext(1);
    t.container.worker.start();
    await until('two emails sent and one retry due', async () =>
      (await scrape()).value('xtown_emails_total', { outcome: 'sent' })! - emails(before, 'sent') >= 2 ? true : undefined,
    );
    const midway = await scrape();
    expect(emails(midway, 'failed') - emails(before, 'failed')).toBe(1);
    expect(midway.value('xtown_email_outbox_pending')).toBe(1); // the failed one waits for its retry

    t.clock.advance(3_600_000);
    const now = t.clock.now();
    await t.container.store.repos.outbox.insert({ kind: 'WELCOME', payloadEnc: 'not-a-ciphertext', nextAttemptAt: now, createdAt: now });
    await until('the retry and the abandonment', async () =>
      (await t.container.store.repos.outbox.pendingCount()) === 0 ? true : undefined,
    );
    const after = await scrape();
    expect(emails(after, 'sent') - emails(before, 'sent')).toBe(3);
    expect(emails(after, 'failed') - emails(before, 'failed')).toBe(1);
    expect(emails(after, 'abandoned') - emails(before, 'abandoned')).toBe(1);
    expect(after.value('xtown_email_outbox_pending')).toBe(0);
  });

  it('shows the password hashing pool: jobs running and queued, and its size', async () => {
    t = await buildTestApp();
    const idle = await scrape();
    // The pool's size follows the event loop (crypto/loop-governor.ts): one less than the cores, or every core.
    const cores = availableParallelism();
    const sizes = cores > 1 ? [cores - 1, cores] : [1];
    expect(sizes).toContain(idle.value('xtown_password_hash_concurrency'));
    expect(idle.value('xtown_password_hash_jobs', { state: 'active' })).toBe(0);
    expect(idle.value('xtown_password_hash_jobs', { state: 'queued' })).toBe(0);

    // Far more jobs than the pool runs at once: the scrape lands while most of them wait.
    const jobs = Array.from({ length: cores * 4 + 8 }, () => t.container.hasher.hash(STRONG_PASSWORD));
    const busy = await scrape();
    expect(sizes).toContain(busy.value('xtown_password_hash_jobs', { state: 'active' }));
    expect(busy.value('xtown_password_hash_jobs', { state: 'queued' })).toBeGreaterThan(0);
    await Promise.all(jobs);
    expect((await scrape()).value('xtown_password_hash_jobs', { state: 'queued' })).toBe(0);
  });

  it('shows the open event streams and the revocation state held in memory', async () => {
    t = await buildTestApp();
    const project = await seedProject(t, { customProjectId: 'crm' });
    const session = await registerSuperAdmin(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    expect((await scrape()).value('xtown_event_streams_open')).toBe(0);
    const stream = await openSse(`http://127.0.0.1:${address.port}`, '/api/projects/crm/events', basic('crm', project.clientSecret));
    expect(stream.status).toBe(200);
    expect((await scrape()).value('xtown_event_streams_open')).toBe(1);
    stream.close();
    await until('the stream to be counted out', async () => (await scrape()).value('xtown_event_streams_open') === 0);

    expect((await t.get('/api/auth/me', bearer(session.accessToken))).statusCode).toBe(200);
    const held = await scrape();
    expect(held.value('xtown_auth_state_entries', { kind: 'sessions' })).toBe(t.container.authState.size().sessions);
    expect(held.value('xtown_auth_state_entries', { kind: 'users' })).toBeGreaterThanOrEqual(1);
  });

  it('includes the default process metrics, on a registry of its own per app', async () => {
    t = await buildTestApp();
    const other = await buildTestApp();
    try {
      expect((await other.post('/api/auth/login', { email: 'x@acme.test', password: WRONG })).statusCode).toBe(401);
      const metrics = await scrape();
      expect(metrics.types.get('process_cpu_seconds_total')).toBe('counter');
      expect(metrics.value('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(metrics.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
      expect(metrics.value('xtown_logins_total', { outcome: 'invalid_credentials' })).toBe(0);
      expect(parseExposition((await other.get('/metrics')).body).value('xtown_logins_total', { outcome: 'invalid_credentials' })).toBe(1);
    } finally {
      await other.close();
    }
  });

  describe('who may read it', () => {
    const expectHidden = (response: Awaited<ReturnType<TestApp['get']>>) => {
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ success: false, message: 'No such route', error: { code: 'NOT_FOUND' } });
      expect(response.body).not.toContain('xtown_');
    };

    it('answers loopback callers (IPv4, IPv6, IPv4-mapped) and hides itself from everyone else', async () => {
      t = await buildTestApp();
      for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
        const response = await t.request({ method: 'GET', url: '/metrics', remoteAddress });
        expect(response.statusCode, remoteAddress).toBe(200);
        expect(response.body).toContain('xtown_logins_total');
      }
      for (const remoteAddress of ['10.0.0.7', '192.168.1.20', '::ffff:10.0.0.7', '2001:db8::1']) {
        expectHidden(await t.request({ method: 'GET', url: '/metrics', remoteAddress }));
      }
      // No token configured: a Bearer header opens nothing.
      expectHidden(
        await t.request({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.7', headers: { authorization: `Bearer ${TOKEN}` } }),
      );
      // A proxy on this machine connects from loopback: what it forwards is not local.
      expectHidden(await t.request({ method: 'GET', url: '/metrics', headers: { 'x-forwarded-for': '203.0.113.9' } }));
    });

    it('never takes X-Forwarded-For as proof of a local caller, even behind a trusted proxy', async () => {
      t = await buildTestApp({ env: { TRUST_PROXY: '1' } });
      for (const forwarded of ['127.0.0.1', '::1', '10.0.0.7, 127.0.0.1']) {
        expectHidden(
          await t.request({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.7', headers: { 'x-forwarded-for': forwarded } }),
        );
      }
    });

    it('answers anyone with the METRICS_TOKEN bearer token, and nobody with a wrong one', async () => {
      t = await buildTestApp({ env: { METRICS_TOKEN: TOKEN } });
      const from = (authorization?: string) =>
        t.request({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.7', headers: authorization ? { authorization } : {} });
      const ok = await from(`Bearer ${TOKEN}`);
      expect(ok.statusCode).toBe(200);
      expect(parseExposition(ok.body).value('xtown_logins_total', { outcome: 'success' })).toBe(0);
      for (const wrong of [undefined, 'Bearer', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
        expectHidden(await from(wrong));
      }
      expect((await t.get('/metrics')).statusCode).toBe(200); // loopback still needs no token
    });

    it('is outside the general rate limit', async () => {
      t = await buildTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '2', METRICS_TOKEN: TOKEN } });
      for (let i = 0; i < 6; i += 1) expect((await t.get('/metrics')).statusCode).toBe(200);
      for (let i = 0; i < 6; i += 1) {
        expect(
          (await t.request({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.8', headers: { authorization: `Bearer ${TOKEN}` } }))
            .statusCode,
        ).toBe(200);
      }
      for (let i = 0; i < 2; i += 1) expect((await t.get('/api/auth/me')).statusCode).toBe(401);
      expect((await t.get('/api/auth/me')).statusCode).toBe(429);
      expect((await t.get('/metrics')).statusCode).toBe(200);
    });
  });
});
