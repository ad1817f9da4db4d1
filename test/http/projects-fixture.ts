import { createDb, type Database } from '../../src/db/client.js';
import { bearer, login, registerSuperAdmin, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';

/** Shared set-up of the projects and audit-log suites. */

export interface Seeded {
  id: number;
  customProjectId: string;
  clientSecret: string;
}

export interface ProjectsWorld {
  root: Session;
  /** Active; assigned to adminA, subA, adminB and subB. */
  crm: Seeded;
  /** Active; assigned to adminA only. */
  erp: Seeded;
  /** Inactive; assigned to adminA and subA. */
  legacy: Seeded;
  /** Active; assigned to adminB only. */
  hr: Seeded;
  /** Active; assigned to nobody. */
  lab: Seeded;
  ids: { root: number; adminA: number; subA: number; subA2: number; adminB: number; subB: number };
  adminA: Session;
  subA: Session;
  adminB: Session;
  subB: Session;
}

/**
 * The Super Admin, five projects created one second apart (crm oldest, lab newest), two Admins
 * with their Sub Users (subA2 has no project and never signs in).
 */
export async function seedProjectsWorld(t: TestApp): Promise<ProjectsWorld> {
  const root = await registerSuperAdmin(t);
  const project = async (customProjectId: string, isActive = true) => {
    t.clock.advance(1000);
    return seedProject(t, { customProjectId, isActive, createdBy: root.user.id });
  };
  const crm = await project('crm');
  const erp = await project('erp');
  const legacy = await project('legacy', false);
  const hr = await project('hr');
  const lab = await project('lab');
  const adminA = await seedUser(t, { email: 'a@acme.test', role: 'ADMIN', projectIds: [crm.id, erp.id, legacy.id] });
  const subA = await seedUser(t, { email: 'a-sub@acme.test', role: 'SUB_USER', createdById: adminA, projectIds: [crm.id, legacy.id] });
  const subA2 = await seedUser(t, { email: 'a-sub2@acme.test', role: 'SUB_USER', createdById: adminA });
  const adminB = await seedUser(t, { email: 'b@acme.test', role: 'ADMIN', projectIds: [crm.id, hr.id] });
  const subB = await seedUser(t, { email: 'b-sub@acme.test', role: 'SUB_USER', createdById: adminB, projectIds: [crm.id] });
  return {
    root,
    crm,
    erp,
    legacy,
    hr,
    lab,
    ids: { root: root.user.id, adminA, subA, subA2, adminB, subB },
    adminA: await login(t, 'a@acme.test'),
    subA: await login(t, 'a-sub@acme.test'),
    adminB: await login(t, 'b@acme.test'),
    subB: await login(t, 'b-sub@acme.test'),
  };
}

/** A second connection to the app's database, to seed or inspect rows behind the services' back. */
export const openRawDb = (t: TestApp): Promise<Database> => createDb(t.config.databaseUrl, { poolSize: 1 });

/** Every row of the tables an administration call could change, to prove that a refused call changed nothing. */
export async function snapshot(raw: Database): Promise<string> {
  const { db } = raw;
  const [projects, assignments, users, codes, audit] = await Promise.all([
    db.selectFrom('projects').selectAll().orderBy('id').execute(),
    db.selectFrom('user_projects').selectAll().orderBy('userId').orderBy('projectId').execute(),
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('project_codes').selectAll().orderBy('id').execute(),
    db.selectFrom('audit_logs').selectAll().orderBy('id').execute(),
  ]);
  return JSON.stringify({ projects, assignments, users, codes, audit });
}

export const send = (t: TestApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, body?: unknown) =>
  t.request({ method, url, headers: token ? bearer(token) : {}, payload: body as never });

/** Opens a project: the project token, and the one-time code from the redirect URL. */
export async function openProject(t: TestApp, accessToken: string, ref: string | number): Promise<{ projectToken: string; code: string }> {
  const response = await t.post(`/api/auth/project-token/${ref}`, undefined, bearer(accessToken));
  if (response.statusCode !== 200) throw new Error(`project-token failed (${response.statusCode}): ${response.body}`);
  const data = response.json().data as { projectToken: string; redirectUrl: string };
  return { projectToken: data.projectToken, code: new URL(data.redirectUrl).searchParams.get('xtown_code')! };
}

export const validateFor = (t: TestApp, token: string, projectId: string | number) =>
  t.post('/api/auth/validate-token', { token, projectId });

export const exchange = (t: TestApp, code: string, projectId: string | number, clientSecret: string) =>
  t.post('/api/auth/exchange-code', { code, projectId, clientSecret });
