import './timeouts.js';
import type { Server } from 'node:http';
import { createVerifier } from '@xtown/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectApp } from '../../examples/project-app/src/app.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/until.js';
import { api, type Stack, startStack } from './stack.js';
import { type Person, seedProject, seedSuperAdmin, seedUser, signIn } from './world.js';

/** API.md's promise to projects, in a browser: open the example project from the dashboard; a suspension reaches it within a second. */
describe('the example project, opened from the dashboard', () => {
  let stack: Stack;
  let server: Server;
  let appUrl: string;
  let root: Person;
  let sub: Person;
  let close = () => {};

  beforeAll(async () => {
    const port = await freePort();
    const hub = `http://127.0.0.1:${port}`;
    stack = await startStack({ PORT: String(port), PUBLIC_URL: hub, ALLOW_HTTP_PUBLIC_URL: 'true' });
    root = await seedSuperAdmin(stack);
    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    const project = await seedProject(stack, root, { customProjectId: 'example', name: 'Example', projectUrl: appUrl });
    const admin = await seedUser(stack, root, 'project-admin', { name: 'Ann Admin', email: 'ann@acme.test', projectIds: [project.id] });
    sub = await seedUser(stack, admin, 'sub-user', { name: 'Sam Sub', email: 'sam@acme.test', projectIds: [project.id] });
    const xtown = createVerifier({ issuer: hub, project: 'example', clientSecret: project.clientSecret });
    close = () => xtown.close();
    server = await new Promise<Server>((done) => {
      const listening = createProjectApp({ xtown, hubUrl: hub }).listen(appPort, '127.0.0.1', () => done(listening));
    });
    await xtown.ready();
  });
  afterAll(async () => {
    close();
    server?.close();
    await stack?.close();
  });

  it('signs the Sub User in to the project, and the project refuses it within a second of its suspension', async () => {
    const page = await (await stack.newContext()).newPage();
    await signIn(page, sub);
    await page.getByRole('button', { name: 'Open Example' }).click();
    await page.waitForURL(`${appUrl}/`); // the code was exchanged and dropped from the address
    expect(await page.getByTestId('user-name').textContent()).toBe('Sam Sub');
    await page.getByRole('button', { name: 'Call the protected API' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toMatch(/^200 .*sam@acme\.test/s);

    const suspended = await api(stack.base, 'POST', `/api/users/${sub.id}/suspend`, {
      token: root.token,
      body: { reason: 'Contract ended' },
    });
    expect(suspended.status).toBe(200);
    await until(
      'the project to refuse the suspended user',
      async () => (await page.evaluate(() => fetch('/api/profile').then((response) => response.status))) === 401,
      1000,
    );
    await page.reload();
    expect(await page.getByRole('alert').textContent()).toMatch(/revoked/);
  });
});
