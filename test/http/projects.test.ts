import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import type { TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { seedProjectsWorld, send, snapshot, type ProjectsWorld } from './projects-fixture.js';

/** Reads of /api/projects (list, get, stats) and the role matrix of every route. */
describe(`/api/projects: reads and roles (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: ProjectsWorld;
  let raw: Database;
  useTestWorld(seedProjectsWorld, (world) => ({ t, w, raw } = world));

  const list = async (token: string, query = '') => {
    const response = await send(t, 'GET', `/api/projects${query}`, token);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { data: Array<Record<string, unknown>>; meta: Record<string, number> };
  };
  const summary = (rows: Array<Record<string, unknown>>) => rows.map((p) => [p.customProjectId, p.assignedUsers]);

  it('lists every project to the Super Admin, newest first, with all assignments counted', async () => {
    const body = await list(w.root.accessToken);
    expect(summary(body.data)).toEqual([
      ['lab', 0],
      ['hr', 1],
      ['legacy', 2],
      ['erp', 1],
      ['crm', 4],
    ]);
    expect(body.meta).toEqual({ page: 1, limit: 20, total: 5, totalPages: 1 });
    const lab = body.data[0]!;
    expect(Object.keys(lab).sort()).toEqual([
      'assignedUsers',
      'createdAt',
      'createdBy',
      'customProjectId',
      'description',
      'icon',
      'id',
      'isActive',
      'name',
      'projectUrl',
      'updatedAt',
    ]);
    expect(lab).toMatchObject({
      id: w.lab.id,
      name: 'LAB',
      isActive: true,
      createdBy: w.ids.root,
      icon: null,
      description: null,
      projectUrl: 'https://lab.acme.test/app',
    });
    expect(new Date(lab.createdAt as string).toISOString()).toBe(lab.createdAt);
  });

  it('breaks createdAt ties by id, newest first', async () => {
    await raw.db
      .updateTable('projects')
      .set({ createdAt: new Date('2026-03-01T00:00:00.000Z') })
      .execute();
    expect(summary((await list(w.root.accessToken)).data).map(([id]) => id)).toEqual(['lab', 'hr', 'legacy', 'erp', 'crm']);
  });

  it('shows an Admin its assigned projects (inactive too), counting only itself and its own sub-users', async () => {
    expect(summary((await list(w.adminA.accessToken)).data)).toEqual([
      ['legacy', 2],
      ['erp', 1],
      ['crm', 2],
    ]);
    expect(summary((await list(w.adminB.accessToken)).data)).toEqual([
      ['hr', 1],
      ['crm', 2],
    ]);
  });

  it('shows a Sub User its active assigned projects, without assignedUsers', async () => {
    const body = await list(w.subA.accessToken);
    expect(body.data.map((p) => p.customProjectId)).toEqual(['crm']);
    expect(body.data[0]).not.toHaveProperty('assignedUsers');
    expect(body.meta.total).toBe(1);
  });

  it('pages, and searches name or customProjectId case-insensitively with wildcards taken literally', async () => {
    const first = await list(w.root.accessToken, '?limit=2');
    expect(first.data.map((p) => p.customProjectId)).toEqual(['lab', 'hr']);
    expect(first.meta).toEqual({ page: 1, limit: 2, total: 5, totalPages: 3 });
    const last = await list(w.root.accessToken, '?limit=2&page=3');
    expect(last.data.map((p) => p.customProjectId)).toEqual(['crm']);
    expect((await list(w.root.accessToken, '?limit=2&page=4')).data).toEqual([]);

    await raw.db.updateTable('projects').set({ name: 'Customer Relations 100%' }).where('id', '=', w.crm.id).execute();
    await raw.db.updateTable('projects').set({ name: 'Enterprise_Planning' }).where('id', '=', w.erp.id).execute();
    const ids = async (search: string, token = w.root.accessToken) =>
      (await list(token, `?search=${encodeURIComponent(search)}`)).data.map((p) => p.customProjectId);
    expect(await ids('CUSTOMER')).toEqual(['crm']);
    expect(await ids('relations 100%')).toEqual(['crm']);
    expect(await ids('%')).toEqual(['crm']);
    expect(await ids('_')).toEqual(['erp']);
    expect(await ids('!')).toEqual([]);
    expect(await ids('LEG')).toEqual(['legacy']);
    expect(await ids('  Hr ')).toEqual(['hr']);
    expect(await ids('r')).toEqual(['hr', 'erp', 'crm']);
    // Search stays inside the caller's scope.
    expect(await ids('r', w.subA.accessToken)).toEqual(['crm']);
    expect(await ids('hr', w.adminA.accessToken)).toEqual([]);
    const counted = await list(w.root.accessToken, '?search=r&limit=1');
    expect(counted.meta).toEqual({ page: 1, limit: 1, total: 3, totalPages: 3 });
  });

  it('refuses bad list queries with 400', async () => {
    for (const query of ['?limit=101', '?limit=0', '?page=0', '?page=x', '?sort=name', `?search=${'x'.repeat(256)}`]) {
      const response = await send(t, 'GET', `/api/projects${query}`, w.root.accessToken);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('gets a project by id or customProjectId within the scope, 404 outside it', async () => {
    const byId = await send(t, 'GET', `/api/projects/${w.crm.id}`, w.root.accessToken);
    expect(byId.statusCode).toBe(200);
    expect(byId.json().data).toMatchObject({ id: w.crm.id, customProjectId: 'crm', assignedUsers: 4 });
    expect((await send(t, 'GET', '/api/projects/crm', w.adminA.accessToken)).json().data.assignedUsers).toBe(2);
    expect((await send(t, 'GET', '/api/projects/crm', w.adminB.accessToken)).json().data.assignedUsers).toBe(2);
    const asSub = await send(t, 'GET', '/api/projects/crm', w.subA.accessToken);
    expect(asSub.statusCode).toBe(200);
    expect(asSub.json().data).not.toHaveProperty('assignedUsers');
    expect((await send(t, 'GET', '/api/projects/legacy', w.adminA.accessToken)).statusCode).toBe(200);

    const outside: Array<[string, string]> = [
      [w.adminA.accessToken, 'hr'],
      [w.adminA.accessToken, String(w.lab.id)],
      [w.adminB.accessToken, 'erp'],
      [w.subA.accessToken, 'legacy'],
      [w.subA.accessToken, String(w.erp.id)],
      [w.subB.accessToken, 'hr'],
      [w.root.accessToken, 'nope'],
      [w.root.accessToken, '999999'],
      [w.root.accessToken, '99999999999999999999'],
      [w.root.accessToken, 'CRM'],
    ];
    for (const [token, ref] of outside) {
      const response = await send(t, 'GET', `/api/projects/${ref}`, token);
      expect(response.statusCode, ref).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    }
    expect((await send(t, 'GET', '/api/projects/bad%20ref', w.root.accessToken)).statusCode).toBe(400);
  });

  it('answers the statistics in the seed shape, scoped for an Admin, and 403 to a Sub User', async () => {
    const stats = async (token: string) => {
      const response = await send(t, 'GET', '/api/projects/stats', token);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data;
    };
    const { adminA, subA, adminB, subB } = w.ids;
    expect(await stats(w.root.accessToken)).toEqual({
      totalProjects: 5,
      activeProjects: 4,
      inactiveProjects: 1,
      projectsByUser: { [adminA]: 3, [subA]: 2, [adminB]: 2, [subB]: 1 },
    });
    expect(await stats(w.adminA.accessToken)).toEqual({
      totalProjects: 3,
      activeProjects: 2,
      inactiveProjects: 1,
      projectsByUser: { [adminA]: 3, [subA]: 2 },
    });
    expect(await stats(w.adminB.accessToken)).toEqual({
      totalProjects: 2,
      activeProjects: 2,
      inactiveProjects: 0,
      projectsByUser: { [adminB]: 2, [subB]: 1 },
    });
    for (const token of [w.subA.accessToken, w.subB.accessToken]) {
      const response = await send(t, 'GET', '/api/projects/stats', token);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('holds the role matrix of every route, and refused calls change nothing', async () => {
    const body = { customProjectId: 'new-one', name: 'New', projectUrl: 'https://new.acme.test' };
    const routes: Array<{
      method: 'GET' | 'POST' | 'PUT' | 'DELETE';
      url: string;
      body?: unknown;
      ok: number;
      allowed: Array<keyof typeof tokens>;
    }> = [
      { method: 'GET', url: '/api/projects', ok: 200, allowed: ['root', 'adminA', 'adminB', 'subA'] },
      { method: 'GET', url: '/api/projects/stats', ok: 200, allowed: ['root', 'adminA', 'adminB'] },
      { method: 'GET', url: '/api/projects/erp', ok: 200, allowed: ['root', 'adminA'] },
      { method: 'POST', url: '/api/projects', body, ok: 201, allowed: ['root'] },
      { method: 'POST', url: '/api/projects/crm/rotate-secret', ok: 200, allowed: ['root'] },
      { method: 'PUT', url: '/api/projects/crm', body: { name: 'Renamed' }, ok: 200, allowed: ['root'] },
      { method: 'DELETE', url: '/api/projects/erp', ok: 200, allowed: ['root'] },
    ];
    const tokens = {
      anonymous: undefined,
      subA: w.subA.accessToken,
      adminA: w.adminA.accessToken,
      adminB: w.adminB.accessToken,
      root: w.root.accessToken,
    };
    for (const route of routes) {
      for (const [who, token] of Object.entries(tokens) as Array<[keyof typeof tokens, string | undefined]>) {
        if (route.allowed.includes(who)) continue;
        const before = await snapshot(raw);
        const response = await send(t, route.method, route.url, token, route.body);
        const expected = who === 'anonymous' ? 401 : route.method === 'GET' ? (route.url.endsWith('stats') ? 403 : 404) : 403;
        expect(response.statusCode, `${who} ${route.method} ${route.url}`).toBe(expected);
        expect(await snapshot(raw), `${who} ${route.method} ${route.url}`).toBe(before);
      }
      // A refused caller is refused before its input is looked at: 401/403, never 400.
      if (route.method !== 'GET') {
        expect((await send(t, route.method, route.url, undefined, { junk: true })).statusCode).toBe(401);
        expect((await send(t, route.method, route.url, w.adminA.accessToken, { junk: true })).statusCode).toBe(403);
      }
    }
    for (const route of routes) {
      for (const who of route.allowed) {
        const response = await send(t, route.method, route.url, tokens[who], route.body);
        expect(response.statusCode, `${who} ${route.method} ${route.url}: ${response.body}`).toBe(route.ok);
      }
    }
  });

  it('refuses a revoked or project token on every route', async () => {
    await t.post('/api/auth/logout', { refreshToken: w.adminA.refreshToken });
    expect((await send(t, 'GET', '/api/projects', w.adminA.accessToken)).statusCode).toBe(401);
    const opened = await t.post('/api/auth/project-token/crm', undefined, { authorization: `Bearer ${w.subA.accessToken}` });
    const projectToken = opened.json().data.projectToken as string;
    expect((await send(t, 'GET', '/api/projects', projectToken)).statusCode).toBe(401);
    expect((await send(t, 'GET', '/api/projects/stats', projectToken)).statusCode).toBe(401);
  });
});
