import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { seedProject, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { auditRows, buildWorld, projectIdsOf, snapshot, userCount, type World } from './users-fixture.js';

describe(`/api/users (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let db: Database;
  useTestWorld(buildWorld, (world) => ({ t, w, raw: db } = world), { rawPoolSize: 2 });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.request({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  describe('who may call what', () => {
    const routes = (id: number): Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> => [
      ['GET', '/api/users'],
      ['GET', '/api/users/stats'],
      ['GET', `/api/users/${id}`],
      ['POST', '/api/users/project-admin', { name: 'X', email: 'x@x.test' }],
      ['POST', '/api/users/sub-user', { name: 'X', email: 'x@x.test' }],
      ['PUT', `/api/users/${id}`, { name: 'X' }],
      ['PUT', `/api/users/${id}/projects`, { projectIds: [] }],
      ['POST', `/api/users/${id}/suspend`, { reason: 'x' }],
      ['POST', `/api/users/${id}/unsuspend`],
      ['DELETE', `/api/users/${id}`],
    ];

    it('refuses anonymous callers (401) and Sub Users (403) on every route, even with a bad body, and changes nothing', async () => {
      const before = await snapshot(db, w.subA.id);
      const users = await userCount(db);
      for (const [method, url, body] of routes(w.subA.id)) {
        const anonymous = await call(method, url, {}, body);
        expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
        const sub = await call(method, url, w.subA.auth, body);
        expect(sub.statusCode, `${method} ${url}`).toBe(403);
        expect(sub.json().error.code).toBe('FORBIDDEN');
        if (body !== undefined) {
          const garbage = await call(method, url, w.subA.auth, { role: 'SUPER_ADMIN' });
          expect(garbage.statusCode, `${method} ${url} with a bad body`).toBe(403);
        }
      }
      const other = await call('GET', `/api/users/${w.subB.id}`, w.subA.auth);
      expect(other.statusCode).toBe(403);
      expect(await snapshot(db, w.subA.id)).toBe(before);
      expect(await userCount(db)).toBe(users);
    });

    it('keeps creation of Project Admins to the Super Admin and of Sub Users to Admins', async () => {
      const byAdmin = await call('POST', '/api/users/project-admin', w.adminA.auth, { name: 'X', email: 'x@x.test' });
      expect(byAdmin.statusCode).toBe(403);
      const byRoot = await call('POST', '/api/users/sub-user', w.root.auth, { name: 'X', email: 'x@x.test' });
      expect(byRoot.statusCode).toBe(403);
      expect(await t.container.store.repos.users.findByEmail('x@x.test')).toBeUndefined();
    });
  });

  describe('GET / and GET /:id', () => {
    it('lists everyone but the Super Admin for the Super Admin, newest first, with projects and meta', async () => {
      const response = await call('GET', '/api/users', w.root.auth);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.meta).toEqual({ page: 1, limit: 20, total: 4, totalPages: 1 });
      expect(body.data.map((u: { id: number }) => u.id)).toEqual([w.subB.id, w.subA.id, w.adminB.id, w.adminA.id]);
      expect(body.data.find((u: { id: number }) => u.id === w.adminA.id).projects.map((p: { id: number }) => p.id)).toEqual([
        w.crm.id,
        w.erp.id,
      ]);
      expect(JSON.stringify(body)).not.toMatch(/password|failedLogin|superAdminSlot/i);

      const page2 = (await call('GET', '/api/users?page=2&limit=3', w.root.auth)).json();
      expect(page2.meta).toEqual({ page: 2, limit: 3, total: 4, totalPages: 2 });
      expect(page2.data.map((u: { id: number }) => u.id)).toEqual([w.adminA.id]);
    });

    it('orders by createdAt before id', async () => {
      await db.db
        .updateTable('users')
        .set({ createdAt: new Date(t.clock.now().getTime() + 3_600_000) })
        .where('id', '=', w.adminA.id)
        .execute();
      const ids = (await call('GET', '/api/users', w.root.auth)).json().data.map((u: { id: number }) => u.id);
      expect(ids).toEqual([w.adminA.id, w.subB.id, w.subA.id, w.adminB.id]);
    });

    it("lists only an Admin's own sub-users", async () => {
      const mine = (await call('GET', '/api/users', w.adminA.auth)).json();
      expect(mine.data.map((u: { id: number }) => u.id)).toEqual([w.subA.id]);
      expect(mine.meta.total).toBe(1);
      const filtered = (await call('GET', '/api/users?role=ADMIN', w.adminA.auth)).json();
      expect(filtered.data).toEqual([]);
      const search = (await call('GET', '/api/users?search=dave', w.adminA.auth)).json();
      expect(search.data).toEqual([]);
    });

    it('searches name or email case-insensitively, literally, and filters by role, isActive and isSuspended', async () => {
      const ids = async (query: string) =>
        (await call('GET', `/api/users?${query}`, w.root.auth))
          .json()
          .data.map((u: { id: number }) => u.id)
          .sort();
      expect(await ids('search=ACME')).toEqual([w.adminA.id, w.subA.id].sort());
      expect(await ids('search=Carol')).toEqual([w.subA.id]);
      expect(await ids(`search=${encodeURIComponent('%')}`)).toEqual([]);
      expect(await ids(`search=${encodeURIComponent('_')}`)).toEqual([]);
      await t.container.store.repos.userAdmin.updateProfile(w.adminB.id, { name: 'Bob 100%_sure' }, t.clock.now());
      expect(await ids(`search=${encodeURIComponent('0%_S')}`)).toEqual([w.adminB.id]);
      expect(await ids('role=SUB_USER')).toEqual([w.subA.id, w.subB.id].sort());
      const pending = (await call('POST', '/api/users/project-admin', w.root.auth, { name: 'Pending', email: 'pending@p.test' })).json()
        .data.id;
      expect(await ids('isActive=false')).toEqual([pending]);
      expect(await ids('isActive=true&role=ADMIN')).toEqual([w.adminA.id, w.adminB.id].sort());
      await call('POST', `/api/users/${w.subB.id}/suspend`, w.root.auth, { reason: 'test' });
      expect(await ids('isSuspended=true')).toEqual([w.subB.id]);
      expect(await ids('isSuspended=false&role=SUB_USER')).toEqual([w.subA.id]);
    });

    it('refuses bad queries with 400', async () => {
      for (const query of ['limit=101', 'page=0', 'role=SUPER_ADMIN', 'isActive=maybe', 'foo=bar']) {
        expect((await call('GET', `/api/users?${query}`, w.root.auth)).statusCode, query).toBe(400);
      }
    });

    it('shows a user in scope, answers 404 outside it and for the Super Admin, 403 for oneself', async () => {
      const own = await call('GET', `/api/users/${w.subA.id}`, w.adminA.auth);
      expect(own.statusCode).toBe(200);
      expect(own.json().data).toMatchObject({
        id: w.subA.id,
        email: 'carol@acme.test',
        projects: [{ id: w.crm.id, customProjectId: 'crm' }],
      });
      expect((await call('GET', `/api/users/${w.adminA.id}`, w.root.auth)).statusCode).toBe(200);

      const missing = await call('GET', '/api/users/99999', w.adminA.auth);
      expect(missing.statusCode).toBe(404);
      for (const id of [w.subB.id, w.adminB.id, w.root.id, 99999999999, 999999999999999]) {
        const response = await call('GET', `/api/users/${id}`, w.adminA.auth);
        expect(response.statusCode, `user ${id}`).toBe(404);
        expect(response.body).toBe(missing.body);
      }
      expect((await call('GET', `/api/users/${w.adminA.id}`, w.adminA.auth)).statusCode).toBe(403);
      expect((await call('GET', `/api/users/${w.root.id}`, w.root.auth)).statusCode).toBe(403);
      expect((await call('GET', '/api/users/abc', w.root.auth)).statusCode).toBe(400);
    });
  });

  describe('GET /stats', () => {
    it('matches the data in the database, scoped by role, with the chart arrays', async () => {
      t.clock.advance(1000);
      const pendingSub = await seedUser(t, { email: 'erin@acme.test', role: 'SUB_USER', password: null, createdById: w.adminA.id });
      t.clock.advance(1000);
      const zeta = await seedUser(t, { email: 'zed@zeta.test', role: 'ADMIN', password: null, createdById: w.root.id });
      await db.db.updateTable('users').set({ companyName: 'Zeta' }).where('id', '=', zeta).execute();
      await seedProject(t, { customProjectId: 'old', isActive: false });

      const root = await call('GET', '/api/users/stats', w.root.auth);
      expect(root.statusCode).toBe(200);
      const data = root.json().data;
      expect(data).toMatchObject({ totalUsers: 6, projectAdmins: 3, subUsers: 3, verifiedUsers: 4, unverifiedUsers: 2 });
      expect(data.systemOverview).toEqual([
        { name: 'Users', value: 6, color: '#3B82F6' },
        { name: 'Projects', value: 3, color: '#10B981' },
        { name: 'Companies', value: 2, color: '#F59E0B' },
      ]);
      expect(data.verification).toEqual([
        { name: 'Verified', value: 4, color: '#10B981' },
        { name: 'Unverified', value: 2, color: '#F59E0B' },
      ]);
      expect(data.recentUsers.map((u: { id: number }) => u.id)).toEqual([zeta, pendingSub, w.subB.id, w.subA.id, w.adminB.id]);
      expect(Object.keys(data.recentUsers[0]).sort()).toEqual(['createdAt', 'email', 'id', 'isActive', 'name', 'role']);

      const admin = (await call('GET', '/api/users/stats', w.adminA.auth)).json().data;
      expect(admin).toMatchObject({ totalUsers: 2, projectAdmins: 0, subUsers: 2, verifiedUsers: 1, unverifiedUsers: 1 });
      expect(admin.systemOverview).toEqual([
        { name: 'Sub Users', value: 2, color: '#EF4444' },
        { name: 'Assigned Projects', value: 2, color: '#10B981' },
      ]);
      expect(admin.verification.map((d: { value: number }) => d.value)).toEqual([1, 1]);
      expect(admin.recentUsers.map((u: { id: number }) => u.id)).toEqual([pendingSub, w.subA.id]);

      const other = (await call('GET', '/api/users/stats', w.adminB.auth)).json().data;
      expect(other).toMatchObject({ totalUsers: 1, subUsers: 1, verifiedUsers: 1, unverifiedUsers: 0 });
      expect(other.systemOverview.map((d: { value: number }) => d.value)).toEqual([1, 1]);
      expect(other.recentUsers.map((u: { id: number }) => u.id)).toEqual([w.subB.id]);
    });
  });

  describe('scoping of changes', () => {
    it("lets no Admin see, change or guess another Admin's users: every route answers 404 and nothing changes", async () => {
      const targets = [w.subB.id, w.adminB.id, w.root.id, 99999];
      const before = await Promise.all(targets.map((id) => snapshot(db, id)));
      const audits = (await auditRows(db)).length;
      for (const id of targets) {
        const attempts: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> = [
          ['GET', `/api/users/${id}`],
          ['PUT', `/api/users/${id}`, { name: 'Pwned' }],
          ['PUT', `/api/users/${id}/projects`, { projectIds: [w.crm.id] }],
          ['POST', `/api/users/${id}/suspend`, { reason: 'nope' }],
          ['POST', `/api/users/${id}/unsuspend`],
          ['DELETE', `/api/users/${id}?force=true`],
        ];
        for (const [method, url, body] of attempts) {
          const response = await call(method, url, w.adminA.auth, body);
          expect(response.statusCode, `${method} ${url}`).toBe(404);
          expect(response.json().error.code).toBe('NOT_FOUND');
        }
      }
      expect(await Promise.all(targets.map((id) => snapshot(db, id)))).toEqual(before);
      expect((await auditRows(db)).filter((r) => r.action.startsWith('USER_'))).toHaveLength(0);
      expect((await auditRows(db)).length).toBe(audits);
    });

    it('lets nobody act on themselves (403) nor on the Super Admin (404)', async () => {
      for (const [auth, id] of [
        [w.root.auth, w.root.id],
        [w.adminA.auth, w.adminA.id],
      ] as const) {
        for (const [method, url, body] of [
          ['PUT', `/api/users/${id}`, { name: 'Me' }],
          ['PUT', `/api/users/${id}/projects`, { projectIds: [] }],
          ['POST', `/api/users/${id}/suspend`, { reason: 'me' }],
          ['POST', `/api/users/${id}/unsuspend`, undefined],
          ['DELETE', `/api/users/${id}`, undefined],
        ] as const) {
          const response = await call(method, url, auth, body);
          expect(response.statusCode, `${method} ${url}`).toBe(403);
        }
      }
      const before = await snapshot(db, w.root.id);
      expect((await call('POST', `/api/users/${w.root.id}/suspend`, w.adminA.auth, { reason: 'coup' })).statusCode).toBe(404);
      expect((await call('DELETE', `/api/users/${w.root.id}`, w.adminB.auth)).statusCode).toBe(404);
      expect(await snapshot(db, w.root.id)).toBe(before);
    });
  });

  describe('PUT /:id', () => {
    it('updates profile fields; subUserLimit only from the Super Admin', async () => {
      const byRoot = await call('PUT', `/api/users/${w.adminA.id}`, w.root.auth, {
        name: 'Alice A.',
        customRole: 'Owner',
        companyPhone: '+15550199',
        subUserLimit: 9,
      });
      expect(byRoot.statusCode).toBe(200);
      expect(byRoot.json().data).toMatchObject({
        name: 'Alice A.',
        customRole: 'Owner',
        companyPhone: '+15550199',
        subUserLimit: 9,
        email: 'alice@acme.test',
      });
      const byAdmin = await call('PUT', `/api/users/${w.subA.id}`, w.adminA.auth, {
        name: 'Carol C.',
        customRole: null,
        companyName: '  ',
      });
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.json().data).toMatchObject({ name: 'Carol C.', customRole: null, companyName: null, companyAddress: null });

      const before = await snapshot(db, w.subA.id);
      const limit = await call('PUT', `/api/users/${w.subA.id}`, w.adminA.auth, { name: 'Carol X', subUserLimit: 50 });
      expect(limit.statusCode).toBe(403);
      expect(limit.json().error.code).toBe('FORBIDDEN');
      const subLimit = await call('PUT', `/api/users/${w.subA.id}`, w.root.auth, { subUserLimit: 50 });
      expect(subLimit.statusCode).toBe(400);
      expect(await snapshot(db, w.subA.id)).toBe(before);

      const rows = await auditRows(db, 'USER_UPDATE');
      expect(rows.map((r) => [r.userId, r.targetUserId])).toEqual([
        [w.root.id, w.adminA.id],
        [w.adminA.id, w.subA.id],
      ]);
      expect(rows[1]!.details).toEqual({ fields: ['name', 'customRole', 'companyName'] });
      expect(rows[0]!.details).toEqual({ fields: ['name', 'customRole', 'companyPhone', 'subUserLimit'] });
    });

    it('refuses mass assignment of role, email, password, isActive, createdById and others with 400, changing nothing', async () => {
      const attempts = [
        { role: 'SUPER_ADMIN' },
        { email: 'new@x.test' },
        { password: STRONG_PASSWORD },
        { isActive: true },
        { createdById: w.adminB.id },
        { isSuspended: false },
        { suspendedBy: null },
        { id: 1 },
        { superAdminSlot: 1 },
        {},
        { name: '' },
      ];
      const targets = [
        [w.root.auth, w.adminA.id],
        [w.adminA.auth, w.subA.id],
      ] as const;
      for (const [auth, id] of targets) {
        const before = await snapshot(db, id);
        for (const extra of attempts) {
          const response = await call('PUT', `/api/users/${id}`, auth, Object.keys(extra).length ? { name: 'Changed', ...extra } : extra);
          expect(response.statusCode, JSON.stringify(extra)).toBe(400);
          expect(response.json().error.code).toBe('VALIDATION_ERROR');
        }
        expect(await snapshot(db, id)).toBe(before);
      }
      expect(await auditRows(db, 'USER_UPDATE')).toHaveLength(0);
    });
  });

  describe('PUT /:id/projects', () => {
    it('lets an Admin hand out only its own projects', async () => {
      const ok = await call('PUT', `/api/users/${w.subA.id}/projects`, w.adminA.auth, { projectIds: ['erp', w.crm.id] });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().data.projects.map((p: { id: number }) => p.id)).toEqual([w.crm.id, w.erp.id]);
      const before = await snapshot(db, w.subA.id);
      for (const projectIds of [[w.wiki.id], [w.crm.id, 'wiki'], [424242]]) {
        const refused = await call('PUT', `/api/users/${w.subA.id}/projects`, w.adminA.auth, { projectIds });
        expect(refused.statusCode, JSON.stringify(projectIds)).toBe(403);
      }
      expect(await snapshot(db, w.subA.id)).toBe(before);
      const cleared = await call('PUT', `/api/users/${w.subA.id}/projects`, w.adminA.auth, { projectIds: [] });
      expect(cleared.json().data.projects).toEqual([]);
      expect((await call('PUT', `/api/users/${w.subA.id}/projects`, w.adminA.auth, {})).statusCode).toBe(400);
    });

    it("holds the Super Admin to the Admin's projects for a Sub User", async () => {
      const refused = await call('PUT', `/api/users/${w.subA.id}/projects`, w.root.auth, { projectIds: [w.wiki.id] });
      expect(refused.statusCode).toBe(403);
      for (const projectIds of [['nope'], [99999999999], ['99999999999']]) {
        const unknown = await call('PUT', `/api/users/${w.subA.id}/projects`, w.root.auth, { projectIds });
        expect(unknown.statusCode, JSON.stringify(projectIds)).toBe(400);
      }
      const ok = await call('PUT', `/api/users/${w.subA.id}/projects`, w.root.auth, { projectIds: [w.erp.id] });
      expect(ok.statusCode).toBe(200);
      expect(await projectIdsOf(db, w.subA.id)).toEqual([w.erp.id]);
    });

    it("takes a project from the Admin's sub-users with it, and their project tokens fail at once", async () => {
      const opened = await t.post(`/api/auth/project-token/crm`, undefined, w.subA.auth);
      expect(opened.statusCode).toBe(200);
      const projectToken = opened.json().data.projectToken;
      expect((await t.post('/api/auth/validate-token', { token: projectToken, projectId: 'crm' })).statusCode).toBe(200);

      const response = await call('PUT', `/api/users/${w.adminA.id}/projects`, w.root.auth, { projectIds: [w.erp.id, w.wiki.id] });
      expect(response.statusCode).toBe(200);
      expect(response.json().data.projects.map((p: { id: number }) => p.id)).toEqual([w.erp.id, w.wiki.id]);
      expect(await projectIdsOf(db, w.adminA.id)).toEqual([w.erp.id, w.wiki.id]);
      expect(await projectIdsOf(db, w.subA.id)).toEqual([]);
      expect(await projectIdsOf(db, w.subB.id)).toEqual([w.wiki.id]);

      const validated = await t.post('/api/auth/validate-token', { token: projectToken, projectId: 'crm' });
      expect(validated.statusCode).toBe(401);
      expect(validated.json().data).toEqual({ valid: false });
      expect((await t.post(`/api/auth/project-token/crm`, undefined, w.subA.auth)).statusCode).toBe(404);
      const [row] = await auditRows(db, 'USER_PROJECTS_UPDATE');
      expect(row).toMatchObject({ userId: w.root.id, targetUserId: w.adminA.id });
      expect(row!.details).toMatchObject({ added: [w.wiki.id], removed: [w.crm.id], subUsersPruned: [w.subA.id] });
    });
  });

  describe('races on one Admin', () => {
    it('never leaves a Sub User with a project its Admin lost concurrently', async () => {
      for (let round = 0; round < 4; round += 1) {
        await call('PUT', `/api/users/${w.adminA.id}/projects`, w.root.auth, { projectIds: [w.crm.id, w.erp.id] });
        const [take, give] = await Promise.all([
          call('PUT', `/api/users/${w.adminA.id}/projects`, w.root.auth, { projectIds: [w.erp.id] }),
          call('PUT', `/api/users/${w.subA.id}/projects`, w.adminA.auth, { projectIds: [w.crm.id, w.erp.id] }),
        ]);
        expect(take.statusCode).toBe(200);
        expect([200, 403]).toContain(give.statusCode);
        expect(await projectIdsOf(db, w.subA.id), `round ${round}`).not.toContain(w.crm.id);
      }
    });

    it('never leaves an orphan Sub User when its Admin is force-deleted during a creation', async () => {
      const [deleted, created] = await Promise.all([
        call('DELETE', `/api/users/${w.adminA.id}?force=true`, w.root.auth),
        call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'Late', email: 'late@acme.test' }),
      ]);
      expect(deleted.statusCode).toBe(200);
      expect([201, 401, 403]).toContain(created.statusCode);
      const orphans = await db.db.selectFrom('users').select('id').where('createdById', '=', w.adminA.id).execute();
      expect(orphans).toEqual([]);
    });
  });

  describe('DELETE /:id', () => {
    it('refuses an Admin with sub-users (409 HAS_SUB_USERS) unless force, which deletes them too and kills their tokens', async () => {
      const before = await userCount(db);
      const refused = await call('DELETE', `/api/users/${w.adminA.id}`, w.root.auth);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('HAS_SUB_USERS');
      expect(await userCount(db)).toBe(before);
      expect((await call('DELETE', `/api/users/${w.adminA.id}?force=false`, w.root.auth)).statusCode).toBe(409);

      const forced = await call('DELETE', `/api/users/${w.adminA.id}?force=true`, w.root.auth);
      expect(forced.statusCode).toBe(200);
      expect(forced.json().data.deletedUserIds.sort()).toEqual([w.adminA.id, w.subA.id].sort());
      expect(await userCount(db)).toBe(before - 2);
      for (const actor of [w.adminA, w.subA]) {
        expect((await t.get('/api/auth/me', actor.auth)).statusCode).toBe(401);
        expect((await t.post('/api/auth/validate-token', { token: actor.session.accessToken })).statusCode).toBe(401);
        expect((await t.post('/api/auth/refresh-token', { refreshToken: actor.session.refreshToken })).statusCode).toBe(401);
      }
      expect((await t.get('/api/auth/me', w.subB.auth)).statusCode).toBe(200);
      const rows = await auditRows(db, 'USER_DELETE');
      expect(rows.map((r) => r.targetUserId).sort()).toEqual([w.adminA.id, w.subA.id].sort());
      expect(rows.every((r) => r.userId === w.root.id)).toBe(true);
      expect((await call('GET', `/api/users/${w.adminA.id}`, w.root.auth)).statusCode).toBe(404);
    });

    it('lets an Admin delete its own sub-user, and the Super Admin an Admin without sub-users', async () => {
      expect((await call('DELETE', `/api/users/${w.subA.id}`, w.adminA.auth)).statusCode).toBe(200);
      expect((await t.get('/api/auth/me', w.subA.auth)).statusCode).toBe(401);
      const plain = await call('DELETE', `/api/users/${w.adminA.id}`, w.root.auth);
      expect(plain.statusCode).toBe(200);
      expect(plain.json().data.deletedUserIds).toEqual([w.adminA.id]);
      expect((await call('DELETE', `/api/users/${w.subB.id}?force=maybe`, w.root.auth)).statusCode).toBe(400);
    });
  });
});
