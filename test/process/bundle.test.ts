import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consoleMark, consoleOtp, startService, type Service } from './service.js';

// What `npm start` runs: the esbuild bundle of src/. Built inside the repository (its external
// packages resolve from node_modules), apart from dist/ so that a running build is left alone.
const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = resolve(ROOT, 'node_modules/.cache/xtown-bundle-test/main.js');
const json = { 'content-type': 'application/json' };

describe('the built bundle (npm run build)', () => {
  let service: Service | undefined;
  beforeAll(() => {
    execFileSync(process.execPath, [resolve(ROOT, 'scripts/build.mjs'), `--outfile=${BUNDLE}`], { stdio: 'pipe' });
  });
  afterEach(() => service?.kill());
  afterAll(() => rmSync(resolve(BUNDLE, '..'), { recursive: true, force: true }));

  it('signs the first Super Admin in, validates and rotates, and serves the docs, metrics and readiness', async () => {
    service = await startService({ LOG_LEVEL: 'info' }, BUNDLE);
    const { base, output } = service;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });

    const setupToken = /Setup token: (\S+)/.exec(output.stdout)?.[1];
    expect(setupToken, output.stdout).toBeDefined();
    const mark = consoleMark(output);
    expect(
      (await post('/api/auth/register', { setupToken, name: 'Root', email: 'root@x.test', password: 'Corr3ct-Horse-Battery' })).status,
    ).toBe(201);
    // The console mailer prints the code (development without SMTP).
    const otp = await consoleOtp(output, 'root@x.test', mark);
    const verified = await post('/api/auth/verify-registration-otp', { email: 'root@x.test', otp });
    expect(verified.status).toBe(200);
    const { accessToken, refreshToken } = (await verified.json()).data;

    const validation = await post('/api/auth/validate-token', { token: accessToken });
    expect(validation.status).toBe(200);
    expect((await validation.json()).data).toMatchObject({
      valid: true,
      tokenType: 'ACCESS',
      user: { email: 'root@x.test', role: 'SUPER_ADMIN' },
    });
    const rotated = await post('/api/auth/refresh-token', { refreshToken });
    expect(rotated.status).toBe(200);
    expect((await post('/api/auth/refresh-token', { refreshToken })).status).toBe(401);

    // zod's own messages, from the one locale the bundle keeps (scripts/build.mjs).
    const invalid = await post('/api/auth/login', { email: 'root@x.test', password: 5 });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'password', message: 'Invalid input: expected string, received number' }],
    });

    const docs = await fetch(`${base}/api/docs/json`);
    expect(docs.status).toBe(200);
    expect(Object.keys((await docs.json()).paths)).toContain('/api/auth/validate-token');
    expect((await fetch(`${base}/api/docs/`)).status).toBe(200);
    // Swagger UI's files are read from node_modules/@fastify/swagger-ui, found from the bundle's own location.
    expect((await fetch(`${base}/api/docs/static/swagger-ui-bundle.js`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('http_request_duration_seconds');
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('loads nodemailer from node_modules for an SMTP readiness check', async () => {
    service = await startService({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', SMTP_FROM: 'no-reply@x.test' }, BUNDLE);
    const ready = await fetch(`${service.base}/health/ready`);
    expect((await ready.json()).data).toMatchObject({ database: 'healthy', smtp: 'unhealthy' });
  });
});
