import { api, type Stack } from './stack.js';
import { type Person, PASSWORD, seedProject, seedSuperAdmin, seedUser } from './world.js';

/**
 * The world the home and audit suites look at, seeded through the API: a Super Admin, two projects (one inactive),
 * two Admins of two companies, activated and pending sub-users, and a few failed sign-ins.
 */
export interface StatsWorld {
  root: Person;
  crm: { id: number; customProjectId: string };
  wiki: { id: number; customProjectId: string };
  /** Acme's Admin: limit 5, both projects, sub-users sam and sue (activated) and pat (pending). */
  bob: Person;
  /** Globex's Admin: the active project, sub-user tom. */
  cleo: Person;
  sam: Person;
  sue: Person;
  tom: Person;
  patEmail: string;
}

export async function seedStatsWorld(stack: Stack): Promise<StatsWorld> {
  const root = await seedSuperAdmin(stack);
  const crm = await seedProject(stack, root, { customProjectId: 'crm', name: 'CRM', projectUrl: 'https://crm.acme.test', icon: 'CR' });
  const wiki = await seedProject(stack, root, {
    customProjectId: 'wiki',
    name: 'Wiki',
    projectUrl: 'https://wiki.acme.test',
    isActive: false,
  });
  const bob = await seedUser(stack, root, 'project-admin', {
    name: 'Bob Acme',
    email: 'bob@acme.test',
    companyName: 'Acme',
    subUserLimit: 5,
    projectIds: [crm.id, wiki.id],
  });
  const cleo = await seedUser(stack, root, 'project-admin', {
    name: 'Cleo Globex',
    email: 'cleo@globex.test',
    companyName: 'Globex',
    projectIds: [crm.id],
  });
  const sam = await seedUser(stack, bob, 'sub-user', { name: 'Sam Acme', email: 'sam@acme.test', projectIds: [crm.id] });
  const sue = await seedUser(stack, bob, 'sub-user', { name: 'Sue Acme', email: 'sue@acme.test', projectIds: [crm.id, wiki.id] });
  const tom = await seedUser(stack, cleo, 'sub-user', { name: 'Tom Globex', email: 'tom@globex.test', projectIds: [crm.id] });
  const patEmail = 'pat@acme.test';
  const pending = await api(stack.base, 'POST', '/api/users/sub-user', { token: bob.token, body: { name: 'Pat Acme', email: patEmail } });
  if (pending.status !== 201) throw new Error(`create pending sub-user answered ${pending.status}`);
  // Failed sign-ins: a wrong password against sam (an Admin's sub-user) twice, and an unknown email once.
  for (const [email, password] of [
    [sam.email, 'Wr0ng-password'],
    [sam.email, 'Wr0ng-again-1'],
    ['nobody@acme.test', PASSWORD],
  ] as const) {
    const failed = await api(stack.base, 'POST', '/api/auth/login', { body: { email, password } });
    if (failed.status !== 401) throw new Error(`a failed sign-in answered ${failed.status}`);
  }
  return { root, crm, wiki, bob, cleo, sam, sue, tom, patEmail };
}
