import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import type { Role } from '../../src/db/schema.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface SeededUser {
  id: number;
  role: Role;
  createdById: number | null;
}

/**
 * Project statistics and scoped listing, computed by the database, checked against an oracle
 * computed here from the rows seeded directly.
 */
describe(`project statistics on ${TEST_DIALECT}`, () => {
  let database: Database;
  let store: DataStore;
  let drop: () => Promise<void>;
  const users: SeededUser[] = [];
  const projects: Array<{ id: number; isActive: boolean; name: string; customProjectId: string }> = [];
  const assignments: Array<{ userId: number; projectId: number; isActive: boolean }> = [];
  const now = new Date('2026-05-01T00:00:00.000Z');

  async function addUser(role: Role, createdById: number | null): Promise<number> {
    const i = users.length;
    const values = {
      name: `User ${i}`,
      email: `u${i}@stats.test`,
      password: null,
      role,
      customRole: null,
      companyName: null,
      companyAddress: null,
      companyPhone: null,
      isActive: true,
      isSuspended: false,
      suspensionReason: null,
      suspendedBy: null,
      unsuspendedBy: null,
      subUserLimit: 5,
      createdById,
      createdAt: now,
      updatedAt: now,
      superAdminSlot: role === 'SUPER_ADMIN' ? 1 : null,
    };
    const id = await store.repos.users.insert(values);
    users.push({ id, role, createdById });
    return id;
  }

  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
    store = createDataStore(database);
    const random = prng(20260501);
    const root = await addUser('SUPER_ADMIN', null);
    const admins: number[] = [];
    for (let a = 0; a < 4; a++) admins.push(await addUser('ADMIN', root));
    for (const admin of admins) for (let s = 0; s < 1 + Math.floor(random() * 4); s++) await addUser('SUB_USER', admin);
    // Traps for the Admin's scope: an Admin created by an Admin, and a Sub User of nobody.
    await addUser('ADMIN', admins[0]!);
    await addUser('SUB_USER', null);

    for (let p = 0; p < 30; p++) {
      const project = { customProjectId: `proj-${p}`, name: p % 7 === 0 ? `Alpha Suite ${p}` : `Project ${p}`, isActive: random() > 0.25 };
      const id = await store.repos.projects.insert({
        ...project,
        icon: null,
        description: null,
        projectUrl: `https://p${p}.stats.test`,
        createdBy: root,
        createdAt: new Date(now.getTime() + p * 1000),
        updatedAt: now,
        clientSecretHash: null,
      });
      projects.push({ id, ...project });
    }
    for (const user of users.filter((u) => u.role !== 'SUPER_ADMIN')) {
      // Sub Users mostly draw from their Admin's projects; one in five rows breaks that rule on purpose.
      const adminProjects =
        user.role === 'SUB_USER' && user.createdById !== null
          ? assignments.filter((x) => x.userId === user.createdById).map((x) => x.projectId)
          : [];
      for (const project of projects) {
        const pool = adminProjects.length && random() > 0.2 ? adminProjects.includes(project.id) : true;
        if (!pool || random() > 0.3) continue;
        const isActive = random() > 0.1;
        await database.db
          .insertInto('user_projects')
          .values({ userId: user.id, projectId: project.id, assignedAt: now, isActive, lastAccessed: null })
          .execute();
        assignments.push({ userId: user.id, projectId: project.id, isActive });
      }
    }
  });
  afterAll(async () => drop?.());

  const live = () => assignments.filter((x) => x.isActive);
  const teamOf = (adminId: number) =>
    new Set(users.filter((u) => u.id === adminId || (u.createdById === adminId && u.role === 'SUB_USER')).map((u) => u.id));
  const projectsOf = (userId: number) =>
    new Set(
      live()
        .filter((x) => x.userId === userId)
        .map((x) => x.projectId),
    );
  const countBy = (rows: Array<{ userId: number }>) => {
    const out: Record<string, number> = {};
    for (const row of rows) out[String(row.userId)] = (out[String(row.userId)] ?? 0) + 1;
    return out;
  };

  it('counts every project and every assignment for the Super Admin', async () => {
    const stats = await store.repos.projectAdmin.stats({ kind: 'all' }, { kind: 'all' });
    const active = projects.filter((p) => p.isActive).length;
    expect(stats).toEqual({ total: projects.length, active, inactive: projects.length - active, byUser: countBy(live()) });
    expect(active).toBeGreaterThan(0);
    expect(projects.length - active).toBeGreaterThan(0);
  });

  it("counts only an Admin's projects, and lists only the Admin and its own sub-users", async () => {
    const admins = users.filter((u) => u.role === 'ADMIN' && u.createdById === users[0]!.id);
    for (const admin of admins) {
      const mine = projectsOf(admin.id);
      const team = teamOf(admin.id);
      const stats = await store.repos.projectAdmin.stats(
        { kind: 'assigned', userId: admin.id, activeOnly: false },
        { kind: 'team', adminId: admin.id },
      );
      const active = projects.filter((p) => mine.has(p.id) && p.isActive).length;
      expect(stats.total).toBe(mine.size);
      expect(stats.active).toBe(active);
      expect(stats.inactive).toBe(mine.size - active);
      expect(stats.byUser).toEqual(countBy(live().filter((x) => team.has(x.userId) && mine.has(x.projectId))));
      for (const key of Object.keys(stats.byUser)) expect(team.has(Number(key))).toBe(true);
    }
  });

  it('answers zeros for an Admin without projects', async () => {
    const lonely = await addUser('ADMIN', users[0]!.id);
    expect(
      await store.repos.projectAdmin.stats({ kind: 'assigned', userId: lonely, activeOnly: false }, { kind: 'team', adminId: lonely }),
    ).toEqual({ total: 0, active: 0, inactive: 0, byUser: {} });
  });

  it('lists in scope, newest first, with assignment counts per scope', async () => {
    const subUser = users.find((u) => u.role === 'SUB_USER' && u.createdById !== null && projectsOf(u.id).size > 0)!;
    const page = await store.repos.projectAdmin.list({ kind: 'assigned', userId: subUser.id, activeOnly: true }, { offset: 0, limit: 100 });
    const expected = projects
      .filter((p) => projectsOf(subUser.id).has(p.id) && p.isActive)
      .map((p) => p.id)
      .reverse();
    expect(page.rows.map((p) => p.id)).toEqual(expected);
    expect(page.total).toBe(expected.length);

    const admin = users.find((u) => u.role === 'ADMIN')!;
    const ids = projects.map((p) => p.id);
    const all = await store.repos.projectAdmin.assignedUserCounts(ids, { kind: 'all' });
    const team = await store.repos.projectAdmin.assignedUserCounts(ids, { kind: 'team', adminId: admin.id });
    const members = teamOf(admin.id);
    for (const id of ids) {
      expect(all.get(id) ?? 0).toBe(live().filter((x) => x.projectId === id).length);
      expect(team.get(id) ?? 0).toBe(live().filter((x) => x.projectId === id && members.has(x.userId)).length);
    }
  });

  it('searches name and customProjectId case-insensitively, with LIKE wildcards escaped', async () => {
    const search = async (term: string) =>
      (await store.repos.projectAdmin.list({ kind: 'all' }, { search: term, offset: 0, limit: 100 })).rows.map((p) => p.customProjectId);
    const alpha = projects
      .filter((p) => p.name.startsWith('Alpha'))
      .map((p) => p.customProjectId)
      .reverse();
    expect(await search('alpha suite')).toEqual(alpha);
    expect(await search('ALPHA')).toEqual(alpha);
    expect(await search('PROJ-29')).toEqual(['proj-29']);
    expect(await search('%')).toEqual([]);
    expect(await search('proj_1')).toEqual([]);
    expect(await search('!')).toEqual([]);
    expect(await search('\\')).toEqual([]);
    await database.db.updateTable('projects').set({ name: 'Ünïcode 50%_off!' }).where('customProjectId', '=', 'proj-3').execute();
    expect(await search('50%_off!')).toEqual(['proj-3']);
    expect(await search('Ünï')).toEqual(['proj-3']);
    if (TEST_DIALECT !== 'sqlite') expect(await search('ÜNÏ')).toEqual(['proj-3']);
  });
});
