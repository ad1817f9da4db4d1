import type { ProjectEventData } from '@xtown/contract';
import { bearer, login, registerSuperAdmin, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';
import { basic, openSse, type SseClient } from '../helpers/sse.js';

/** Shared set-up of the events suites: a Super Admin, two projects, an Admin on both and its Sub User on crm. */
export interface EventsWorld {
  root: Session;
  crm: { id: number; customProjectId: string; clientSecret: string };
  erp: { id: number; customProjectId: string; clientSecret: string };
  annId: number;
  samId: number;
}

export async function seedEventsWorld(t: TestApp): Promise<EventsWorld> {
  const root = await registerSuperAdmin(t);
  const crm = await seedProject(t, { customProjectId: 'crm', createdBy: root.user.id });
  const erp = await seedProject(t, { customProjectId: 'erp', createdBy: root.user.id });
  const annId = await seedUser(t, { email: 'ann@acme.test', role: 'ADMIN', projectIds: [crm.id, erp.id] });
  const samId = await seedUser(t, { email: 'sam@acme.test', role: 'SUB_USER', createdById: annId, projectIds: [crm.id] });
  return { root, crm, erp, annId, samId };
}

/** The listening address of the app (listens on first use). */
export async function baseUrl(t: TestApp): Promise<string> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

export async function stream(
  t: TestApp,
  project: { customProjectId: string; clientSecret: string },
  options: { path?: string; lastEventId?: number | string; secret?: string; user?: string } = {},
): Promise<SseClient> {
  const headers = basic(options.user ?? project.customProjectId, options.secret ?? project.clientSecret);
  if (options.lastEventId !== undefined) Object.assign(headers, { 'last-event-id': String(options.lastEventId) });
  return openSse(await baseUrl(t), `/api/projects/${options.path ?? project.customProjectId}/events`, headers);
}

/** The claims of a JWT, unverified (the tests compare generations). */
export function claimsOf(token: string): { gen: number; pgen?: number; sid: string; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export async function projectTokenOf(t: TestApp, session: Session, project: string): Promise<string> {
  const response = await t.post(`/api/auth/project-token/${project}`, undefined, bearer(session.accessToken));
  if (response.statusCode !== 200) throw new Error(`project-token failed: ${response.body}`);
  return response.json().data.projectToken as string;
}

export const signIn = (t: TestApp, email: string) => login(t, email);

/** An event matcher by type, reason and user. */
export const is =
  (type: string, reason: string, userId?: number | null) =>
  (event: ProjectEventData): boolean =>
    event.type === type && event.reason === reason && (userId === undefined || event.userId === userId);
