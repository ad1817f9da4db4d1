import { createDb, type Database } from '../../src/db/client.js';
import { toBool } from '../../src/db/values.js';
import { bearer, login, registerSuperAdmin, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';

export interface Actor {
  id: number;
  email: string;
  session: Session;
  auth: Record<string, string>;
}

/**
 * The Super Admin, three projects, two Project Admins of different companies (A: crm + erp, B: wiki),
 * and one activated Sub User of each, all signed in.
 */
export interface World {
  root: Actor;
  crm: Awaited<ReturnType<typeof seedProject>>;
  erp: Awaited<ReturnType<typeof seedProject>>;
  wiki: Awaited<ReturnType<typeof seedProject>>;
  adminA: Actor;
  adminB: Actor;
  subA: Actor;
  subB: Actor;
}

async function actor(t: TestApp, email: string, id: number): Promise<Actor> {
  const session = await login(t, email);
  return { id, email, session, auth: bearer(session.accessToken) };
}

export async function buildWorld(t: TestApp): Promise<World> {
  const rootSession = await registerSuperAdmin(t);
  const root = { id: rootSession.user.id, email: rootSession.user.email, session: rootSession, auth: bearer(rootSession.accessToken) };
  const crm = await seedProject(t, { customProjectId: 'crm' });
  const erp = await seedProject(t, { customProjectId: 'erp' });
  const wiki = await seedProject(t, { customProjectId: 'wiki' });
  const a = await seedUser(t, { email: 'alice@acme.test', role: 'ADMIN', projectIds: [crm.id, erp.id], createdById: root.id });
  const b = await seedUser(t, { email: 'bob@beta.test', role: 'ADMIN', projectIds: [wiki.id], createdById: root.id });
  const a1 = await seedUser(t, { email: 'carol@acme.test', role: 'SUB_USER', projectIds: [crm.id], createdById: a });
  const b1 = await seedUser(t, { email: 'dave@beta.test', role: 'SUB_USER', projectIds: [wiki.id], createdById: b });
  const [adminA, adminB, subA, subB] = await Promise.all([
    actor(t, 'alice@acme.test', a),
    actor(t, 'bob@beta.test', b),
    actor(t, 'carol@acme.test', a1),
    actor(t, 'dave@beta.test', b1),
  ]);
  return { root, crm, erp, wiki, adminA, adminB, subA, subB };
}

/** A second connection to the app's database, for reading what the routes wrote. */
export async function openDb(t: TestApp): Promise<Database> {
  return createDb(t.config.databaseUrl, { poolSize: 2 });
}

export async function auditRows(db: Database, action?: string) {
  const rows = await db.db
    .selectFrom('audit_logs')
    .selectAll()
    .$if(action !== undefined, (q) => q.where('action', '=', action!))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    success: toBool(r.success),
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  }));
}

/** Everything about a user that a refused call must leave alone. */
export async function snapshot(db: Database, userId: number) {
  const user = await db.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  const projects = await db.db.selectFrom('user_projects').select('projectId').where('userId', '=', userId).orderBy('projectId').execute();
  return JSON.stringify({ user, projects });
}

export async function userCount(db: Database): Promise<number> {
  const row = await db.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function projectIdsOf(db: Database, userId: number): Promise<number[]> {
  const rows = await db.db.selectFrom('user_projects').select('projectId').where('userId', '=', userId).orderBy('projectId').execute();
  return rows.map((r) => r.projectId);
}
