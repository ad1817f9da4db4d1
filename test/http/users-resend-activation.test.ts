import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { bearer, otpFor, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { auditRows, buildWorld, type World } from './users-fixture.js';

const ACTIVATION = /activate your/i;

describe(`POST /api/users/:id/resend-activation (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let db: Database;
  useTestWorld(buildWorld, (world) => ({ t, w, raw: db } = world), { rawPoolSize: 2 });

  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.request({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const resend = (id: number, headers: Record<string, string>, payload?: unknown) =>
    call('POST', `/api/users/${id}/resend-activation`, headers, payload);

  /** A user created through HTTP, not activated yet; returns its id and the mark before its first email. */
  async function pending(kind: 'sub-user' | 'project-admin', email: string) {
    const mark = t.mailer.mark();
    const creator = kind === 'sub-user' ? w.adminA.auth : w.root.auth;
    const response = await call('POST', `/api/users/${kind}`, creator, { name: 'Pending Person', email });
    expect(response.statusCode, response.body).toBe(201);
    return { id: response.json().data.id as number, mark };
  }

  /** What a refused call must leave alone: the codes, the queued emails and the audit log. */
  async function writes() {
    const [otps, outbox, audit] = await Promise.all([
      db.db.selectFrom('otp_requests').selectAll().orderBy('id').execute(),
      db.db.selectFrom('email_outbox').select(['id', 'kind']).orderBy('id').execute(),
      db.db.selectFrom('audit_logs').selectAll().orderBy('id').execute(),
    ]);
    return JSON.stringify({ otps, outbox, audit });
  }

  it('emails a fresh activation code that activates the account, and the older code no longer works', async () => {
    const email = 'pending@acme.test';
    const user = await pending('sub-user', email);
    const first = await otpFor(t, email, user.mark, ACTIVATION);

    const mark = t.mailer.mark();
    const response = await resend(user.id, w.adminA.auth);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ success: true, message: expect.stringMatching(/activation code/i) });
    const fresh = await otpFor(t, email, mark, ACTIVATION);
    const mail = t.mailer.sent.slice(mark).find((m) => m.to === email)!;
    expect(mail.subject).toMatch(ACTIVATION);
    expect(mail.text).toContain('Pending Person');

    const [row] = await auditRows(db, 'USER_RESEND_ACTIVATION');
    expect(row).toMatchObject({ userId: w.adminA.id, actorEmail: w.adminA.email, targetUserId: user.id, resource: 'user', success: true });
    expect(JSON.stringify(await auditRows(db))).not.toContain(fresh);

    // (One time in a million the new code has the same digits; only then is there nothing to refuse.)
    if (first !== fresh) {
      const stale = await t.post('/api/auth/activate-account', { email, otp: first, password: STRONG_PASSWORD });
      expect(stale.statusCode).toBe(401);
      expect(stale.json().error.code).toBe('INVALID_OTP');
    }
    const activated = await t.post('/api/auth/activate-account', { email, otp: fresh, password: STRONG_PASSWORD });
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json().data.user).toMatchObject({ id: user.id, isActive: true });

    // Once activated: 409, and nothing sent or written.
    const before = await writes();
    const again = await resend(user.id, w.adminA.auth);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_ACTIVE');
    expect(await writes()).toBe(before);
  });

  it('keeps the 60 s cooldown of resend-otp per email (429 OTP_COOLDOWN with Retry-After), shared with it, then allows again', async () => {
    const email = 'cool@acme.test';
    const user = await pending('sub-user', email);
    expect((await resend(user.id, w.adminA.auth)).statusCode).toBe(200);

    const before = await writes();
    const early = await resend(user.id, w.adminA.auth);
    expect(early.statusCode).toBe(429);
    expect(early.json().error.code).toBe('OTP_COOLDOWN');
    expect(early.headers['retry-after']).toBe('60');
    expect(await writes()).toBe(before);
    // The same budget as the public route: neither may send before the minute is over.
    t.clock.advance(30_000);
    const publicResend = await t.post('/api/auth/resend-otp', { email, purpose: 'ACCOUNT_ACTIVATION' });
    expect(publicResend.statusCode).toBe(429);
    expect(publicResend.headers['retry-after']).toBe('30');
    // The Super Admin is held by it too: the budget is the email's, not the caller's.
    expect((await resend(user.id, w.root.auth)).statusCode).toBe(429);

    t.clock.advance(30_000);
    const mark = t.mailer.mark();
    expect((await resend(user.id, w.root.auth)).statusCode).toBe(200);
    await otpFor(t, email, mark, ACTIVATION);
  });

  it('keeps the hourly cap of resend-otp: a fourth code within the hour is 429 RATE_LIMITED', async () => {
    const user = await pending('project-admin', 'hourly@delta.test');
    for (let i = 0; i < 3; i++) {
      expect((await resend(user.id, w.root.auth)).statusCode).toBe(200);
      t.clock.advance(61_000);
    }
    const capped = await resend(user.id, w.root.auth);
    expect(capped.statusCode).toBe(429);
    expect(capped.json().error.code).toBe('RATE_LIMITED');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(3000);
    t.clock.advance(3_600_000);
    expect((await resend(user.id, w.root.auth)).statusCode).toBe(200);
  });

  it('answers who may act as PUT /:id does: 404 out of scope, 403 for a Sub User and for oneself, 401 anonymous', async () => {
    const subOfA = await pending('sub-user', 'scope@acme.test');
    const projectAdmin = await pending('project-admin', 'scope@delta.test');
    const before = await writes();
    const refusals: Array<[string, number, Record<string, string>, number, string]> = [
      ["another Admin on adminA's sub-user", subOfA.id, w.adminB.auth, 404, 'NOT_FOUND'],
      ['an Admin on a Project Admin', projectAdmin.id, w.adminA.auth, 404, 'NOT_FOUND'],
      ['an Admin on the Super Admin', w.root.id, w.adminA.auth, 404, 'NOT_FOUND'],
      ['an Admin on an unknown id', 999_999, w.adminA.auth, 404, 'NOT_FOUND'],
      ['a Sub User', subOfA.id, w.subA.auth, 403, 'FORBIDDEN'],
      ['the Super Admin on itself', w.root.id, w.root.auth, 403, 'FORBIDDEN'],
      ['an Admin on itself', w.adminA.id, w.adminA.auth, 403, 'FORBIDDEN'],
      ['anonymous', subOfA.id, {}, 401, 'UNAUTHENTICATED'],
      ['a malformed token', subOfA.id, bearer('not.a.token'), 401, 'TOKEN_INVALID'],
    ];
    for (const [label, id, headers, status, code] of refusals) {
      const response = await resend(id, headers);
      expect(response.statusCode, `${label}: ${response.body}`).toBe(status);
      expect(response.json().error.code, label).toBe(code);
    }
    // Already active users, in the caller's scope: 409.
    for (const [id, headers] of [
      [w.subA.id, w.adminA.auth],
      [w.adminA.id, w.root.auth],
      [w.subB.id, w.root.auth],
    ] as const) {
      const response = await resend(id, headers);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('ALREADY_ACTIVE');
    }
    const withBody = await resend(subOfA.id, w.adminA.auth, { email: 'other@acme.test' });
    expect(withBody.statusCode).toBe(400);
    expect(await writes()).toBe(before);

    // None of them spent the user's cooldown: its Admin and the Super Admin may still send.
    expect((await resend(subOfA.id, w.adminA.auth)).statusCode).toBe(200);
    expect((await resend(projectAdmin.id, w.root.auth)).statusCode).toBe(200);
  });
});

describe(`POST /api/users/:id/resend-activation: the per-IP budget (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(buildWorld, (world) => ({ t, w } = world), { app: { env: { OTP_REQUESTS_PER_IP_MAX: '3' } } });

  it('shares the per-IP budget of the routes that email an OTP (API.md "Limits")', async () => {
    const ids: number[] = [];
    for (const email of ['ip1@acme.test', 'ip2@acme.test']) {
      const created = await t.request({
        method: 'POST',
        url: '/api/users/sub-user',
        headers: w.adminA.auth,
        payload: { name: 'Ip', email },
      });
      ids.push(created.json().data.id);
    }
    const from = (remoteAddress: string, id: number) =>
      t.request({ method: 'POST', url: `/api/users/${id}/resend-activation`, headers: w.adminA.auth, remoteAddress });
    expect(
      (await t.request({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: 'x@acme.test' }, remoteAddress: '10.9.0.1' }))
        .statusCode,
    ).toBe(200);
    expect((await from('10.9.0.1', ids[0]!)).statusCode).toBe(200);
    expect((await from('10.9.0.1', ids[1]!)).statusCode).toBe(200);
    const refused = await from('10.9.0.1', ids[1]!);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address still has its budget (the user's own cooldown is what holds it then).
    const elsewhere = await from('10.9.0.2', ids[1]!);
    expect(elsewhere.json().error.code).toBe('OTP_COOLDOWN');
  });
});
