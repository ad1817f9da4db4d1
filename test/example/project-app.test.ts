import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectApp } from '../../examples/project-app/src/app.js';
import { bearer } from '../helpers/app.js';
import { until } from '../helpers/until.js';
import { startService, type Service } from '../verify/service.js';

/** examples/project-app against the real service: opened with ?xtown_code, its own session, revocation within a second. */
describe('the example project app', () => {
  let s: Service;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    s = await startService();
    const app = createProjectApp({ xtown: s.verifier({ events: true }), hubUrl: s.url });
    server = await new Promise<Server>((done) => {
      const listening = app.listen(0, '127.0.0.1', () => done(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await s?.close();
  });

  /** Arrives from the hub with a fresh code; answers the session cookie. */
  const arrive = async () => {
    const { code } = await s.open('crm');
    const landing = await fetch(`${base}/?xtown_code=${encodeURIComponent(code)}`, { redirect: 'manual' });
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/');
    const cookie = landing.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^project_session=[\w-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    return { code, cookie: cookie.split(';')[0]! };
  };

  it('exchanges the code, keeps its own session, shows the user and the project, and calls its API with the token', async () => {
    const { code, cookie } = await arrive();
    const page = await fetch(base, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('jane@acme.test');
    expect(html).toContain('crm (id');
    expect(html).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // the token never reaches the browser

    const viaSession = await fetch(`${base}/api/profile`, { headers: { cookie } });
    expect(viaSession.status).toBe(200);
    expect(await viaSession.json()).toMatchObject({ email: 'jane@acme.test', project: { customProjectId: 'crm', id: s.crm.id } });
    const { token } = await s.open('crm');
    expect((await fetch(`${base}/api/profile`, { headers: bearer(token) })).status).toBe(200);

    // The code was single use; no session, no API.
    expect((await fetch(`${base}/?xtown_code=${encodeURIComponent(code)}`, { redirect: 'manual' })).status).toBe(401);
    const anonymous = await fetch(`${base}/api/profile`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
    const erp = await s.open('erp');
    expect((await fetch(`${base}/api/profile`, { headers: bearer(erp.token) })).status).toBe(401);
  });

  it('refuses a user suspended in the hub within a second, and ends the session', async () => {
    const { cookie } = await arrive();
    expect((await fetch(`${base}/api/profile`, { headers: { cookie } })).status).toBe(200);
    const suspended = await s.t.post(`/api/users/${s.janeId}/suspend`, { reason: 'Left the company' }, bearer(s.root.accessToken));
    expect(suspended.statusCode).toBe(200);
    await until(
      'the app to refuse the suspended user',
      async () => (await fetch(`${base}/api/profile`, { headers: { cookie } })).status === 401,
      1000,
    );
    const page = await fetch(base, { headers: { cookie } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('revoked');
    expect((await fetch(base, { headers: { cookie } })).status).toBe(200); // signed out now: the landing page
  });
});
