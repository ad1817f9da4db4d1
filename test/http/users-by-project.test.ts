import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { buildWorld, type World } from './users-fixture.js';

/** API.md: `GET /api/users?projectId=` lists the users assigned to that project (its id or customProjectId), within the caller's scope. */
describe(`/api/users?projectId= (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(buildWorld, (world) => ({ t, w } = world));

  const list = async (query: string, auth: Record<string, string>) => {
    const response = await t.request({ method: 'GET', url: `/api/users?${query}`, headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { data: Array<{ id: number }>; meta: { total: number } };
    return { ids: body.data.map((user) => user.id), total: body.meta.total };
  };

  it("lists a project's assigned users for the Super Admin, by id or customProjectId, newest first, as many as the project counts", async () => {
    expect(await list('projectId=crm', w.root.auth)).toEqual({ ids: [w.subA.id, w.adminA.id], total: 2 });
    expect(await list(`projectId=${w.crm.id}`, w.root.auth)).toEqual({ ids: [w.subA.id, w.adminA.id], total: 2 });
    expect(await list('projectId=erp', w.root.auth)).toEqual({ ids: [w.adminA.id], total: 1 });
    expect(await list('projectId=wiki&role=SUB_USER', w.root.auth)).toEqual({ ids: [w.subB.id], total: 1 });
    expect(await list('projectId=crm&limit=1&page=2', w.root.auth)).toEqual({ ids: [w.adminA.id], total: 2 });
    const project = await t.request({ method: 'GET', url: '/api/projects/crm', headers: w.root.auth });
    expect(project.json().data.assignedUsers).toBe(2);
  });

  it('keeps an Admin to its own sub-users, and a project it lacks to nobody', async () => {
    expect(await list('projectId=crm', w.adminA.auth)).toEqual({ ids: [w.subA.id], total: 1 });
    expect(await list('projectId=erp', w.adminA.auth)).toEqual({ ids: [], total: 0 });
    expect(await list('projectId=wiki', w.adminA.auth)).toEqual({ ids: [], total: 0 });
  });

  it('follows the assignments, and finds nobody for an unknown project, an upper-case id or an id out of range', async () => {
    const unassigned = await t.request({
      method: 'PUT',
      url: `/api/users/${w.subA.id}/projects`,
      headers: w.root.auth,
      payload: { projectIds: [] },
    });
    expect(unassigned.statusCode, unassigned.body).toBe(200);
    expect(await list('projectId=crm', w.root.auth)).toEqual({ ids: [w.adminA.id], total: 1 });
    for (const ref of ['nope', 'CRM', '999999', '99999999999999'])
      expect(await list(`projectId=${ref}`, w.root.auth), ref).toEqual({ ids: [], total: 0 });
  });

  it('refuses a projectId that cannot name a project with 400', async () => {
    for (const ref of ['', 'a%25', 'a b', 'x'.repeat(51)]) {
      const response = await t.request({ method: 'GET', url: `/api/users?projectId=${ref}`, headers: w.root.auth });
      expect(response.statusCode, ref).toBe(400);
    }
  });
});

/** API.md: `GET /api/users?createdById=` lists an Admin's sub-users, within the caller's scope. */
describe(`/api/users?createdById= (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(buildWorld, (world) => ({ t, w } = world));

  const ids = async (query: string, auth: Record<string, string>) => {
    const response = await t.request({ method: 'GET', url: `/api/users?${query}`, headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { data: Array<{ id: number }> }).data.map((user) => user.id);
  };

  it("lists each Admin's own sub-users for the Super Admin, and nothing outside an Admin's scope", async () => {
    expect(await ids(`createdById=${w.adminA.id}`, w.root.auth)).toEqual([w.subA.id]);
    expect(await ids(`createdById=${w.adminB.id}`, w.root.auth)).toEqual([w.subB.id]);
    expect(await ids(`createdById=${w.adminA.id}`, w.adminA.auth)).toEqual([w.subA.id]);
    expect(await ids(`createdById=${w.adminB.id}`, w.adminA.auth)).toEqual([]);
    for (const bad of ['0', '-1', 'x', '2147483648']) {
      const response = await t.request({ method: 'GET', url: `/api/users?createdById=${bad}`, headers: w.root.auth });
      expect(response.statusCode, bad).toBe(400);
    }
  });
});
