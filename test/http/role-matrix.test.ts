import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { toBool } from '../../src/db/values.js';
import { STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { buildWorld, type World } from './users-fixture.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Who = 'anonymous' | 'sub' | 'admin' | 'otherAdmin' | 'root';
/** Refused callers go first, so that a success cannot hide what a refusal would have changed. */
const CALLERS: Who[] = ['anonymous', 'sub', 'otherAdmin', 'admin', 'root'];
/** What `:id` in a row's path is, made afresh through HTTP before every call so that each caller meets the same target. */
type Target = 'subOfAdmin' | 'suspendedSubOfAdmin' | 'projectAdmin' | 'suspendedProjectAdmin' | 'superAdmin' | 'project';

interface Row {
  method: Method;
  path: string;
  body?: unknown | ((n: number) => unknown);
  target?: Target;
  expect: Record<Who, number>;
}

/** Expected statuses, in the order anonymous, Sub User, Admin (the owner), another Admin, Super Admin. */
const s = (anonymous: number, sub: number, admin: number, otherAdmin: number, root: number) => ({
  anonymous,
  sub,
  admin,
  otherAdmin,
  root,
});
const CODES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

/**
 * Every route of /api/projects, /api/users and /api/audit-logs (API.md). "Admin" is adminA, which owns
 * crm and erp and the Sub User targets; "another Admin" is adminB (wiki only); "Sub User" is adminA's subA (crm).
 */
const TABLE: Row[] = [
  { method: 'GET', path: '/api/projects', expect: s(401, 200, 200, 200, 200) },
  { method: 'GET', path: '/api/projects/stats', expect: s(401, 403, 200, 200, 200) },
  { method: 'GET', path: '/api/projects/erp', expect: s(401, 404, 200, 404, 200) },
  { method: 'GET', path: '/api/projects/crm', expect: s(401, 200, 200, 404, 200) },
  {
    method: 'POST',
    path: '/api/projects',
    body: (n: number) => ({ customProjectId: `made-${n}`, name: 'Made', projectUrl: 'https://made.acme.test' }),
    expect: s(401, 403, 403, 403, 201),
  },
  { method: 'POST', path: '/api/projects/erp/rotate-secret', expect: s(401, 403, 403, 403, 200) },
  { method: 'PUT', path: '/api/projects/erp', body: { name: 'ERP 2', description: 'Renamed' }, expect: s(401, 403, 403, 403, 200) },
  { method: 'DELETE', path: '/api/projects/:id', target: 'project', expect: s(401, 403, 403, 403, 200) },

  { method: 'GET', path: '/api/users', expect: s(401, 403, 200, 200, 200) },
  { method: 'GET', path: '/api/users/stats', expect: s(401, 403, 200, 200, 200) },
  { method: 'GET', path: '/api/users/:id', target: 'subOfAdmin', expect: s(401, 403, 200, 404, 200) },
  { method: 'GET', path: '/api/users/:id', target: 'projectAdmin', expect: s(401, 403, 404, 404, 200) },
  { method: 'GET', path: '/api/users/:id', target: 'superAdmin', expect: s(401, 403, 404, 404, 403) },
  {
    method: 'POST',
    path: '/api/users/project-admin',
    body: (n: number) => ({ name: 'Pat', email: `pat${n}@acme.test`, subUserLimit: 3 }),
    expect: s(401, 403, 403, 403, 201),
  },
  {
    method: 'POST',
    path: '/api/users/sub-user',
    body: (n: number) => ({ name: 'Sam', email: `sam${n}@acme.test` }),
    expect: s(401, 403, 201, 201, 403),
  },
  {
    method: 'PUT',
    path: '/api/users/:id',
    target: 'subOfAdmin',
    body: { name: 'Renamed', customRole: 'Dev' },
    expect: s(401, 403, 200, 404, 200),
  },
  {
    method: 'PUT',
    path: '/api/users/:id',
    target: 'projectAdmin',
    body: { name: 'Renamed', subUserLimit: 7 },
    expect: s(401, 403, 404, 404, 200),
  },
  { method: 'PUT', path: '/api/users/:id', target: 'superAdmin', body: { name: 'Renamed' }, expect: s(401, 403, 404, 404, 403) },
  {
    method: 'PUT',
    path: '/api/users/:id/projects',
    target: 'subOfAdmin',
    body: { projectIds: ['crm', 'erp'] },
    expect: s(401, 403, 200, 404, 200),
  },
  {
    method: 'PUT',
    path: '/api/users/:id/projects',
    target: 'projectAdmin',
    body: { projectIds: ['wiki'] },
    expect: s(401, 403, 404, 404, 200),
  },
  { method: 'POST', path: '/api/users/:id/suspend', target: 'subOfAdmin', body: { reason: 'Matrix' }, expect: s(401, 403, 200, 404, 200) },
  {
    method: 'POST',
    path: '/api/users/:id/suspend',
    target: 'projectAdmin',
    body: { reason: 'Matrix' },
    expect: s(401, 403, 404, 404, 200),
  },
  { method: 'POST', path: '/api/users/:id/suspend', target: 'superAdmin', body: { reason: 'Matrix' }, expect: s(401, 403, 404, 404, 403) },
  { method: 'POST', path: '/api/users/:id/unsuspend', target: 'suspendedSubOfAdmin', expect: s(401, 403, 200, 404, 200) },
  { method: 'POST', path: '/api/users/:id/unsuspend', target: 'suspendedProjectAdmin', expect: s(401, 403, 404, 404, 200) },
  // The targets are made through HTTP, so none has activated yet.
  { method: 'POST', path: '/api/users/:id/resend-activation', target: 'subOfAdmin', expect: s(401, 403, 200, 404, 200) },
  { method: 'POST', path: '/api/users/:id/resend-activation', target: 'projectAdmin', expect: s(401, 403, 404, 404, 200) },
  { method: 'POST', path: '/api/users/:id/resend-activation', target: 'superAdmin', expect: s(401, 403, 404, 404, 403) },
  { method: 'DELETE', path: '/api/users/:id', target: 'subOfAdmin', expect: s(401, 403, 200, 404, 200) },
  { method: 'DELETE', path: '/api/users/:id', target: 'projectAdmin', expect: s(401, 403, 404, 404, 200) },
  { method: 'DELETE', path: '/api/users/:id', target: 'superAdmin', expect: s(401, 403, 404, 404, 403) },

  { method: 'GET', path: '/api/audit-logs', expect: s(401, 403, 200, 200, 200) },
  { method: 'GET', path: '/api/audit-logs/stats', expect: s(401, 403, 200, 200, 200) },
];

/**
 * Every table, ordered. email_outbox keeps only what a new email would add: the worker moves rows
 * from PENDING to SENT on its own schedule.
 */
async function snapshotAll(raw: Database, options: { audit?: boolean } = {}): Promise<string> {
  const { db } = raw;
  const parts = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('projects').selectAll().orderBy('id').execute(),
    db.selectFrom('user_projects').selectAll().orderBy('userId').orderBy('projectId').execute(),
    db.selectFrom('otp_requests').selectAll().orderBy('id').execute(),
    db.selectFrom('otp_lockouts').selectAll().orderBy('email').orderBy('purpose').execute(),
    db.selectFrom('sessions').selectAll().orderBy('id').execute(),
    db.selectFrom('refresh_tokens').selectAll().orderBy('id').execute(),
    db.selectFrom('project_codes').selectAll().orderBy('id').execute(),
    db.selectFrom('signing_keys').selectAll().orderBy('id').execute(),
    db.selectFrom('email_outbox').select(['id', 'kind', 'createdAt']).orderBy('id').execute(),
    options.audit === false ? [] : db.selectFrom('audit_logs').selectAll().orderBy('id').execute(),
  ]);
  return JSON.stringify(parts);
}

describe(`role matrix of /api/projects, /api/users and /api/audit-logs (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let raw: Database;
  let seq = 0;
  useTestWorld(buildWorld, (world) => ({ t, w, raw } = world), { rawPoolSize: 2 });
  beforeEach(async () => {
    // Room for the fresh Sub User targets.
    expect((await call('PUT', `/api/users/${w.adminA.id}`, w.root.auth, { subUserLimit: 500 })).statusCode).toBe(200);
  });

  const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.request({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const headersOf = (who: Who) =>
    ({ anonymous: {}, sub: w.subA.auth, admin: w.adminA.auth, otherAdmin: w.adminB.auth, root: w.root.auth })[who];

  async function created(response: { statusCode: number; body: string; json(): { data: { id: number } } }): Promise<number> {
    expect(response.statusCode, response.body).toBe(201);
    return response.json().data.id;
  }

  async function prepare(target: Target): Promise<string> {
    seq += 1;
    switch (target) {
      case 'superAdmin':
        return String(w.root.id);
      case 'project': {
        const response = await call('POST', '/api/projects', w.root.auth, {
          customProjectId: `target-${seq}`,
          name: 'Target',
          projectUrl: 'https://target.acme.test',
        });
        await created(response);
        return `target-${seq}`;
      }
      case 'subOfAdmin':
      case 'suspendedSubOfAdmin': {
        const id = await created(
          await call('POST', '/api/users/sub-user', w.adminA.auth, {
            name: 'Target',
            email: `target${seq}@acme.test`,
            projectIds: ['crm'],
          }),
        );
        if (target === 'suspendedSubOfAdmin')
          expect((await call('POST', `/api/users/${id}/suspend`, w.adminA.auth, { reason: 'Set-up' })).statusCode).toBe(200);
        return String(id);
      }
      case 'projectAdmin':
      case 'suspendedProjectAdmin': {
        const id = await created(
          await call('POST', '/api/users/project-admin', w.root.auth, {
            name: 'Target',
            email: `target${seq}@delta.test`,
            projectIds: ['erp'],
          }),
        );
        if (target === 'suspendedProjectAdmin')
          expect((await call('POST', `/api/users/${id}/suspend`, w.root.auth, { reason: 'Set-up' })).statusCode).toBe(200);
        return String(id);
      }
    }
  }

  it('answers each role as API.md says, and a refused call changes nothing, audit log included', async () => {
    for (const row of TABLE) {
      for (const who of CALLERS) {
        const url = row.target ? row.path.replace(':id', await prepare(row.target)) : row.path;
        seq += 1;
        const body = typeof row.body === 'function' ? (row.body as (n: number) => unknown)(seq) : row.body;
        const label = `${who} ${row.method} ${row.path}${row.target ? ` (${row.target})` : ''}`;
        const expected = row.expect[who];
        const before = await snapshotAll(raw);
        const response = await call(row.method, url, headersOf(who), body);
        expect(response.statusCode, `${label}: ${response.body}`).toBe(expected);
        expect(response.json().success, label).toBe(expected < 400);
        if (expected >= 400) {
          expect(response.json().error.code, label).toBe(CODES[expected]);
          expect(await snapshotAll(raw), `${label} changed the database`).toBe(before);
        } else if (row.method !== 'GET') {
          expect(await snapshotAll(raw), `${label} should have written something`).not.toBe(before);
        }
      }
    }
  });

  it('refuses mass assignment with 400 VALIDATION_ERROR from callers allowed on the route, changing nothing', async () => {
    const { root, adminA, adminB, subA, crm } = w;
    const newProject = { customProjectId: 'mass-x', name: 'X', projectUrl: 'https://x.acme.test' };
    const attempts: Array<[Record<string, string>, Method, string, Record<string, unknown>, Array<Record<string, unknown>>]> = [
      [
        root.auth,
        'POST',
        '/api/projects',
        newProject,
        [
          { id: 999 },
          { clientSecretHash: 'a'.repeat(64) },
          { clientSecret: 'chosen-secret-0123456789' },
          { createdBy: adminA.id },
          { createdAt: '2020-01-01T00:00:00.000Z' },
          { assignedUsers: 9 },
          { role: 'ADMIN' },
        ],
      ],
      [
        root.auth,
        'PUT',
        '/api/projects/erp',
        { name: 'X' },
        [
          { id: 999 },
          { clientSecretHash: 'a'.repeat(64) },
          { clientSecret: 'chosen-secret-0123456789' },
          { createdBy: adminA.id },
          { updatedAt: '2020-01-01T00:00:00.000Z' },
        ],
      ],
      [
        root.auth,
        'POST',
        '/api/projects/erp/rotate-secret',
        {},
        [{ clientSecret: 'chosen-secret-0123456789' }, { clientSecretHash: 'a'.repeat(64) }, { id: crm.id }],
      ],
      [root.auth, 'DELETE', '/api/projects/erp', {}, [{ id: crm.id }]],
      [
        root.auth,
        'POST',
        '/api/users/project-admin',
        { name: 'Mass', email: 'mass@acme.test' },
        [
          { role: 'SUPER_ADMIN' },
          { password: STRONG_PASSWORD },
          { isActive: true },
          { createdById: adminB.id },
          { id: 999 },
          { isSuspended: true },
          { superAdminSlot: 1 },
          { passwordHash: 'x' },
        ],
      ],
      [
        adminA.auth,
        'POST',
        '/api/users/sub-user',
        { name: 'Mass', email: 'mass@acme.test' },
        [
          { role: 'ADMIN' },
          { password: STRONG_PASSWORD },
          { isActive: true },
          { createdById: adminB.id },
          { id: 999 },
          { subUserLimit: 50 },
          { companyName: 'Evil' },
        ],
      ],
      [
        root.auth,
        'PUT',
        `/api/users/${adminA.id}`,
        { name: 'Mass' },
        [
          { role: 'SUPER_ADMIN' },
          { email: 'new@acme.test' },
          { password: STRONG_PASSWORD },
          { isActive: false },
          { createdById: adminB.id },
          { id: 999 },
          { isSuspended: true },
        ],
      ],
      [
        adminA.auth,
        'PUT',
        `/api/users/${subA.id}`,
        { name: 'Mass' },
        [
          { role: 'ADMIN' },
          { email: 'new@acme.test' },
          { password: STRONG_PASSWORD },
          { isActive: false },
          { createdById: adminB.id },
          { id: 999 },
        ],
      ],
      [
        adminA.auth,
        'PUT',
        `/api/users/${subA.id}/projects`,
        { projectIds: ['erp'] },
        [{ role: 'ADMIN' }, { userId: adminB.id }, { isActive: true }],
      ],
      [root.auth, 'PUT', `/api/users/${adminA.id}/projects`, { projectIds: ['crm'] }, [{ createdById: adminB.id }]],
      [
        adminA.auth,
        'POST',
        `/api/users/${subA.id}/suspend`,
        { reason: 'Mass' },
        [{ isSuspended: false }, { suspendedBy: adminB.id }, { suspendedAt: '2020-01-01T00:00:00.000Z' }, { role: 'ADMIN' }],
      ],
      [root.auth, 'POST', `/api/users/${adminA.id}/unsuspend`, {}, [{ unsuspendedBy: adminB.id }, { isSuspended: false }, { id: 1 }]],
      [adminA.auth, 'DELETE', `/api/users/${subA.id}`, {}, [{ id: adminB.id }, { force: true }, { role: 'ADMIN' }]],
    ];
    for (const [auth, method, url, base, extras] of attempts) {
      for (const extra of extras) {
        const label = `${method} ${url} ${JSON.stringify(extra)}`;
        const before = await snapshotAll(raw);
        const response = await call(method, url, auth, { ...base, ...extra });
        expect(response.statusCode, `${label}: ${response.body}`).toBe(400);
        expect(response.json().error.code, label).toBe('VALIDATION_ERROR');
        expect(await snapshotAll(raw), label).toBe(before);
      }
    }
  });

  it("lets two Admins guess each other's user and project ids only to a 404 identical to a nonexistent one", async () => {
    const freshSub = async (admin: World['adminA']) =>
      created(await call('POST', '/api/users/sub-user', admin.auth, { name: 'Quiet', email: `quiet-${admin.id}@acme.test` }));
    const victims = new Map([
      [w.adminA, { users: [w.adminB.id, w.subB.id, await freshSub(w.adminB)], projects: ['wiki', String(w.wiki.id)], foreign: w.wiki.id }],
      [
        w.adminB,
        {
          users: [w.adminA.id, w.subA.id, await freshSub(w.adminA)],
          projects: ['erp', String(w.erp.id), 'crm', String(w.crm.id)],
          foreign: w.erp.id,
        },
      ],
    ]);
    const before = await snapshotAll(raw);
    for (const [guesser, victim] of victims) {
      const userRoutes: Array<[Method, (id: number | string) => string, unknown?]> = [
        ['GET', (id) => `/api/users/${id}`],
        ['PUT', (id) => `/api/users/${id}`, { name: 'Pwned' }],
        ['PUT', (id) => `/api/users/${id}/projects`, { projectIds: [] }],
        ['POST', (id) => `/api/users/${id}/suspend`, { reason: 'Pwned' }],
        ['POST', (id) => `/api/users/${id}/unsuspend`],
        ['DELETE', (id) => `/api/users/${id}`],
        ['DELETE', (id) => `/api/users/${id}?force=true`],
      ];
      for (const [method, url, body] of userRoutes) {
        const missing = await call(method, url(999_999), guesser.auth, body);
        expect(missing.statusCode).toBe(404);
        for (const id of victim.users) {
          const response = await call(method, url(id), guesser.auth, body);
          expect(response.statusCode, `${guesser.email} ${method} ${url(id)}`).toBe(404);
          expect(response.body, `${guesser.email} ${method} ${url(id)}`).toBe(missing.body);
        }
      }
      const projectRoutes: Array<[Method, (ref: string) => string]> = [
        ['GET', (ref) => `/api/projects/${ref}`],
        ['POST', (ref) => `/api/auth/project-token/${ref}`],
      ];
      for (const [method, url] of projectRoutes) {
        const missing = [await call(method, url('no-such-project'), guesser.auth), await call(method, url('999999'), guesser.auth)];
        expect(missing[0]!.statusCode).toBe(404);
        expect(missing[1]!.body).toBe(missing[0]!.body);
        for (const ref of victim.projects) {
          const response = await call(method, url(ref), guesser.auth);
          expect(response.statusCode, `${guesser.email} ${method} ${url(ref)}`).toBe(404);
          expect(response.body, `${guesser.email} ${method} ${url(ref)}`).toBe(missing[0]!.body);
        }
      }
      // Handing out another Admin's project is the documented 403, the same as for a project that does not exist.
      const ownSub = guesser === w.adminA ? w.subA.id : w.subB.id;
      for (const [method, url, body] of [
        ['POST', '/api/users/sub-user', (p: unknown) => ({ name: 'Guess', email: 'guess@acme.test', projectIds: [p] })],
        ['PUT', `/api/users/${ownSub}/projects`, (p: unknown) => ({ projectIds: [p] })],
      ] as const) {
        const missing = await call(method, url, guesser.auth, body(999_999));
        expect(missing.statusCode).toBe(403);
        const foreign = await call(method, url, guesser.auth, body(victim.foreign));
        expect(foreign.statusCode).toBe(403);
        expect(foreign.body).toBe(missing.body);
      }
    }
    expect(await snapshotAll(raw)).toBe(before);
  });

  it('audits a refused EMAIL_TAKEN (the one refusal documented as audited) and changes nothing else', async () => {
    const before = await snapshotAll(raw, { audit: false });
    const auditsBefore = await raw.db.selectFrom('audit_logs').selectAll().orderBy('id').execute();
    const response = await call('POST', '/api/users/sub-user', w.adminA.auth, { name: 'Dup', email: w.subB.email.toUpperCase() });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('EMAIL_TAKEN');
    expect(await snapshotAll(raw, { audit: false })).toBe(before);
    const auditsAfter = await raw.db.selectFrom('audit_logs').selectAll().orderBy('id').execute();
    expect(auditsAfter.slice(0, auditsBefore.length)).toEqual(auditsBefore);
    const added = auditsAfter.slice(auditsBefore.length);
    expect(added.map((r) => [r.action, r.userId, r.targetUserId, toBool(r.success)])).toEqual([['USER_CREATE', w.adminA.id, null, false]]);
  });
});
