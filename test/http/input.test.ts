import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { bearer, login, otpFor, registerSuperAdmin, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestApp } from '../helpers/world.js';

/** Traces of an internal leaking into a body: a stack frame, a driver message, a statement. */
const LEAK =
  /\bat .+:\d+:\d+|node_modules|\bselect\b.+\bfrom\b|\binsert into\b|\bupdate\b.+\bset\b|sqlite|postgres|mysql|maria|relation "|ER_[A-Z_]+|SQLITE_|stack/i;

/** The error envelope of API.md, exactly: nothing but success, message, (data,) and error {code, details?}. */
function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(body.success).toBe(false);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.error.code).toBe(code);
  for (const key of Object.keys(body)) expect(['success', 'message', 'data', 'error']).toContain(key);
  for (const key of Object.keys(body.error)) expect(['code', 'details']).toContain(key);
  expect(response.body).not.toMatch(LEAK);
  return body as { success: false; message: string; error: { code: string; details?: Array<{ field: string; message: string }> } };
}

const registerBody = (extra: Record<string, unknown> = {}) => ({
  setupToken: SETUP_TOKEN,
  name: 'Root',
  email: 'root@x.test',
  password: STRONG_PASSWORD,
  ...extra,
});

describe(`bad input over HTTP (${TEST_DIALECT})`, () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  const raw = (url: string, payload: string, contentType: string) =>
    t.request({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  const noUsers = async () => expect(await t.container.store.repos.users.findByEmail('root@x.test')).toBeUndefined();

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    for (const payload of ['{"email":', '{email: "a@b.test"}', "{'a':1}", '[1,2', 'nul']) {
      expectError(await raw('/api/auth/login', payload, 'application/json'), 400, 'INVALID_JSON');
    }
    expectError(await raw('/api/auth/register', '{"setupToken": "x",}', 'application/json; charset=utf-8'), 400, 'INVALID_JSON');
  });

  it('answers wrong types and missing fields with VALIDATION_ERROR and field details', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/api/auth/login', { email: 'a@b.test' }, 'password'],
      ['/api/auth/login', { email: 42, password: STRONG_PASSWORD }, 'email'],
      ['/api/auth/login', { email: 'not-an-email', password: STRONG_PASSWORD }, 'email'],
      ['/api/auth/login', { email: ['a@b.test'], password: STRONG_PASSWORD }, 'email'],
      ['/api/auth/register', registerBody({ name: { first: 'Root' } }), 'name'],
      ['/api/auth/register', registerBody({ companyName: 7 }), 'companyName'],
      ['/api/auth/verify-registration-otp', { email: 'root@x.test', otp: 123456 }, 'otp'],
      ['/api/auth/resend-otp', { email: 'root@x.test', purpose: 'EVERYTHING' }, 'purpose'],
      ['/api/auth/logout', { refreshToken: 'abc', allDevices: 'yes' }, 'allDevices'],
      ['/api/auth/exchange-code', { code: 'c', projectId: 'crm' }, 'clientSecret'],
    ];
    for (const [url, payload, field] of cases) {
      const body = expectError(await t.post(url, payload), 400, 'VALIDATION_ERROR');
      expect(body.error.details, `${url} ${JSON.stringify(payload)}`).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
      for (const detail of body.error.details!) expect(Object.keys(detail).sort()).toEqual(['field', 'message']);
    }
    // A JSON body that is not an object at all.
    expectError(await t.post('/api/auth/login', [1, 2]), 400, 'VALIDATION_ERROR');
    expectError(await raw('/api/auth/login', '"text"', 'application/json'), 400, 'VALIDATION_ERROR');
    // Bad path parameters are validation errors too.
    const root = await registerSuperAdmin(t);
    const param = expectError(await t.post('/api/auth/project-token/a%20b', undefined, bearer(root.accessToken)), 400, 'VALIDATION_ERROR');
    expect(param.error.details![0]!.field).toBe('projectId');
  });

  it('rejects unknown fields and stores nothing of them', async () => {
    for (const extra of [{ role: 'ADMIN' }, { isActive: true }, { password_hash: 'x' }, { __proto__x: 1 }]) {
      const body = expectError(await t.post('/api/auth/register', registerBody(extra)), 400, 'VALIDATION_ERROR');
      expect(body.error.details).toEqual([{ field: Object.keys(extra)[0], message: 'unknown field' }]);
    }
    const two = expectError(
      await t.post('/api/auth/register', registerBody({ role: 'SUPER_ADMIN', createdById: 1 })),
      400,
      'VALIDATION_ERROR',
    );
    expect(two.error.details!.map((d) => d.field).sort()).toEqual(['createdById', 'role']);
    await noUsers();
    expect(t.mailer.sent).toHaveLength(0);
    // A __proto__ key is an unknown field like any other, not a way into the object's prototype.
    expectError(
      await raw('/api/auth/register', JSON.stringify(registerBody()).replace(/^\{/, '{"__proto__":{"role":"ADMIN"},'), 'application/json'),
      400,
      'VALIDATION_ERROR',
    );
    await noUsers();
    expectError(
      await t.post('/api/auth/login', { email: 'root@x.test', password: STRONG_PASSWORD, remember: true }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refuses NUL bytes in strings', async () => {
    for (const extra of [
      { name: 'Ro\u0000ot' },
      { email: 'root\u0000@x.test' },
      { companyName: 'Acme\u0000' },
      { password: `${STRONG_PASSWORD}\u0000` },
      { setupToken: `${SETUP_TOKEN}\u0000` },
    ]) {
      expectError(await t.post('/api/auth/register', registerBody(extra)), 400, 'VALIDATION_ERROR');
    }
    await noUsers();
    expectError(await t.post('/api/auth/login', { email: 'root@x.test', password: 'abc\u0000def1' }), 400, 'VALIDATION_ERROR');
    expectError(await t.post('/api/auth/refresh-token', { refreshToken: 'a\u0000b' }), 400, 'VALIDATION_ERROR');
    expectError(await t.post('/api/auth/validate-token', { token: 'a.b\u0000.c' }), 400, 'VALIDATION_ERROR');
    expectError(
      await t.post('/api/auth/exchange-code', { code: 'abc', projectId: 'crm', clientSecret: 's\u0000' }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refuses over-long names (256+) and emails (255+), and takes the longest allowed', async () => {
    expectError(await t.post('/api/auth/register', registerBody({ name: 'n'.repeat(256) })), 400, 'VALIDATION_ERROR');
    const longEmail = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.test`;
    expect(longEmail.length).toBe(255);
    const tooLong = expectError(await t.post('/api/auth/register', registerBody({ email: longEmail })), 400, 'VALIDATION_ERROR');
    expect(tooLong.error.details![0]!.field).toBe('email');
    expectError(await t.post('/api/auth/login', { email: longEmail, password: STRONG_PASSWORD }), 400, 'VALIDATION_ERROR');
    expectError(
      await t.post('/api/auth/register', registerBody({ password: `${STRONG_PASSWORD}${'x'.repeat(120)}` })),
      400,
      'VALIDATION_ERROR',
    );
    await noUsers();

    const ok = await t.post('/api/auth/register', registerBody({ name: 'n'.repeat(255) }));
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify(registerBody({ name: 'n'.repeat(101 * 1024) }));
    expectError(await raw('/api/auth/register', big, 'application/json'), 413, 'PAYLOAD_TOO_LARGE');
    await noUsers();
    // Just under the limit the body is parsed (and then judged by the schema).
    const under = JSON.stringify({ email: 'a@b.test', password: 'p'.repeat(99 * 1024) });
    expectError(await raw('/api/auth/login', under, 'application/json'), 400, 'VALIDATION_ERROR');
  });

  it('answers non-JSON bodies with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const form = `setupToken=${SETUP_TOKEN}&name=Root&email=root%40x.test&password=${STRONG_PASSWORD}`;
    expectError(await raw('/api/auth/register', form, 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await raw('/api/auth/register', JSON.stringify(registerBody()), 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await raw('/api/auth/login', '<login/>', 'application/xml'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await raw('/api/auth/login', '--b\r\n\r\n--b--', 'multipart/form-data; boundary=b'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await noUsers();
  });

  it('answers unknown routes with the NOT_FOUND envelope', async () => {
    expectError(await t.get('/api/nothing-here'), 404, 'NOT_FOUND');
    expectError(await t.post('/api/auth/no-such-route', {}), 404, 'NOT_FOUND');
    expectError(await t.request({ method: 'DELETE', url: '/api/auth/login' }), 404, 'NOT_FOUND');
    expectError(await t.get('/api'), 404, 'NOT_FOUND');
    expectError(await t.get('/api/auth/me'), 401, 'UNAUTHENTICATED');
  });

  it('answers URLs the router cannot take with the envelope too', async () => {
    const root = await registerSuperAdmin(t);
    const undecodable = await t.get('/api/auth/%E0%A4%A', { 'x-request-id': 'bad-url-1' });
    expect(expectError(undecodable, 400, 'VALIDATION_ERROR').error.details).toEqual([{ field: 'url', message: expect.any(String) }]);
    expect(undecodable.headers['x-request-id']).toBe('bad-url-1');
    expect(undecodable.headers['cache-control']).toBe('no-store');
    const longParam = await t.post(`/api/auth/project-token/${'p'.repeat(300)}`, undefined, bearer(root.accessToken));
    expectError(longParam, 400, 'VALIDATION_ERROR');
    expect(longParam.headers['cache-control']).toBe('no-store');
  });

  it('answers a failing database with a bare 500 envelope: no stack, no SQL', async () => {
    await registerSuperAdmin(t, 'root@x.test');
    const direct = await createDb(t.config.databaseUrl, { poolSize: 1 });
    try {
      await sql
        .raw(TEST_DIALECT === 'mysql' ? 'RENAME TABLE users TO users_gone' : 'ALTER TABLE users RENAME TO users_gone')
        .execute(direct.db);
    } finally {
      await direct.destroy();
    }
    const response = await t.post('/api/auth/login', { email: 'nobody@x.test', password: STRONG_PASSWORD });
    const body = expectError(response, 500, 'INTERNAL_ERROR');
    expect(body.error.details).toBeUndefined();
    expect(response.body).not.toMatch(/users/);
    // The cause is in the log for the operator.
    expect(t.rawLogs.join('\n')).toMatch(/users/);
  });

  it('takes a bodiless POST with a JSON content type on logout (Bearer token)', async () => {
    const root = await registerSuperAdmin(t, 'root@x.test');
    const response = await t.request({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { 'content-type': 'application/json', ...bearer(root.accessToken) },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().success).toBe(true);
    // It really ended that session.
    expect((await t.get('/api/auth/me', bearer(root.accessToken))).statusCode).toBe(401);
    const refreshed = await t.post('/api/auth/refresh-token', { refreshToken: root.refreshToken });
    expect(refreshed.statusCode).toBe(401);
  });

  it('normalizes emails with spaces and upper case to one account', async () => {
    const mark = t.mailer.mark();
    const registered = await t.post('/api/auth/register', registerBody({ email: ' Root@X.test ' }));
    expect(registered.statusCode, registered.body).toBe(201);
    expect(registered.json().data.email).toBe('root@x.test');
    const otp = await otpFor(t, 'root@x.test', mark);
    expect((await t.post('/api/auth/verify-registration-otp', { email: 'ROOT@x.TEST', otp })).statusCode).toBe(200);

    const session = await login(t, 'root@x.test');
    expect(session.user.email).toBe('root@x.test');
    const again = await login(t, '  rOoT@x.TeSt\t');
    expect(again.user.id).toBe(session.user.id);

    const direct = await createDb(t.config.databaseUrl, { poolSize: 1 });
    try {
      const rows = await direct.db.selectFrom('users').select(['id', 'email']).execute();
      expect(rows).toEqual([{ id: session.user.id, email: 'root@x.test' }]);
    } finally {
      await direct.destroy();
    }
  });

  it('marks /api answers no-store with a request id (echoing the caller’s), and never X-Powered-By', async () => {
    const responses = [
      await t.get('/api/auth/check-super-admin'),
      await t.post('/api/auth/login', { email: 'a@b.test' }),
      await t.get('/api/nothing-here'),
      await t.get('/api?x=1'),
      await t.request({ method: 'POST', url: '/api/auth/login', payload: 'x=1', headers: { 'content-type': 'text/plain' } }),
      await t.request({ method: 'POST', url: '/api/auth/login', payload: '{', headers: { 'content-type': 'application/json' } }),
    ];
    const ids = new Set<string>();
    for (const response of responses) {
      expect(response.headers['cache-control'], response.body).toBe('no-store');
      const id = response.headers['x-request-id'];
      expect(typeof id).toBe('string');
      ids.add(id as string);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
    expect(ids.size).toBe(responses.length);

    const echoed = await t.request({ method: 'GET', url: '/api/auth/check-super-admin', headers: { 'x-request-id': 'trace-abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('trace-abc-123');
    const echoedError = await t.request({ method: 'GET', url: '/api/missing', headers: { 'x-request-id': 'trace-def-456' } });
    expect(echoedError.headers['x-request-id']).toBe('trace-def-456');
    expect(t.logs.some((line) => line.reqId === 'trace-abc-123')).toBe(true);

    const health = await t.get('/health');
    expect(health.headers['x-powered-by']).toBeUndefined();
    expect(health.headers['x-request-id']).toBeDefined();
  });
});
