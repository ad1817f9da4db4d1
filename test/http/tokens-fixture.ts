import { createDb, type Database } from '../../src/db/client.js';
import { bearer, login, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';

/** Shared set-up of the session, token and revocation suites (tokens, forged-tokens, revocation). */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * A second connection to the app's database, to change rows behind the services' back as an
 * administrator's route or an operator would. Close it with destroy().
 */
export const openRawDb = (t: TestApp): Promise<Database> => createDb(t.config.databaseUrl, { poolSize: 1 });

export interface World {
  crm: { id: number; customProjectId: string };
  erp: { id: number; customProjectId: string };
  /** Not assigned to the user. */
  hr: { id: number; customProjectId: string };
  userId: number;
  email: string;
}

/** An activated Project Admin assigned to crm and erp, plus an unassigned project hr. */
export async function seedWorld(t: TestApp, email = 'jane@acme.test'): Promise<World> {
  const crm = await seedProject(t, { customProjectId: 'crm' });
  const erp = await seedProject(t, { customProjectId: 'erp' });
  const hr = await seedProject(t, { customProjectId: 'hr' });
  const userId = await seedUser(t, { email, role: 'ADMIN', projectIds: [crm.id, erp.id] });
  return { crm, erp, hr, userId, email };
}

export const signIn = (t: TestApp, email: string, password?: string): Promise<Session> => login(t, email, password);

export const me = (t: TestApp, accessToken: string) => t.get('/api/auth/me', bearer(accessToken));

export const validate = (t: TestApp, token: string, projectId?: string | number) =>
  t.post('/api/auth/validate-token', projectId === undefined ? { token } : { token, projectId });

export const refresh = (t: TestApp, refreshToken: string) => t.post('/api/auth/refresh-token', { refreshToken });

export async function projectToken(t: TestApp, accessToken: string, projectRef: string | number): Promise<string> {
  const response = await t.post(`/api/auth/project-token/${projectRef}`, undefined, bearer(accessToken));
  if (response.statusCode !== 200) throw new Error(`project-token failed (${response.statusCode}): ${response.body}`);
  return response.json().data.projectToken as string;
}

/** The value of the xtown_refresh cookie a response set, or undefined. */
export function refreshCookie(response: { headers: Record<string, unknown> }): string | undefined {
  const raw = response.headers['set-cookie'];
  const lines = Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)];
  const line = lines.find((l) => l.startsWith('xtown_refresh='));
  return line === undefined ? undefined : decodeURIComponent(line.slice('xtown_refresh='.length).split(';')[0]!);
}

/** The headers of the dashboard's cookie call: the cookie, its own origin, and JSON (API.md's cookie paragraph). */
export const fromDashboard = (t: TestApp, refreshToken: string) => ({
  cookie: `xtown_refresh=${refreshToken}`,
  origin: t.config.cookieOrigins[0]!,
  'content-type': 'application/json',
});
