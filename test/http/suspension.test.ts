import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { toBool } from '../../src/db/values.js';
import { bearer, login, otpFor, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { auditRows, buildWorld, snapshot, type World } from './users-fixture.js';

describe(`suspension through /api/users (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let db: Database;
  useTestWorld(buildWorld, (world) => ({ t, w, raw: db } = world), { rawPoolSize: 2 });

  const suspend = (id: number, auth: Record<string, string>, reason: unknown = 'Policy violation') =>
    t.post(`/api/users/${id}/suspend`, { reason }, auth);
  const unsuspend = (id: number, auth: Record<string, string>) => t.post(`/api/users/${id}/unsuspend`, undefined, auth);
  const liveSessions = async (userId: number) =>
    Number(
      (
        await db.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('userId', '=', userId)
          .where('revokedAt', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A project token for the actor's assigned project, and a check that it validates. */
  async function projectToken(auth: Record<string, string>, project: string) {
    const response = await t.post(`/api/auth/project-token/${project}`, undefined, auth);
    expect(response.statusCode).toBe(200);
    return response.json().data.projectToken as string;
  }

  it("makes an Admin's access, refresh and project tokens fail at once, while its Sub Users keep working", async () => {
    const adminProjectToken = await projectToken(w.adminA.auth, 'crm');
    const subProjectToken = await projectToken(w.subA.auth, 'crm');
    expect((await t.post('/api/auth/validate-token', { token: adminProjectToken, projectId: 'crm' })).statusCode).toBe(200);
    expect(await liveSessions(w.adminA.id)).toBe(1);

    const response = await suspend(w.adminA.id, w.root.auth, 'Unpaid invoices');
    expect(response.statusCode).toBe(200);
    const user = response.json().data;
    expect(user).toMatchObject({
      id: w.adminA.id,
      isSuspended: true,
      suspendedBy: w.root.id,
      suspensionReason: 'Unpaid invoices',
      unsuspendedAt: null,
      unsuspendedBy: null,
    });
    expect(user.suspendedAt).toBe(t.clock.now().toISOString());

    expect((await t.get('/api/auth/me', w.adminA.auth)).statusCode).toBe(401);
    const access = await t.post('/api/auth/validate-token', { token: w.adminA.session.accessToken });
    expect(access.statusCode).toBe(401);
    expect(access.json().data).toEqual({ valid: false });
    expect((await t.post('/api/auth/validate-token', { token: adminProjectToken, projectId: 'crm' })).statusCode).toBe(401);
    expect((await t.get('/api/users', w.adminA.auth)).statusCode).toBe(401);
    const refused = await t.post('/api/auth/refresh-token', { refreshToken: w.adminA.session.refreshToken });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'ACCOUNT_SUSPENDED']);
    expect(await liveSessions(w.adminA.id)).toBe(0);
    const relogin = await t.post('/api/auth/login', { email: w.adminA.email, password: STRONG_PASSWORD });
    expect(relogin.statusCode).toBe(403);
    expect(relogin.json().error.code).toBe('ACCOUNT_SUSPENDED');

    // The Admin's Sub User is untouched.
    expect((await t.get('/api/auth/me', w.subA.auth)).statusCode).toBe(200);
    expect((await t.post('/api/auth/validate-token', { token: subProjectToken, projectId: 'crm' })).statusCode).toBe(200);
    expect((await t.post('/api/auth/project-token/crm', undefined, w.subA.auth)).statusCode).toBe(200);
    expect((await t.get(`/api/users/${w.subA.id}`, w.root.auth)).json().data.isSuspended).toBe(false);

    const email = await t.mailer.waitFor((m) => m.to === w.adminA.email && /suspended/i.test(m.subject));
    expect(email.text).toContain('Unpaid invoices');
    const [row] = await auditRows(db, 'USER_SUSPEND');
    expect(row).toMatchObject({
      userId: w.root.id,
      actorEmail: w.root.email,
      targetUserId: w.adminA.id,
      success: true,
      details: { reason: 'Unpaid invoices', sessionsRevoked: 1 },
    });
  });

  it('lets an Admin suspend and unsuspend its own Sub User; unsuspension records who and when and clears the suspension', async () => {
    expect((await suspend(w.subA.id, w.adminA.auth, 'Left the team')).statusCode).toBe(200);
    expect((await t.get('/api/auth/me', w.subA.auth)).statusCode).toBe(401);
    t.clock.advance(60_000);
    const lifted = await unsuspend(w.subA.id, w.adminA.auth);
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().data).toMatchObject({
      isSuspended: false,
      suspendedAt: null,
      suspendedBy: null,
      suspensionReason: null,
      unsuspendedAt: t.clock.now().toISOString(),
      unsuspendedBy: w.adminA.id,
    });
    // Old tokens stay dead (their sessions were revoked); a new sign-in works.
    expect((await t.get('/api/auth/me', w.subA.auth)).statusCode).toBe(401);
    const fresh = await login(t, w.subA.email);
    expect((await t.get('/api/auth/me', bearer(fresh.accessToken))).statusCode).toBe(200);
    const [row] = await auditRows(db, 'USER_UNSUSPEND');
    expect(row).toMatchObject({ userId: w.adminA.id, targetUserId: w.subA.id, success: true });
    expect(row!.details).toMatchObject({ suspendedBy: w.adminA.id, suspensionReason: 'Left the team' });
  });

  it('keeps a suspension made by the Super Admin for the Super Admin to lift', async () => {
    expect((await suspend(w.subA.id, w.root.auth)).statusCode).toBe(200);
    const before = await snapshot(db, w.subA.id);
    const refused = await unsuspend(w.subA.id, w.adminA.auth);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    // Suspending again cannot take the suspension over either.
    const again = await suspend(w.subA.id, w.adminA.auth, 'Mine now');
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toMatchObject({ suspendedBy: w.root.id, suspensionReason: 'Policy violation' });
    expect((await unsuspend(w.subA.id, w.adminA.auth)).statusCode).toBe(403);
    expect(await snapshot(db, w.subA.id)).toBe(before);
    expect(await auditRows(db, 'USER_UNSUSPEND')).toHaveLength(0);

    const lifted = await unsuspend(w.subA.id, w.root.auth);
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().data).toMatchObject({ isSuspended: false, unsuspendedBy: w.root.id });
    const noop = await unsuspend(w.subA.id, w.root.auth);
    expect(noop.statusCode).toBe(200);
    expect(noop.json().message).toMatch(/not suspended/);
    expect(await auditRows(db, 'USER_SUSPEND')).toHaveLength(1);
  });

  it('refuses a missing, empty or too long reason and unknown fields, changing nothing', async () => {
    const before = await snapshot(db, w.subA.id);
    for (const body of [
      {},
      { reason: '' },
      { reason: '   ' },
      { reason: 'x'.repeat(501) },
      { reason: 'ok', isSuspended: false },
      { reason: 'ok', suspendedBy: w.adminB.id },
    ]) {
      const response = await t.post(`/api/users/${w.subA.id}/suspend`, body, w.adminA.auth);
      expect(response.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await t.post(`/api/users/${w.subA.id}/unsuspend`, { unsuspendedBy: 1 }, w.root.auth)).statusCode).toBe(400);
    expect(await snapshot(db, w.subA.id)).toBe(before);
    expect((await suspend(w.subA.id, w.adminA.auth, 'x'.repeat(500))).statusCode).toBe(200);
  });

  it('keeps suspension inside the scope: other Admins get 404, oneself 403, the Super Admin 404', async () => {
    const before = await Promise.all([w.subB.id, w.adminB.id, w.root.id].map((id) => snapshot(db, id)));
    for (const id of [w.subB.id, w.adminB.id, w.root.id, 99999]) {
      expect((await suspend(id, w.adminA.auth)).statusCode, `suspend ${id}`).toBe(404);
      expect((await unsuspend(id, w.adminA.auth)).statusCode, `unsuspend ${id}`).toBe(404);
    }
    expect((await suspend(w.adminA.id, w.adminA.auth)).statusCode).toBe(403);
    expect((await suspend(w.root.id, w.root.auth)).statusCode).toBe(403);
    expect(await Promise.all([w.subB.id, w.adminB.id, w.root.id].map((id) => snapshot(db, id)))).toEqual(before);
    expect((await t.get('/api/auth/me', w.subB.auth)).statusCode).toBe(200);
    expect(t.mailer.sent.filter((m) => /suspended/i.test(m.subject))).toHaveLength(0);
  });

  it('stops a created user from activating while suspended, and lets it activate once lifted', async () => {
    const mark = t.mailer.mark();
    const created = await t.post('/api/users/sub-user', { name: 'Nina', email: 'nina@acme.test' }, w.adminA.auth);
    expect(created.statusCode).toBe(201);
    const id = created.json().data.id as number;
    const otp = await otpFor(t, 'nina@acme.test', mark, /activate/i);
    expect((await suspend(id, w.adminA.auth, 'Not yet')).statusCode).toBe(200);
    const blocked = await t.post('/api/auth/activate-account', { email: 'nina@acme.test', otp, password: STRONG_PASSWORD });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('ACCOUNT_SUSPENDED');
    expect((await unsuspend(id, w.adminA.auth)).statusCode).toBe(200);
    const activated = await t.post('/api/auth/activate-account', { email: 'nina@acme.test', otp, password: STRONG_PASSWORD });
    expect(activated.statusCode).toBe(200);
    const row = await db.db.selectFrom('users').select(['isActive', 'isSuspended']).where('id', '=', id).executeTakeFirstOrThrow();
    expect([toBool(row.isActive), toBool(row.isSuspended)]).toEqual([true, false]);
  });

  it('gives one suspension to concurrent suspends of one user', async () => {
    const responses = await Promise.all([suspend(w.subA.id, w.root.auth, 'by root'), suspend(w.subA.id, w.adminA.auth, 'by admin')]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await auditRows(db, 'USER_SUSPEND')).toHaveLength(1);
    const emails = await t.mailer
      .waitFor((m) => m.to === w.subA.email && /suspended/i.test(m.subject))
      .then(() => t.mailer.sent.filter((m) => m.to === w.subA.email && /suspended/i.test(m.subject)));
    expect(emails).toHaveLength(1);
  });
});
