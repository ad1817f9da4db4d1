import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerSuperAdmin, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { servedRoutes } from '../helpers/routes.js';
import { seedWorld } from './tokens-fixture.js';

/** Ids no row can have on any dialect (an INTEGER column holds 1..2147483647), and the edges inside it. */
const OUT_OF_RANGE = ['0', '2147483648', '4294967296', '9007199254740993', '99999999999999999999'];

/** A body each route accepts apart from the id, so that the id is what is judged. */
const BODIES: Record<string, unknown> = {
  'PUT /api/projects/{id}': { name: 'Renamed' },
  'POST /api/projects/{id}/rotate-secret': {},
  'PUT /api/users/{id}': { name: 'Renamed' },
  'PUT /api/users/{id}/projects': { projectIds: [] },
  'POST /api/users/{id}/suspend': { reason: 'test' },
};

/**
 * API.md: an id outside 1–2147483647 names nothing: 404 (401 where unknown things are 401), the same on
 * every database. PostgreSQL used to answer 500 with "out of range for type integer" in the log.
 */
describe(`ids outside the range of a stored id (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await buildTestApp();
    await seedWorld(t);
    auth = bearer((await registerSuperAdmin(t)).accessToken);
  });
  afterAll(() => t.close());

  const byId = () => servedRoutes(t.app).filter((route) => /\{(id|projectId)\}/.test(route.path) && !route.path.endsWith('/events'));

  it('answers 404 on every route that takes one in its path', async () => {
    const routes = byId();
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const route of routes) {
      for (const id of OUT_OF_RANGE) {
        const url = route.path.replace(/\{(id|projectId)\}/, id);
        const payload = BODIES[`${route.method} ${route.path}`];
        const response = await t.request({ method: route.method as 'GET', url, headers: auth, ...(payload ? { payload } : {}) });
        expect(response.statusCode, `${route.method} ${url}: ${response.body}`).toBe(404);
        expect(response.json().error.code).toBe('NOT_FOUND');
      }
    }
    expect(t.logs.filter((line) => line.level === 50)).toEqual([]);
  });

  it('treats them as nothing in bodies too: exchange-code and validate-token 401, an assignment as an unknown project', async () => {
    for (const projectId of [...OUT_OF_RANGE, 2147483648]) {
      const exchanged = await t.post('/api/auth/exchange-code', { code: 'x'.repeat(40), projectId, clientSecret: 's'.repeat(40) });
      expect(exchanged.statusCode, `exchange-code ${projectId}: ${exchanged.body}`).toBe(401);
      const validated = await t.post('/api/auth/validate-token', { token: 'a.b.c', projectId });
      expect(validated.statusCode, `validate-token ${projectId}`).toBe(401);
    }
    // In a list of projects to assign, such an id is an unknown project, as one in range that does not exist.
    for (const projectIds of [[2147483648], ['2147483648'], [999_999]]) {
      const created = await t.post('/api/users/project-admin', { name: 'Range', email: 'range@acme.test', projectIds }, auth);
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json().error.details[0]).toMatchObject({ field: 'projectIds', message: expect.stringMatching(/^unknown project/) });
    }
    expect(t.logs.filter((line) => line.level === 50)).toEqual([]);
  });
});
