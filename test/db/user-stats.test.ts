import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import type { Role } from '../../src/db/schema.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

interface Seed {
  email: string;
  role: Role;
  isActive: boolean;
  isSuspended?: boolean;
  companyName?: string | null;
  createdBy?: string;
  minute: number;
  slot?: number | null;
}

/**
 * Seeded straight into the tables: the Super Admin, a pending (unverified) Super Admin registration,
 * five Admins (company names with case differences, null and empty), and sub-users of two Admins.
 */
const USERS: Seed[] = [
  { email: 'root@x.test', role: 'SUPER_ADMIN', isActive: true, minute: 0, slot: 1, companyName: 'Root Co' },
  { email: 'pending-root@x.test', role: 'SUPER_ADMIN', isActive: false, minute: 99, companyName: 'Other' },
  { email: 'a1@acme.test', role: 'ADMIN', isActive: true, companyName: 'Acme', minute: 1 },
  { email: 'a2@acme.test', role: 'ADMIN', isActive: true, companyName: 'ACME', minute: 2 },
  { email: 'a3@beta.test', role: 'ADMIN', isActive: false, companyName: 'Beta', minute: 3 },
  { email: 'a4@none.test', role: 'ADMIN', isActive: true, companyName: null, minute: 4 },
  { email: 'a5@empty.test', role: 'ADMIN', isActive: false, companyName: '', minute: 5, isSuspended: true },
  { email: 's1@acme.test', role: 'SUB_USER', isActive: true, createdBy: 'a1@acme.test', minute: 10, companyName: 'Gamma' },
  { email: 's2@acme.test', role: 'SUB_USER', isActive: true, isSuspended: true, createdBy: 'a1@acme.test', minute: 11 },
  { email: 's3@acme.test', role: 'SUB_USER', isActive: false, createdBy: 'a1@acme.test', minute: 11 },
  { email: 's4@beta.test', role: 'SUB_USER', isActive: false, createdBy: 'a3@beta.test', minute: 12 },
  { email: 's5@beta.test', role: 'SUB_USER', isActive: true, createdBy: 'a3@beta.test', minute: 13 },
];

describe(`user statistics on ${TEST_DIALECT}`, () => {
  let database: Database;
  let drop: () => Promise<void>;
  let store: DataStore;
  const ids = new Map<string, number>();
  const id = (email: string) => ids.get(email)!;

  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
    store = createDataStore(database);
    for (const u of USERS) {
      const newId = await store.repos.users.insert({
        name: u.email.split('@')[0]!,
        email: u.email,
        password: null,
        role: u.role,
        customRole: null,
        companyName: u.companyName ?? null,
        companyAddress: null,
        companyPhone: null,
        isActive: u.isActive,
        isSuspended: u.isSuspended ?? false,
        suspensionReason: null,
        suspendedBy: null,
        unsuspendedBy: null,
        subUserLimit: 5,
        createdById: u.createdBy ? ids.get(u.createdBy)! : null,
        createdAt: at(u.minute),
        updatedAt: at(u.minute),
        superAdminSlot: u.slot ?? null,
      });
      ids.set(u.email, newId);
    }
    const projectIds: number[] = [];
    for (const [i, isActive] of [true, true, true, false].entries()) {
      projectIds.push(
        await store.repos.projects.insert({
          customProjectId: `p${i}`,
          name: `P${i}`,
          icon: null,
          description: null,
          projectUrl: `https://p${i}.test`,
          isActive,
          createdBy: id('root@x.test'),
          createdAt: at(0),
          updatedAt: at(0),
          clientSecretHash: null,
        }),
      );
    }
    // a1 holds three projects (one inactive project), a3 one, s1 one; one assignment of a1 is inactive.
    await store.repos.projects.assign(id('a1@acme.test'), [projectIds[0]!, projectIds[1]!, projectIds[3]!], at(1));
    await database.db
      .insertInto('user_projects')
      .values({ userId: id('a1@acme.test'), projectId: projectIds[2]!, assignedAt: at(1), isActive: false, lastAccessed: null })
      .execute();
    await store.repos.projects.assign(id('a3@beta.test'), [projectIds[2]!], at(1));
    await store.repos.projects.assign(id('s1@acme.test'), [projectIds[0]!], at(1));
  });
  afterAll(async () => drop?.());

  it('counts every user but the Super Admins', async () => {
    expect(await store.repos.userStats.counts({ kind: 'all' })).toEqual({ total: 10, admins: 5, subUsers: 5, verified: 6 });
  });

  it("counts only an Admin's own sub-users in its scope", async () => {
    expect(await store.repos.userStats.counts({ kind: 'subUsersOf', adminId: id('a1@acme.test') })).toEqual({
      total: 3,
      admins: 0,
      subUsers: 3,
      verified: 2,
    });
    expect(await store.repos.userStats.counts({ kind: 'subUsersOf', adminId: id('a3@beta.test') })).toEqual({
      total: 2,
      admins: 0,
      subUsers: 2,
      verified: 1,
    });
    expect(await store.repos.userStats.counts({ kind: 'subUsersOf', adminId: id('a4@none.test') })).toEqual({
      total: 0,
      admins: 0,
      subUsers: 0,
      verified: 0,
    });
  });

  it('lists the newest users of the scope, createdAt then id descending', async () => {
    const all = await store.repos.userStats.recent({ kind: 'all' }, 5);
    expect(all.map((u) => u.email)).toEqual(['s5@beta.test', 's4@beta.test', 's3@acme.test', 's2@acme.test', 's1@acme.test']);
    expect(all[0]).toEqual({
      id: id('s5@beta.test'),
      name: 's5',
      email: 's5@beta.test',
      role: 'SUB_USER',
      isActive: true,
      createdAt: at(13),
    });
    const mine = await store.repos.userStats.recent({ kind: 'subUsersOf', adminId: id('a1@acme.test') }, 5);
    expect(mine.map((u) => u.email)).toEqual(['s3@acme.test', 's2@acme.test', 's1@acme.test']);
    expect(mine.map((u) => u.isActive)).toEqual([false, true, true]);
  });

  it('counts active projects, distinct Admin companies (ignoring case, null and empty) and active assignments', async () => {
    expect(await store.repos.userStats.activeProjects()).toBe(3);
    expect(await store.repos.userStats.companies()).toBe(2);
    expect(await store.repos.userStats.assignedProjects(id('a1@acme.test'))).toBe(3);
    expect(await store.repos.userStats.assignedProjects(id('a2@acme.test'))).toBe(0);
  });

  it('lists users with search, filters and scope in the database', async () => {
    const list = (filter: Parameters<DataStore['repos']['userAdmin']['list']>[0], page = 1, limit = 20) =>
      store.repos.userAdmin.list(filter, page, limit);
    const all = await list({ scope: { kind: 'all' } });
    expect(all.total).toBe(10);
    expect(all.users.map((u) => u.email).slice(0, 3)).toEqual(['s5@beta.test', 's4@beta.test', 's3@acme.test']);
    expect((await list({ scope: { kind: 'all' }, search: 'ACME.test', role: 'ADMIN' })).users.map((u) => u.email)).toEqual([
      'a2@acme.test',
      'a1@acme.test',
    ]);
    expect((await list({ scope: { kind: 'all' }, isSuspended: true })).users.map((u) => u.email)).toEqual([
      's2@acme.test',
      'a5@empty.test',
    ]);
    const scoped = await list({ scope: { kind: 'subUsersOf', adminId: id('a1@acme.test') }, isActive: true }, 2, 1);
    expect({ total: scoped.total, emails: scoped.users.map((u) => u.email) }).toEqual({ total: 2, emails: ['s1@acme.test'] });
    expect((await list({ scope: { kind: 'subUsersOf', adminId: id('a1@acme.test') }, search: 'beta' })).total).toBe(0);
  });
});
