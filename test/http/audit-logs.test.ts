import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { login, seedUser, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { seedProjectsWorld, send, snapshot, type ProjectsWorld } from './projects-fixture.js';

describe(`GET /api/audit-logs (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: ProjectsWorld;
  let raw: Database;
  /** Row name → id, for the rows seeded below. */
  const rows: Record<string, number> = {};

  useTestWorld(seedProjectsWorld, (world) => ({ t, w, raw } = world));
  beforeEach(async () => {
    // An Admin created by adminA is not one of adminA's sub-users.
    const adminC = await seedUser(t, { email: 'c@acme.test', role: 'ADMIN', createdById: w.ids.adminA });
    await raw.db.deleteFrom('audit_logs').execute();
    const { root, adminA, subA, subA2, adminB, subB } = w.ids;
    const seeded: Array<[string, number | null, string, string, boolean, Record<string, unknown> | null, number | null]> = [
      ['r1', root, 'PROJECT_CREATE', '2026-02-01T10:00:00.000Z', true, { customProjectId: 'x' }, null],
      ['r2', adminA, 'LOGIN', '2026-02-02T10:00:00.000Z', true, null, null],
      ['r3', subA, 'LOGIN_FAILED', '2026-02-03T10:00:00.000Z', false, { reason: 'wrong_password' }, null],
      ['r4', adminB, 'LOGIN', '2026-02-03T12:00:00.000Z', true, null, null],
      ['r5', subB, 'PROJECT_TOKEN', '2026-02-04T09:30:00.000Z', true, null, null],
      ['r6', root, 'USER_SUSPEND', '2026-02-04T23:59:59.999Z', true, { reason: 'audit' }, adminA],
      ['r7', null, 'LOGIN_FAILED', '2026-02-05T00:00:00.000Z', false, { reason: 'unknown_email' }, null],
      ['r8', adminA, 'USER_UPDATE', '2026-02-06T08:00:00.000Z', true, null, subA],
      ['r9', subA2, 'PASSWORD_CHANGE', '2026-02-06T08:00:00.000Z', true, null, subA2],
      ['r10', adminC, 'LOGIN', '2026-02-07T08:00:00.000Z', true, null, null],
    ];
    const repo = t.container.store.repos.audit;
    for (const [name, userId, action, at, success, details, target] of seeded) {
      await repo.insert({
        userId,
        actorEmail: userId === null ? 'ghost@acme.test' : `user${userId}@acme.test`,
        targetUserId: target,
        action,
        resource: 'test',
        projectId: name === 'r5' ? w.crm.id : null,
        details,
        ipAddress: '10.0.0.9',
        userAgent: 'vitest',
        success,
        createdAt: new Date(at),
      });
    }
    // Details that are not a JSON object come back as null.
    await raw.db
      .insertInto('audit_logs')
      .values({
        userId: root,
        actorEmail: null,
        targetUserId: null,
        action: 'ODD',
        resource: null,
        projectId: null,
        details: 'not json',
        ipAddress: null,
        userAgent: null,
        success: true,
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
      })
      .execute();
    await raw.db
      .insertInto('audit_logs')
      .values({
        userId: root,
        actorEmail: null,
        targetUserId: null,
        action: 'ODD',
        resource: null,
        projectId: null,
        details: '[1,2]',
        ipAddress: null,
        userAgent: null,
        success: true,
        createdAt: new Date('2026-01-01T00:00:00.000Z'),
      })
      .execute();
    const all = await raw.db.selectFrom('audit_logs').select(['id', 'action', 'createdAt']).orderBy('id').execute();
    all.slice(0, seeded.length).forEach((row, i) => (rows[seeded[i]![0]] = row.id));
  });

  const names = (data: Array<{ id: number }>) =>
    data.map((row) => Object.entries(rows).find(([, id]) => id === row.id)?.[0] ?? `#${row.id}`);
  const read = async (token: string, query = '') => {
    const response = await send(t, 'GET', `/api/audit-logs${query}`, token);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { data: Array<Record<string, unknown> & { id: number }>; meta: Record<string, number> };
  };

  it('gives the Super Admin every row, newest first (ties by id), in the API shape', async () => {
    const body = await read(w.root.accessToken);
    expect(names(body.data)).toEqual([
      'r10',
      'r9',
      'r8',
      'r7',
      'r6',
      'r5',
      'r4',
      'r3',
      'r2',
      'r1',
      '#' + (rows.r10! + 2),
      '#' + (rows.r10! + 1),
    ]);
    expect(body.meta).toEqual({ page: 1, limit: 20, total: 12, totalPages: 1 });
    const r6 = body.data.find((row) => row.id === rows.r6)!;
    expect(r6).toEqual({
      id: rows.r6,
      userId: w.ids.root,
      actorEmail: `user${w.ids.root}@acme.test`,
      targetUserId: w.ids.adminA,
      action: 'USER_SUSPEND',
      resource: 'test',
      projectId: null,
      details: { reason: 'audit' },
      ipAddress: '10.0.0.9',
      userAgent: 'vitest',
      success: true,
      createdAt: '2026-02-04T23:59:59.999Z',
    });
    expect(body.data.find((row) => row.id === rows.r3)!.success).toBe(false);
    expect(body.data.find((row) => row.id === rows.r7)!.userId).toBeNull();
    expect(body.data.filter((row) => row.action === 'ODD').map((row) => row.details)).toEqual([null, null]);
  });

  it('filters by action, userId (actor or target), from/to and success, and pages', async () => {
    const q = async (query: string) => names((await read(w.root.accessToken, query)).data);
    expect(await q('?action=LOGIN')).toEqual(['r10', 'r4', 'r2']);
    expect(await q('?action=login_failed')).toEqual(['r7', 'r3']);
    expect(await q('?action=NOTHING')).toEqual([]);
    expect(await q(`?userId=${w.ids.adminA}`)).toEqual(['r8', 'r6', 'r2']);
    expect(await q(`?userId=${w.ids.subA}`)).toEqual(['r8', 'r3']);
    expect(await q('?from=2026-02-06')).toEqual(['r10', 'r9', 'r8']);
    expect(await q('?to=2026-02-03')).toEqual(['r4', 'r3', 'r2', 'r1', `#${rows.r10! + 2}`, `#${rows.r10! + 1}`]);
    expect(await q('?from=2026-02-03&to=2026-02-04')).toEqual(['r6', 'r5', 'r4', 'r3']);
    expect(await q('?from=2026-02-03T11:00:00Z&to=2026-02-05T00:00:00.000Z')).toEqual(['r7', 'r6', 'r5', 'r4']);
    expect(await q('?from=2026-02-05T02:00:00%2B02:00&to=2026-02-05T00:00:00Z')).toEqual(['r7']);
    expect(await q('?success=false')).toEqual(['r7', 'r3']);
    expect(await q(`?success=true&from=2026-02-06&userId=${w.ids.subA2}`)).toEqual(['r9']);
    expect(await q(`?action=LOGIN_FAILED&success=false&userId=${w.ids.subA}`)).toEqual(['r3']);

    const page2 = await read(w.root.accessToken, '?limit=3&page=2');
    expect(names(page2.data)).toEqual(['r7', 'r6', 'r5']);
    expect(page2.meta).toEqual({ page: 2, limit: 3, total: 12, totalPages: 4 });
    const filteredPage = await read(w.root.accessToken, '?action=LOGIN&limit=2&page=2');
    expect(names(filteredPage.data)).toEqual(['r2']);
    expect(filteredPage.meta).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
  });

  it('shows an Admin the actions of itself and its own sub-users only', async () => {
    const a = await read(w.adminA.accessToken);
    expect(names(a.data)).toEqual(['r9', 'r8', 'r3', 'r2']);
    expect(a.meta.total).toBe(4);
    expect(names((await read(w.adminB.accessToken)).data)).toEqual(['r5', 'r4']);
    // Filters narrow the scope, never widen it.
    expect(names((await read(w.adminA.accessToken, `?userId=${w.ids.adminB}`)).data)).toEqual([]);
    expect(names((await read(w.adminA.accessToken, `?userId=${w.ids.subA}`)).data)).toEqual(['r8', 'r3']);
    expect(names((await read(w.adminA.accessToken, `?userId=${w.ids.adminA}`)).data)).toEqual(['r8', 'r2']);
    expect(names((await read(w.adminA.accessToken, '?action=LOGIN')).data)).toEqual(['r2']);
    expect(names((await read(w.adminA.accessToken, '?action=USER_SUSPEND')).data)).toEqual([]);
  });

  it('refuses anonymous callers (401) and Sub Users (403), changing nothing', async () => {
    const before = await snapshot(raw);
    expect((await send(t, 'GET', '/api/audit-logs')).statusCode).toBe(401);
    expect((await send(t, 'GET', '/api/audit-logs?limit=500')).statusCode).toBe(401);
    for (const token of [w.subA.accessToken, w.subB.accessToken]) {
      const response = await send(t, 'GET', '/api/audit-logs', token);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(raw)).toBe(before);
  });

  it('refuses bad filters with 400', async () => {
    const bad = [
      '?from=yesterday',
      '?to=2026-13-01',
      '?from=2026-02-05&to=2026-02-04',
      '?from=2026-02-05T00:00:00Z&to=2026-02-04T23:00:00Z',
      '?success=maybe',
      '?userId=abc',
      '?userId=0',
      '?userId=-3',
      '?limit=101',
      '?page=0',
      '?search=x',
      '?action=has%20space',
      `?action=${'A'.repeat(101)}`,
    ];
    for (const query of bad) {
      const response = await send(t, 'GET', `/api/audit-logs${query}`, w.root.accessToken);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('records the real events: a project write by the Super Admin and an Admin sign-in', async () => {
    const created = await send(t, 'POST', '/api/projects', w.root.accessToken, {
      customProjectId: 'wiki',
      name: 'Wiki',
      projectUrl: 'https://wiki.acme.test',
    });
    const secret = created.json().data.clientSecret as string;
    await send(t, 'PUT', '/api/projects/wiki', w.root.accessToken, { isActive: false });
    await send(t, 'POST', '/api/projects/wiki/rotate-secret', w.root.accessToken);
    await send(t, 'DELETE', '/api/projects/wiki', w.root.accessToken);
    const log = await read(w.root.accessToken, `?userId=${w.ids.root}&from=${encodeURIComponent(t.clock.now().toISOString())}`);
    expect(log.data.map((row) => row.action)).toEqual(['PROJECT_DELETE', 'PROJECT_SECRET_ROTATE', 'PROJECT_UPDATE', 'PROJECT_CREATE']);
    for (const row of log.data) {
      expect(row).toMatchObject({
        userId: w.ids.root,
        actorEmail: 'root@acme.test',
        resource: 'project',
        projectId: created.json().data.id,
        success: true,
        ipAddress: '127.0.0.1',
      });
    }
    expect(JSON.stringify(log)).not.toContain(secret);

    await login(t, 'a-sub@acme.test');
    const a = await read(w.adminA.accessToken, `?action=LOGIN&from=${encodeURIComponent(t.clock.now().toISOString())}`);
    expect(a.data[0]).toMatchObject({ userId: w.ids.subA, actorEmail: 'a-sub@acme.test', success: true });
  });
});
