import { api, type Stack } from './stack.js';
import { type Person, PASSWORD, seedProject, seedSuperAdmin, seedUser } from './world.js';

/** A small organization as a new team would have it after a week: what the screenshots and the accessibility pass visit. */
export interface Showcase {
  root: Person;
  admin: Person;
  sub: Person;
  projectId: number;
}

export async function seedShowcase(stack: Stack): Promise<Showcase> {
  const root = await seedSuperAdmin(stack);
  const crm = await seedProject(stack, root, {
    customProjectId: 'crm',
    name: 'CRM',
    projectUrl: 'https://crm.acme.test',
    icon: '📇',
    description: 'Customers, leads and the sales pipeline.',
  });
  const billing = await seedProject(stack, root, {
    customProjectId: 'billing',
    name: 'Billing',
    projectUrl: 'https://billing.acme.test',
    icon: 'BI',
    description: 'Invoices and payments.',
  });
  await seedProject(stack, root, {
    customProjectId: 'legacy-intranet',
    name: 'Legacy intranet',
    projectUrl: 'http://intranet.acme.test',
    isActive: false,
  });
  const admin = await seedUser(stack, root, 'project-admin', {
    name: 'Alice Admin',
    email: 'alice@acme.test',
    companyName: 'Acme',
    customRole: 'IT lead',
    subUserLimit: 5,
    projectIds: [crm.id, billing.id],
  });
  await seedUser(stack, root, 'project-admin', {
    name: 'Bob Builder',
    email: 'bob@globex.test',
    companyName: 'Globex',
    projectIds: [billing.id],
  });
  const sub = await seedUser(stack, admin, 'sub-user', {
    name: 'Carol Clerk',
    email: 'carol@acme.test',
    customRole: 'Sales',
    projectIds: [crm.id],
  });
  await api(stack.base, 'POST', '/api/users/sub-user', {
    token: admin.token,
    body: { name: 'Dave Newhire', email: 'dave@acme.test', projectIds: [crm.id] },
  });
  for (const password of ['wrong-1-password', 'wrong-2-password'])
    await api(stack.base, 'POST', '/api/auth/login', { body: { email: 'carol@acme.test', password } });
  return { root, admin, sub: { ...sub, password: PASSWORD }, projectId: crm.id };
}

export type Who = 'nobody' | 'root' | 'admin' | 'sub';

/** Every page of the dashboard, by who sees it: [name, path, who]. */
export function pagesOf(world: Showcase): Array<[string, string, Who]> {
  return [
    ['login', '/login', 'nobody'],
    ['activate', '/activate?email=dave%40acme.test', 'nobody'],
    ['forgot-password', '/reset-password', 'nobody'],
    ['reset-password', '/reset-password?email=carol%40acme.test', 'nobody'],
    ['home-super-admin', '/', 'root'],
    ['projects', '/projects', 'root'],
    ['project', `/projects/${world.projectId}`, 'root'],
    ['users', '/users', 'root'],
    ['user', `/users/${world.admin.id}`, 'root'],
    ['audit', '/audit', 'root'],
    ['profile', '/profile', 'root'],
    ['home-admin', '/', 'admin'],
    ['users-admin', '/users', 'admin'],
    ['home-sub-user', '/', 'sub'],
  ];
}
