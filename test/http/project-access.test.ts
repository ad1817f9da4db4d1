import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { toDateOrNull } from '../../src/db/values.js';
import { bearer, buildTestApp, login, registerSuperAdmin, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';

type SeededProject = Awaited<ReturnType<typeof seedProject>>;

describe(`project access: project-token and exchange-code (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let raw: Database;
  let crm: SeededProject;
  let erp: SeededProject;
  let hr: SeededProject;
  let janeId: number;
  let jane: Session;
  beforeEach(async () => {
    t = await buildTestApp();
    raw = await createDb(t.config.databaseUrl, { poolSize: 1 });
    crm = await seedProject(t, { customProjectId: 'crm', projectUrl: 'https://crm.acme.test/app?tenant=acme&lang=en' });
    erp = await seedProject(t, { customProjectId: 'erp' });
    hr = await seedProject(t, { customProjectId: 'hr' }); // nobody is assigned
    janeId = await seedUser(t, { email: 'jane@acme.test', projectIds: [crm.id, erp.id] });
    jane = await login(t, 'jane@acme.test');
  });
  afterEach(async () => {
    await raw.destroy();
    await t.close();
  });

  const open = (ref: string | number, accessToken = jane.accessToken) =>
    t.post(`/api/auth/project-token/${ref}`, undefined, bearer(accessToken));
  const exchange = (code: string, projectId: string | number, clientSecret: string) =>
    t.post('/api/auth/exchange-code', { code, projectId, clientSecret });
  const validate = (token: string, projectId?: string | number) =>
    t.post('/api/auth/validate-token', projectId === undefined ? { token } : { token, projectId });
  async function codeFor(project: SeededProject, accessToken = jane.accessToken): Promise<string> {
    const response = await open(project.id, accessToken);
    expect(response.statusCode).toBe(200);
    return new URL(response.json().data.redirectUrl).searchParams.get('xtown_code')!;
  }
  const lastAccessed = async (userId: number, projectId: number) => {
    const row = await raw.db
      .selectFrom('user_projects')
      .select('lastAccessed')
      .where('userId', '=', userId)
      .where('projectId', '=', projectId)
      .executeTakeFirstOrThrow();
    return toDateOrNull(row.lastAccessed);
  };
  const expectTokenInvalid = (response: { statusCode: number; json(): { error: { code: string } } }) => {
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_INVALID');
  };

  describe('project-token', () => {
    it('gives an assigned user a project token and a redirect URL with a one-time code, by id and by customProjectId', async () => {
      expect(await lastAccessed(janeId, crm.id)).toBeNull();
      t.clock.advance(5_000);
      const response = await open(crm.id);
      expect(response.statusCode).toBe(200);
      const data = response.json().data;
      expect(Object.keys(data).sort()).toEqual(['expiresIn', 'project', 'projectToken', 'redirectUrl']);
      expect(data.expiresIn).toBe(8 * 3600);
      expect(data.project).toEqual({
        id: crm.id,
        customProjectId: 'crm',
        name: 'CRM',
        projectUrl: 'https://crm.acme.test/app?tenant=acme&lang=en',
      });
      const redirect = new URL(data.redirectUrl);
      expect(`${redirect.origin}${redirect.pathname}`).toBe('https://crm.acme.test/app');
      expect([...redirect.searchParams.keys()]).toEqual(['tenant', 'lang', 'xtown_code']);
      expect(redirect.searchParams.get('tenant')).toBe('acme');
      expect(redirect.searchParams.get('xtown_code')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(data.redirectUrl).not.toContain(data.projectToken);
      expect(await lastAccessed(janeId, crm.id)).toEqual(t.clock.now());
      expect(await lastAccessed(janeId, erp.id)).toBeNull();

      const valid = await validate(data.projectToken, crm.id);
      expect(valid.statusCode).toBe(200);
      expect(valid.json().data).toMatchObject({ valid: true, tokenType: 'PROJECT_ACCESS', project: { id: crm.id } });

      t.clock.advance(5_000);
      const byCustomId = await open('erp');
      expect(byCustomId.statusCode).toBe(200);
      expect(byCustomId.json().data.project).toEqual({
        id: erp.id,
        customProjectId: 'erp',
        name: 'ERP',
        projectUrl: 'https://erp.acme.test/app',
      });
      expect(byCustomId.json().data.redirectUrl).toMatch(/^https:\/\/erp\.acme\.test\/app\?xtown_code=[A-Za-z0-9_-]+$/);
      expect(await lastAccessed(janeId, erp.id)).toEqual(t.clock.now());
    });

    it('lets the Super Admin open any project', async () => {
      const root = await registerSuperAdmin(t);
      for (const ref of [hr.id, 'hr', 'crm']) {
        const response = await open(ref, root.accessToken);
        expect(response.statusCode, String(ref)).toBe(200);
      }
      const code = await codeFor(hr, root.accessToken);
      const exchanged = await exchange(code, 'hr', hr.clientSecret);
      expect(exchanged.statusCode).toBe(200);
      expect(exchanged.json().data.user.projects.map((p: { id: number }) => p.id)).toEqual([hr.id]);
    });

    it('answers 404 for an unassigned or unknown project, 403 for an inactive one, 401 without a valid access token', async () => {
      for (const ref of [hr.id, 'hr', 999_999, 'nosuchproject']) {
        const response = await open(ref);
        expect(response.statusCode, String(ref)).toBe(404);
        expect(response.json().error.code).toBe('NOT_FOUND');
      }
      const old = await seedProject(t, { customProjectId: 'old', isActive: false });
      const unassignedInactive = await open(old.id);
      expect(unassignedInactive.statusCode).toBe(404); // says nothing about projects outside the caller's scope
      await t.container.store.repos.projects.assign(janeId, [old.id], t.clock.now());
      t.container.authState.invalidateUser(janeId);
      const inactive = await open('old');
      expect(inactive.statusCode).toBe(403);
      expect(inactive.json().error.code).toBe('PROJECT_INACTIVE');
      expect(await lastAccessed(janeId, old.id)).toBeNull();
      const root = await registerSuperAdmin(t);
      expect((await open(old.id, root.accessToken)).json().error.code).toBe('PROJECT_INACTIVE');

      expect((await t.post(`/api/auth/project-token/${crm.id}`)).statusCode).toBe(401);
      expect((await open(crm.id, 'not-a-token')).statusCode).toBe(401);
      const projectToken = (await open(crm.id)).json().data.projectToken;
      expect((await open(crm.id, projectToken)).statusCode).toBe(401); // a project token is not an access token
    });
  });

  describe('exchange-code', () => {
    it('trades a code and the right client secret for a project token bound to that project, once', async () => {
      const code = await codeFor(crm);
      const response = await exchange(code, crm.id, crm.clientSecret);
      expect(response.statusCode).toBe(200);
      const data = response.json().data;
      expect(Object.keys(data).sort()).toEqual(['expiresIn', 'project', 'projectToken', 'user']);
      expect(data.expiresIn).toBe(8 * 3600);
      expect(data.project).toEqual({
        id: crm.id,
        customProjectId: 'crm',
        name: 'CRM',
        projectUrl: 'https://crm.acme.test/app?tenant=acme&lang=en',
      });
      expect(data.user).toMatchObject({ id: janeId, email: 'jane@acme.test', role: 'ADMIN' });
      expect(data.user.projects).toEqual([expect.objectContaining({ id: crm.id, customProjectId: 'crm' })]);
      expect(JSON.stringify(data)).not.toMatch(/argon2|"password"|clientSecret/);

      const valid = await validate(data.projectToken, 'crm');
      expect(valid.statusCode).toBe(200);
      expect(valid.json().data).toMatchObject({ valid: true, tokenType: 'PROJECT_ACCESS', user: { id: janeId }, project: { id: crm.id } });
      expect(valid.json().data.user.projects.map((p: { id: number }) => p.id)).toEqual([crm.id]);
      expectTokenInvalid(await validate(data.projectToken, erp.id));

      expectTokenInvalid(await exchange(code, crm.id, crm.clientSecret));
      const other = await codeFor(crm);
      expect((await exchange(other, 'crm', crm.clientSecret)).statusCode).toBe(200);
    });

    it('refuses a code from 60 s after it was issued', async () => {
      const early = await codeFor(crm);
      const late = await codeFor(crm);
      t.clock.advance(59_000);
      expect((await exchange(early, crm.id, crm.clientSecret)).statusCode).toBe(200);
      t.clock.advance(1_000);
      expectTokenInvalid(await exchange(late, crm.id, crm.clientSecret));
    });

    it('refuses a foreign project (even with its right secret) and a wrong secret, without burning the code', async () => {
      const code = await codeFor(crm);
      expectTokenInvalid(await exchange(code, erp.id, erp.clientSecret));
      expectTokenInvalid(await exchange(code, 'erp', erp.clientSecret));
      expectTokenInvalid(await exchange(code, crm.id, 'wrong-secret'));
      expectTokenInvalid(await exchange(code, crm.id, erp.clientSecret));
      expectTokenInvalid(await exchange(code, 'nosuchproject', crm.clientSecret));
      expectTokenInvalid(await exchange('made-up-code', crm.id, crm.clientSecret));
      expect((await exchange(code, crm.id, crm.clientSecret)).statusCode).toBe(200);
    });

    it('lets exactly one of 10 concurrent exchanges of one code through', async () => {
      const code = await codeFor(crm);
      const responses = await Promise.all(Array.from({ length: 10 }, () => exchange(code, crm.id, crm.clientSecret)));
      expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
      for (const r of responses.filter((r) => r.statusCode !== 200)) expectTokenInvalid(r);
    });

    it('refuses a code whose session was logged out, or whose project was deactivated, in between', async () => {
      const other = await login(t, 'jane@acme.test');
      const loggedOutCode = await codeFor(crm);
      const liveCode = await codeFor(crm, other.accessToken);
      const deactivatedCode = await codeFor(erp, other.accessToken);
      expect((await t.post('/api/auth/logout', { refreshToken: jane.refreshToken })).statusCode).toBe(200);
      expectTokenInvalid(await exchange(loggedOutCode, crm.id, crm.clientSecret));
      expect((await exchange(liveCode, crm.id, crm.clientSecret)).statusCode).toBe(200);

      await raw.db.updateTable('projects').set({ isActive: false }).where('id', '=', erp.id).execute();
      expectTokenInvalid(await exchange(deactivatedCode, erp.id, erp.clientSecret));
    });
  });
});
