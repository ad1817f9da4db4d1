import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { bearer, otpFor, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { auditRows, buildWorld, userCount, type World } from './users-fixture.js';

describe(`creating users through /api/users (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let db: Database;
  useTestWorld(buildWorld, (world) => ({ t, w, raw: db } = world), { rawPoolSize: 2 });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.request({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  describe('POST /project-admin', () => {
    it('creates an inactive Project Admin, emails the activation OTP, and the OTP activates the account', async () => {
      const mark = t.mailer.mark();
      const response = await call('POST', '/api/users/project-admin', w.root.auth, {
        name: 'Erin Admin',
        email: '  Erin@Echo.TEST ',
        customRole: 'Lead',
        companyName: 'Echo',
        companyAddress: '5 Echo Rd',
        companyPhone: '+15550105',
        projectIds: [w.crm.id, 'wiki'],
      });
      expect(response.statusCode).toBe(201);
      const created = response.json().data;
      expect(created).toMatchObject({
        email: 'erin@echo.test',
        role: 'ADMIN',
        customRole: 'Lead',
        companyName: 'Echo',
        companyAddress: '5 Echo Rd',
        companyPhone: '+15550105',
        isActive: false,
        isSuspended: false,
        subUserLimit: 5,
        createdById: w.root.id,
        lastLoginAt: null,
      });
      expect(created.projects.map((p: { customProjectId: string }) => p.customProjectId)).toEqual(['crm', 'wiki']);
      expect(JSON.stringify(created)).not.toMatch(/password/i);
      const stored = await t.container.store.repos.users.findById(created.id);
      expect(stored?.passwordHash).toBeNull();

      const loginBefore = await t.post('/api/auth/login', { email: 'erin@echo.test', password: STRONG_PASSWORD });
      expect(loginBefore.statusCode).toBe(401);

      const otp = await otpFor(t, 'erin@echo.test', mark, /activate/i);
      const activated = await t.post('/api/auth/activate-account', { email: 'erin@echo.test', otp, password: STRONG_PASSWORD });
      expect(activated.statusCode).toBe(200);
      expect(activated.json().data.user).toMatchObject({ id: created.id, isActive: true });
      const me = await t.get('/api/auth/me', bearer(activated.json().data.accessToken));
      expect(me.json().data.projects.map((p: { id: number }) => p.id)).toEqual([w.crm.id, w.wiki.id]);

      const [row] = await auditRows(db, 'USER_CREATE');
      expect(row).toMatchObject({ userId: w.root.id, actorEmail: w.root.email, targetUserId: created.id, resource: 'user', success: true });
      expect(JSON.stringify(row)).not.toContain(otp);
    });

    it('takes subUserLimit and refuses a taken email (409, any case), unknown projects (400) and forbidden fields (400)', async () => {
      const limited = await call('POST', '/api/users/project-admin', w.root.auth, { name: 'F', email: 'f@f.test', subUserLimit: 2 });
      expect(limited.json().data.subUserLimit).toBe(2);
      const users = await userCount(db);
      const taken = await call('POST', '/api/users/project-admin', w.root.auth, { name: 'Dup', email: 'ALICE@acme.test' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().error.code).toBe('EMAIL_TAKEN');
      const unknown = await call('POST', '/api/users/project-admin', w.root.auth, {
        name: 'G',
        email: 'g@g.test',
        projectIds: [9999, 'nope'],
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.details[0].field).toBe('projectIds');
      for (const extra of [
        { role: 'SUPER_ADMIN' },
        { password: STRONG_PASSWORD },
        { isActive: true },
        { createdById: w.adminB.id },
        { isSuspended: true },
      ]) {
        const refused = await call('POST', '/api/users/project-admin', w.root.auth, { name: 'H', email: 'h@h.test', ...extra });
        expect(refused.statusCode, JSON.stringify(extra)).toBe(400);
        expect(refused.json().error.code).toBe('VALIDATION_ERROR');
      }
      for (const bad of [{ email: 'h@h.test' }, { name: 'H', email: 'not-an-email' }, { name: 'H', email: 'h@h.test', subUserLimit: -1 }]) {
        expect((await call('POST', '/api/users/project-admin', w.root.auth, bad)).statusCode, JSON.stringify(bad)).toBe(400);
      }
      expect(await userCount(db)).toBe(users);
    });
  });

  describe('POST /sub-user', () => {
    it("creates a Sub User with the Admin's company and some of its projects, and the emailed OTP activates it", async () => {
      await call('PUT', `/api/users/${w.adminA.id}`, w.root.auth, {
        companyName: 'Acme Inc',
        companyAddress: '1 Main St',
        companyPhone: '+15550100',
      });
      const mark = t.mailer.mark();
      const response = await call('POST', '/api/users/sub-user', w.adminA.auth, {
        name: 'Gus',
        email: 'gus@acme.test',
        customRole: 'Dev',
        projectIds: ['erp'],
      });
      expect(response.statusCode).toBe(201);
      const created = response.json().data;
      expect(created).toMatchObject({
        role: 'SUB_USER',
        customRole: 'Dev',
        companyName: 'Acme Inc',
        companyAddress: '1 Main St',
        companyPhone: '+15550100',
        createdById: w.adminA.id,
        isActive: false,
      });
      expect(created.projects.map((p: { id: number }) => p.id)).toEqual([w.erp.id]);
      const otp = await otpFor(t, 'gus@acme.test', mark, /activate/i);
      const activated = await t.post('/api/auth/activate-account', { email: 'gus@acme.test', otp, password: STRONG_PASSWORD });
      expect(activated.statusCode).toBe(200);
      const [row] = await auditRows(db, 'USER_CREATE');
      expect(row).toMatchObject({ userId: w.adminA.id, targetUserId: created.id, success: true });
    });

    it('refuses projects the Admin does not hold (403 FORBIDDEN) without revealing whether they exist, and company fields', async () => {
      const users = await userCount(db);
      for (const projectIds of [[w.wiki.id], ['wiki'], [w.crm.id, w.wiki.id], [9999], ['no-such']]) {
        const response = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'H', email: 'h@acme.test', projectIds });
        expect(response.statusCode, JSON.stringify(projectIds)).toBe(403);
        expect(response.json().error.code).toBe('FORBIDDEN');
      }
      const company = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'H', email: 'h@acme.test', companyName: 'Evil' });
      expect(company.statusCode).toBe(400);
      const limit = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'H', email: 'h@acme.test', subUserLimit: 50 });
      expect(limit.statusCode).toBe(400);
      expect(await userCount(db)).toBe(users);
    });

    it('stops at the sub-user limit with SUB_USER_LIMIT_REACHED', async () => {
      await call('PUT', `/api/users/${w.adminA.id}`, w.root.auth, { subUserLimit: 3 });
      expect((await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'S2', email: 's2@acme.test' })).statusCode).toBe(201);
      expect((await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'S3', email: 's3@acme.test' })).statusCode).toBe(201);
      const refused = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'S4', email: 's4@acme.test' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('SUB_USER_LIMIT_REACHED');
      expect(await t.container.store.repos.users.findByEmail('s4@acme.test')).toBeUndefined();
      // Admin B's own limit is untouched by A's sub-users.
      expect((await call('POST', '/api/users/sub-user', w.adminB.auth, { name: 'B2', email: 'b2@beta.test' })).statusCode).toBe(201);
    });

    it('gives exactly one success to concurrent creations at the limit minus one', async () => {
      for (const [round, parallel] of [
        [1, 2],
        [2, 6],
      ] as const) {
        const limit = (await t.container.store.repos.userAdmin.countSubUsers(w.adminA.id)) + 1;
        await call('PUT', `/api/users/${w.adminA.id}`, w.root.auth, { subUserLimit: limit });
        const responses = await Promise.all(
          Array.from({ length: parallel }, (_, i) =>
            call('POST', '/api/users/sub-user', w.adminA.auth, { name: `Racer ${i}`, email: `racer${round}-${i}@acme.test` }),
          ),
        );
        const statuses = responses.map((r) => r.statusCode).sort();
        expect(statuses, `round ${round}`).toEqual([201, ...Array(parallel - 1).fill(403)]);
        for (const loser of responses.filter((r) => r.statusCode === 403)) expect(loser.json().error.code).toBe('SUB_USER_LIMIT_REACHED');
        expect(await t.container.store.repos.userAdmin.countSubUsers(w.adminA.id)).toBe(limit);
      }
    });

    it('answers EMAIL_TAKEN for an address anywhere, audits it, and rate-limits such answers', async () => {
      const taken = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'Dup', email: 'Dave@Beta.test' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().error.code).toBe('EMAIL_TAKEN');
      const [row] = await auditRows(db, 'USER_CREATE');
      expect(row).toMatchObject({ userId: w.adminA.id, success: false });
      expect(row!.details).toMatchObject({ email: 'dave@beta.test', reason: 'email taken' });
      let last = taken;
      for (let i = 0; i < 10; i += 1)
        last = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'Dup', email: 'bob@beta.test' });
      expect(last.statusCode).toBe(429);
      expect(last.json().error.code).toBe('RATE_LIMITED');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect((await auditRows(db, 'USER_CREATE')).filter((r) => !r.success)).toHaveLength(11);
      // Another Admin's budget is its own; new addresses still work.
      expect((await call('POST', '/api/users/sub-user', w.adminB.auth, { name: 'Dup', email: 'alice@acme.test' })).statusCode).toBe(409);
      expect((await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'New', email: 'new@acme.test' })).statusCode).toBe(201);
    });
  });
});
