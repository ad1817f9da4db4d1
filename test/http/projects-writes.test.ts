import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { CLIENT_SECRET_PURPOSE } from '../../src/services/auth/project-access.js';
import { bearer, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { exchange, openProject, seedProjectsWorld, send, snapshot, validateFor, type ProjectsWorld } from './projects-fixture.js';

/** The Super Admin's writes: create, update, rotate-secret, delete, and what they do to tokens and codes. */
describe(`/api/projects: writes (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: ProjectsWorld;
  let raw: Database;
  useTestWorld(seedProjectsWorld, (world) => ({ t, w, raw } = world));

  const root = () => w.root.accessToken;
  const auditRows = (action: string) => raw.db.selectFrom('audit_logs').selectAll().where('action', '=', action).orderBy('id').execute();

  it('creates a project, shows its client secret once, stores only the HMAC, and the secret works for exchange-code', async () => {
    const created = await send(t, 'POST', '/api/projects', root(), {
      customProjectId: 'billing_v2',
      name: '  Billing ',
      projectUrl: 'https://billing.acme.test/login?from=xtown',
      icon: 'receipt',
      description: 'Invoices',
    });
    expect(created.statusCode, created.body).toBe(201);
    const data = created.json().data;
    expect(data).toMatchObject({
      customProjectId: 'billing_v2',
      name: 'Billing',
      projectUrl: 'https://billing.acme.test/login?from=xtown',
      icon: 'receipt',
      description: 'Invoices',
      isActive: true,
      createdBy: w.ids.root,
      assignedUsers: 0,
    });
    expect(data.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const row = await raw.db.selectFrom('projects').selectAll().where('id', '=', data.id).executeTakeFirstOrThrow();
    expect(row.clientSecretHash).toBe(t.container.secrets.hash(CLIENT_SECRET_PURPOSE, data.clientSecret));
    expect(await snapshot(raw)).not.toContain(data.clientSecret);

    const shown = await send(t, 'GET', `/api/projects/${data.id}`, root());
    expect(shown.json().data).not.toHaveProperty('clientSecret');
    expect(shown.body).not.toContain(row.clientSecretHash!);

    const { code } = await openProject(t, root(), 'billing_v2');
    const exchanged = await exchange(t, code, 'billing_v2', data.clientSecret);
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect(exchanged.json().data.project.customProjectId).toBe('billing_v2');

    const [audit] = await auditRows('PROJECT_CREATE');
    expect(audit).toMatchObject({ userId: w.ids.root, actorEmail: 'root@acme.test', projectId: data.id, resource: 'project' });
    expect(JSON.parse(audit!.details!)).toEqual({ customProjectId: 'billing_v2', name: 'Billing', isActive: true });
    expect(JSON.stringify(audit)).not.toContain(data.clientSecret);
  });

  it('creates an inactive project when asked, and accepts http URLs', async () => {
    const created = await send(t, 'POST', '/api/projects', root(), {
      customProjectId: 'intranet',
      name: 'Intranet',
      projectUrl: 'http://10.0.0.5:8080',
      isActive: false,
      icon: null,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().data).toMatchObject({ isActive: false, icon: null, description: null });
  });

  it('refuses invalid input with 400 and creates nothing', async () => {
    const valid = { customProjectId: 'okay', name: 'Okay', projectUrl: 'https://ok.acme.test' };
    const bad: Array<Record<string, unknown>> = [
      { ...valid, customProjectId: 'ab' },
      { ...valid, customProjectId: 'a'.repeat(51) },
      { ...valid, customProjectId: '1abc' },
      { ...valid, customProjectId: 'Okay' },
      { ...valid, customProjectId: 'has space' },
      { ...valid, customProjectId: 'dot.ted' },
      { ...valid, customProjectId: 'stats' },
      { ...valid, customProjectId: 12345 },
      { ...valid, name: '   ' },
      { ...valid, name: 'x'.repeat(256) },
      { ...valid, projectUrl: 'ftp://files.acme.test' },
      { ...valid, projectUrl: 'javascript:alert(1)' },
      { ...valid, projectUrl: '/relative/path' },
      { ...valid, projectUrl: 'https://user:pass@acme.test' },
      { ...valid, projectUrl: 'not a url' },
      { ...valid, icon: 'i'.repeat(101) },
      { ...valid, isActive: 'yes' },
      { ...valid, clientSecretHash: 'x' },
      { ...valid, createdBy: 7 },
      { ...valid, id: 99 },
      { name: 'Okay', projectUrl: 'https://ok.acme.test' },
      { customProjectId: 'okay', projectUrl: 'https://ok.acme.test' },
      { customProjectId: 'okay', name: 'Okay' },
    ];
    const before = await snapshot(raw);
    for (const body of bad) {
      const response = await send(t, 'POST', '/api/projects', root(), body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_ERROR');
    }
    expect(await snapshot(raw)).toBe(before);
  });

  it('answers 409 PROJECT_ID_TAKEN for a used customProjectId, also under a race', async () => {
    const taken = await send(t, 'POST', '/api/projects', root(), {
      customProjectId: 'crm',
      name: 'Again',
      projectUrl: 'https://x.acme.test',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('PROJECT_ID_TAKEN');

    const before = (await auditRows('PROJECT_CREATE')).length;
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        send(t, 'POST', '/api/projects', root(), { customProjectId: 'race', name: `Racer ${i}`, projectUrl: 'https://race.acme.test' }),
      ),
    );
    const statuses = racers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const loser of racers.filter((r) => r.statusCode === 409)) expect(loser.json().error.code).toBe('PROJECT_ID_TAKEN');
    expect(await raw.db.selectFrom('projects').select('id').where('customProjectId', '=', 'race').execute()).toHaveLength(1);
    expect((await auditRows('PROJECT_CREATE')).length).toBe(before + 1);
  });

  it('updates some fields, audits the changes, and refuses bad updates without changing anything', async () => {
    t.clock.advance(60_000);
    const updated = await send(t, 'PUT', '/api/projects/erp', root(), {
      name: 'ERP Suite',
      description: 'Planning',
      projectUrl: 'https://erp2.acme.test',
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json().data).toMatchObject({
      id: w.erp.id,
      customProjectId: 'erp',
      name: 'ERP Suite',
      description: 'Planning',
      projectUrl: 'https://erp2.acme.test',
      isActive: true,
      assignedUsers: 1,
    });
    expect(updated.json().data.updatedAt).toBe(t.clock.now().toISOString());
    expect(updated.json().data.createdAt).not.toBe(updated.json().data.updatedAt);
    const [audit] = await auditRows('PROJECT_UPDATE');
    expect(JSON.parse(audit!.details!)).toEqual({
      customProjectId: 'erp',
      changes: {
        name: { from: 'ERP', to: 'ERP Suite' },
        projectUrl: { from: 'https://erp.acme.test/app', to: 'https://erp2.acme.test' },
        description: 'changed',
      },
    });
    const cleared = await send(t, 'PUT', `/api/projects/${w.erp.id}`, root(), { description: null });
    expect(cleared.json().data.description).toBeNull();

    const before = await snapshot(raw);
    const refusals: Array<[string, unknown, number, string]> = [
      ['/api/projects/erp', {}, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { clientSecretHash: 'x' }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { createdBy: 1 }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { customProjectId: 'stats' }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { projectUrl: 'mailto:a@b.c' }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { name: null }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { customProjectId: 'crm', name: 'Clash' }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/erp', { customProjectId: 'erp-next' }, 400, 'VALIDATION_ERROR'],
      ['/api/projects/nope', { name: 'Ghost' }, 404, 'NOT_FOUND'],
      ['/api/projects/424242', { name: 'Ghost' }, 404, 'NOT_FOUND'],
    ];
    for (const [url, body, status, code] of refusals) {
      const response = await send(t, 'PUT', url, root(), body);
      expect(response.statusCode, `${url} ${JSON.stringify(body)}`).toBe(status);
      expect(response.json().error.code).toBe(code);
    }
    expect(await snapshot(raw)).toBe(before);
  });

  it('deactivation makes project tokens and one-time codes fail at once and for good; reactivation serves fresh ones', async () => {
    const opened = await openProject(t, w.subA.accessToken, 'crm');
    const second = await openProject(t, w.adminA.accessToken, 'crm');
    expect((await validateFor(t, opened.projectToken, 'crm')).statusCode).toBe(200);

    const off = await send(t, 'PUT', '/api/projects/crm', root(), { isActive: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().data.isActive).toBe(false);

    const refused = await validateFor(t, opened.projectToken, 'crm');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().data).toEqual({ valid: false });
    expect((await exchange(t, second.code, 'crm', w.crm.clientSecret)).statusCode).toBe(401);
    const reopen = await t.post('/api/auth/project-token/crm', undefined, bearer(w.subA.accessToken));
    expect(reopen.statusCode).toBe(403);
    expect(reopen.json().error.code).toBe('PROJECT_INACTIVE');
    expect((await send(t, 'GET', '/api/projects', w.subA.accessToken)).json().data).toEqual([]);
    expect((await send(t, 'GET', '/api/projects/crm', w.subA.accessToken)).statusCode).toBe(404);
    expect(JSON.parse((await auditRows('PROJECT_UPDATE'))[0]!.details!).changes).toEqual({ isActive: { from: true, to: false } });

    // API.md: a project token is bound to the project state it was issued under: once active again, the old
    // token stays refused (it does not come back to life); a fresh one, and its code, work.
    expect((await send(t, 'PUT', '/api/projects/crm', root(), { isActive: true })).statusCode).toBe(200);
    expect((await validateFor(t, opened.projectToken, 'crm')).statusCode).toBe(401);
    expect((await exchange(t, second.code, 'crm', w.crm.clientSecret)).statusCode).toBe(401);
    const fresh = await openProject(t, w.subA.accessToken, 'crm');
    expect((await validateFor(t, fresh.projectToken, 'crm')).statusCode).toBe(200);
    const exchanged = await exchange(t, fresh.code, 'crm', w.crm.clientSecret);
    expect(exchanged.statusCode).toBe(200);
    expect((await validateFor(t, exchanged.json().data.projectToken, 'crm')).statusCode).toBe(200);
    // A deactivation and re-activation between a code's issue and its exchange kills the code too.
    const pending = await openProject(t, w.subA.accessToken, 'crm');
    expect((await send(t, 'PUT', '/api/projects/crm', root(), { isActive: false })).statusCode).toBe(200);
    expect((await send(t, 'PUT', '/api/projects/crm', root(), { isActive: true })).statusCode).toBe(200);
    expect((await exchange(t, pending.code, 'crm', w.crm.clientSecret)).statusCode).toBe(401);
  });

  it('an unassignment kills the project tokens and codes issued before it for good, also through an Admin losing the project', async () => {
    const subA = w.ids.subA;
    const setProjects = (token: string, userId: number, projectIds: string[]) =>
      send(t, 'PUT', `/api/users/${userId}/projects`, token, { projectIds });
    const opened = await openProject(t, w.subA.accessToken, 'crm');
    const pending = await openProject(t, w.subA.accessToken, 'crm');
    expect((await validateFor(t, opened.projectToken, 'crm')).statusCode).toBe(200);

    expect((await setProjects(w.adminA.accessToken, subA, [])).statusCode).toBe(200);
    expect((await validateFor(t, opened.projectToken, 'crm')).statusCode).toBe(401);
    expect((await setProjects(w.adminA.accessToken, subA, ['crm'])).statusCode).toBe(200);
    expect((await validateFor(t, opened.projectToken, 'crm')).statusCode).toBe(401);
    expect((await exchange(t, pending.code, 'crm', w.crm.clientSecret)).statusCode).toBe(401);
    const fresh = await openProject(t, w.subA.accessToken, 'crm');
    expect((await validateFor(t, fresh.projectToken, 'crm')).statusCode).toBe(200);
    // Someone else's token for the same project is not touched by subA's unassignment.
    const adminToken = await openProject(t, w.adminA.accessToken, 'crm');
    expect((await setProjects(w.adminA.accessToken, subA, [])).statusCode).toBe(200);
    expect((await validateFor(t, adminToken.projectToken, 'crm')).statusCode).toBe(200);
    expect((await setProjects(w.adminA.accessToken, subA, ['crm'])).statusCode).toBe(200);

    // The Super Admin takes crm from adminA: subA loses it too (pruned), and neither token comes back.
    const subToken = await openProject(t, w.subA.accessToken, 'crm');
    const adminProjects = (await send(t, 'GET', `/api/users/${w.ids.adminA}`, root())).json().data.projects as Array<{
      customProjectId: string;
    }>;
    const others = adminProjects.map((p) => p.customProjectId).filter((id) => id !== 'crm');
    expect((await setProjects(root(), w.ids.adminA, others)).statusCode).toBe(200);
    expect((await setProjects(root(), w.ids.adminA, [...others, 'crm'])).statusCode).toBe(200);
    expect((await setProjects(w.adminA.accessToken, subA, ['crm'])).statusCode).toBe(200);
    expect((await validateFor(t, subToken.projectToken, 'crm')).statusCode).toBe(401);
    expect((await validateFor(t, adminToken.projectToken, 'crm')).statusCode).toBe(401);
    expect((await validateFor(t, (await openProject(t, w.subA.accessToken, 'crm')).projectToken, 'crm')).statusCode).toBe(200);
  });

  it('keeps the customProjectId fixed: a PUT that changes it is a 400 at the field, the same value is accepted', async () => {
    const before = await openProject(t, w.subA.accessToken, 'crm');
    const changed = await send(t, 'PUT', '/api/projects/crm', root(), { customProjectId: 'crm-next', name: 'Renamed' });
    expect(changed.statusCode, changed.body).toBe(400);
    expect(changed.json().error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'customProjectId' }] });
    expect((await send(t, 'GET', '/api/projects/crm', root())).json().data.name).toBe('CRM');

    const same = await send(t, 'PUT', '/api/projects/crm', root(), { customProjectId: 'crm', name: 'CRM' });
    expect(same.statusCode, same.body).toBe(200);
    expect((await validateFor(t, before.projectToken, 'crm')).statusCode).toBe(200);
  });

  it('rotates the client secret without grace: the old one stops at once, the new one works, nothing secret is audited', async () => {
    const rotated = await send(t, 'POST', '/api/projects/crm/rotate-secret', root(), { graceHours: 0 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { clientSecret } = rotated.json().data;
    expect(rotated.json().data).toEqual({ clientSecret: expect.any(String), previousSecretValidUntil: null });
    expect(clientSecret).not.toBe(w.crm.clientSecret);

    const first = await openProject(t, w.subA.accessToken, 'crm');
    expect((await exchange(t, first.code, 'crm', w.crm.clientSecret)).statusCode).toBe(401);
    const second = await openProject(t, w.subA.accessToken, 'crm');
    expect((await exchange(t, second.code, 'crm', clientSecret)).statusCode).toBe(200);

    const [audit] = await auditRows('PROJECT_SECRET_ROTATE');
    expect(audit).toMatchObject({ userId: w.ids.root, projectId: w.crm.id, success: expect.anything() });
    expect(JSON.stringify(audit)).not.toContain(clientSecret);
    expect(await snapshot(raw)).not.toContain(clientSecret);
    expect((await send(t, 'POST', '/api/projects/nope/rotate-secret', root())).statusCode).toBe(404);
    const before = await snapshot(raw);
    expect((await send(t, 'POST', '/api/projects/crm/rotate-secret', root(), { clientSecret: 'mine' })).statusCode).toBe(400);
    expect((await send(t, 'DELETE', '/api/projects/crm', root(), { force: true })).statusCode).toBe(400);
    expect(await snapshot(raw)).toBe(before);
  });

  it('deletes a project with its assignments and codes: its tokens and codes fail at once, the audit rows stay', async () => {
    const bySub = await openProject(t, w.subA.accessToken, 'crm');
    const byAdmin = await openProject(t, w.adminB.accessToken, 'crm');
    expect((await validateFor(t, bySub.projectToken, 'crm')).statusCode).toBe(200);
    const tokenRowsBefore = await raw.db.selectFrom('audit_logs').select('id').where('projectId', '=', w.crm.id).execute();

    const deleted = await send(t, 'DELETE', '/api/projects/crm', root());
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({ success: true, message: 'Project deleted' });

    expect((await validateFor(t, bySub.projectToken, 'crm')).statusCode).toBe(401);
    expect((await validateFor(t, byAdmin.projectToken, w.crm.id)).statusCode).toBe(401);
    expect((await exchange(t, byAdmin.code, w.crm.id, w.crm.clientSecret)).statusCode).toBe(401);
    expect(await raw.db.selectFrom('user_projects').select('userId').where('projectId', '=', w.crm.id).execute()).toEqual([]);
    expect(await raw.db.selectFrom('project_codes').select('id').where('projectId', '=', w.crm.id).execute()).toEqual([]);
    expect((await send(t, 'GET', '/api/projects/crm', root())).statusCode).toBe(404);
    expect((await send(t, 'DELETE', '/api/projects/crm', root())).statusCode).toBe(404);
    expect((await t.get('/api/auth/me', bearer(w.subA.accessToken))).json().data.projects).toEqual([]);

    const kept = await raw.db.selectFrom('audit_logs').select(['id', 'action']).where('projectId', '=', w.crm.id).execute();
    expect(kept.length).toBeGreaterThan(tokenRowsBefore.length);
    const [audit] = await auditRows('PROJECT_DELETE');
    expect(JSON.parse(audit!.details!)).toEqual({ customProjectId: 'crm', name: 'CRM', assignmentsRemoved: 4 });

    // The customProjectId is never handed to a new project (API.md), so no new project can revive old tokens.
    const again = await send(t, 'POST', '/api/projects', root(), {
      customProjectId: 'crm',
      name: 'CRM',
      projectUrl: 'https://crm.acme.test',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('PROJECT_ID_TAKEN');
    // Nor is its numeric id: a new project gets a fresh one.
    const other = await send(t, 'POST', '/api/projects', root(), {
      customProjectId: 'crm-2',
      name: 'CRM',
      projectUrl: 'https://crm.acme.test',
    });
    expect(other.statusCode, other.body).toBe(201);
    expect(other.json().data.id).toBeGreaterThan(w.crm.id);
    expect((await validateFor(t, bySub.projectToken, 'crm')).statusCode).toBe(401);
  });
});
