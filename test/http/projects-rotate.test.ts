import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { CLIENT_SECRET_PURPOSE } from '../../src/services/auth/project-access.js';
import { login, registerSuperAdmin, seedProject, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { exchange, openProject, send, snapshot, type Seeded } from './projects-fixture.js';

const HOUR = 3_600_000;

/**
 * API.md rotate-secret: the replaced client secret keeps working for `graceHours` (default 24), so that a
 * project can deploy the new one without an outage, and no longer; only the secret a rotation replaces is kept.
 */
describe(`/api/projects/:id/rotate-secret: the grace period (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let crm: Seeded;
  let raw: Database;
  useTestWorld(
    async (app) => {
      const root = await registerSuperAdmin(app);
      return seedProject(app, { customProjectId: 'crm', createdBy: root.user.id });
    },
    (world) => ({ t, w: crm, raw } = world),
  );

  // A fresh sign-in each time: the clock moves past the access token's 8 hours.
  const rootToken = async () => (await login(t, 'root@acme.test')).accessToken;
  const rotate = async (body?: unknown) => send(t, 'POST', '/api/projects/crm/rotate-secret', await rootToken(), body);
  /** Whether the secret authenticates exchange-code now, with a fresh one-time code each time. */
  const works = async (secret: string) => {
    const { code } = await openProject(t, await rootToken(), 'crm');
    const answer = await exchange(t, code, 'crm', secret);
    if (answer.statusCode !== 200 && answer.statusCode !== 401) throw new Error(`exchange-code: ${answer.statusCode} ${answer.body}`);
    return answer.statusCode === 200;
  };
  const secretOf = async (body?: unknown) => {
    const rotated = await rotate(body);
    expect(rotated.statusCode, rotated.body).toBe(200);
    return rotated.json().data as { clientSecret: string; previousSecretValidUntil: string | null };
  };

  it('keeps the old secret for 24 hours by default, answers until when, and stops it after', async () => {
    const start = t.clock.now().getTime();
    const rotated = await rotate();
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json()).toEqual({
      success: true,
      message: 'Client secret replaced: store it now, it is not shown again',
      data: {
        clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        previousSecretValidUntil: new Date(start + 24 * HOUR).toISOString(),
      },
    });
    const { clientSecret } = rotated.json().data;

    expect(await works(crm.clientSecret)).toBe(true);
    expect(await works(clientSecret)).toBe(true);
    t.clock.advance(24 * HOUR - 1000);
    expect(await works(crm.clientSecret)).toBe(true);
    t.clock.advance(1000);
    expect(await works(crm.clientSecret)).toBe(false);
    expect(await works(clientSecret)).toBe(true);
    t.clock.advance(30 * 24 * HOUR);
    expect(await works(crm.clientSecret)).toBe(false);
    expect(await works(clientSecret)).toBe(true);
  });

  it('takes an empty body as the default, and any grace from 0 to 168 hours', async () => {
    const start = t.clock.now().getTime();
    expect((await secretOf({})).previousSecretValidUntil).toBe(new Date(start + 24 * HOUR).toISOString());
    expect((await secretOf({ graceHours: 1 })).previousSecretValidUntil).toBe(new Date(start + HOUR).toISOString());
    expect((await secretOf({ graceHours: 168 })).previousSecretValidUntil).toBe(new Date(start + 168 * HOUR).toISOString());
    expect((await secretOf({ graceHours: 0 })).previousSecretValidUntil).toBeNull();
  });

  it('a grace of 1 hour: the old secret works within it and fails after; the audit row says how long', async () => {
    const { clientSecret } = await secretOf({ graceHours: 1 });
    t.clock.advance(HOUR - 1000);
    expect(await works(crm.clientSecret)).toBe(true);
    t.clock.advance(1000);
    expect(await works(crm.clientSecret)).toBe(false);
    expect(await works(clientSecret)).toBe(true);

    const audit = await raw.db.selectFrom('audit_logs').selectAll().where('action', '=', 'PROJECT_SECRET_ROTATE').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details!)).toEqual({ customProjectId: 'crm', graceHours: 1 });
  });

  it('graceHours 0 cuts the old secret at once', async () => {
    const { clientSecret, previousSecretValidUntil } = await secretOf({ graceHours: 0 });
    expect(previousSecretValidUntil).toBeNull();
    expect(await works(crm.clientSecret)).toBe(false);
    expect(await works(clientSecret)).toBe(true);
  });

  it('a second rotation within the grace keeps only the secret it replaces; the one before stops at once', async () => {
    const second = await secretOf({ graceHours: 24 });
    t.clock.advance(HOUR);
    const third = await secretOf({ graceHours: 2 });
    expect(third.previousSecretValidUntil).toBe(new Date(t.clock.now().getTime() + 2 * HOUR).toISOString());
    expect(await works(crm.clientSecret)).toBe(false);
    expect(await works(second.clientSecret)).toBe(true);
    expect(await works(third.clientSecret)).toBe(true);
    t.clock.advance(2 * HOUR);
    expect(await works(second.clientSecret)).toBe(false);
    expect(await works(third.clientSecret)).toBe(true);

    // A rotation without grace after one with: the replaced secret and the one before it both stop now.
    const fourth = await secretOf({ graceHours: 24 });
    const fifth = await secretOf({ graceHours: 0 });
    expect(await works(third.clientSecret)).toBe(false);
    expect(await works(fourth.clientSecret)).toBe(false);
    expect(await works(fifth.clientSecret)).toBe(true);
  });

  it('stores the replaced secret as an HMAC only, never the secret', async () => {
    const { clientSecret } = await secretOf();
    const row = await raw.db.selectFrom('projects').selectAll().where('id', '=', crm.id).executeTakeFirstOrThrow();
    expect(row.clientSecretHash).toBe(t.container.secrets.hash(CLIENT_SECRET_PURPOSE, clientSecret));
    expect(row.previousSecretHash).toBe(t.container.secrets.hash(CLIENT_SECRET_PURPOSE, crm.clientSecret));
    const rows = await snapshot(raw);
    expect(rows).not.toContain(clientSecret);
    expect(rows).not.toContain(crm.clientSecret);
    const shown = await send(t, 'GET', '/api/projects/crm', await rootToken());
    expect(shown.body).not.toContain(row.previousSecretHash!);
    expect(shown.json().data).not.toHaveProperty('previousSecretValidUntil');
  });

  it('refuses a grace outside 0–168 whole hours with 400 and changes nothing', async () => {
    const token = await rootToken();
    const before = await snapshot(raw);
    for (const body of [
      { graceHours: -1 },
      { graceHours: 169 },
      { graceHours: 1.5 },
      { graceHours: '24' },
      { graceHours: null },
      { grace: 24 },
    ]) {
      const refused = await send(t, 'POST', '/api/projects/crm/rotate-secret', token, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.code).toBe('VALIDATION_ERROR');
    }
    expect(await snapshot(raw)).toBe(before);
    expect(await works(crm.clientSecret)).toBe(true);
  });
});
