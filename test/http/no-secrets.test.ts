import type { Kysely } from 'kysely';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { bearer, buildTestApp, seedProject, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { until } from '../helpers/until.js';
import { startSmtpPeer, type SmtpPeer } from '../helpers/mailer.js';

const EMAIL = 'root@x.test';
const NEW_PASSWORD = 'Second-Batt3ry-Staple';
const WRONG_PASSWORD = 'Wr0ng-Guess-Of-Mine';
const WRONG_SECRET = 'not-the-client-secret-0123456789';

/** A value that must never be written down, and how to look for it (OTPs are short: whole numbers only). */
interface Secret {
  label: string;
  value: string;
}

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = (secret: Secret) =>
  /^\d+$/.test(secret.value) ? new RegExp(`(?<![A-Za-z0-9])${secret.value}(?![A-Za-z0-9])`) : new RegExp(escape(secret.value));

function expectAbsent(haystack: string, secrets: Secret[], where: string) {
  const found = secrets.filter((secret) => pattern(secret).test(haystack)).map((secret) => secret.label);
  expect(found, `secrets found in ${where}`).toEqual([]);
}

describe(`secrets never leak: logs, responses, database (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let peer: SmtpPeer;
  beforeEach(async () => {
    peer = await startSmtpPeer();
    t = await buildTestApp({
      realMailer: true,
      // The most verbose level: whatever any layer logs, at any level, is searched.
      env: {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://auth.x.test',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(peer.port),
        SMTP_FROM: 'Xtown <no-reply@x.test>',
        LOG_LEVEL: 'trace',
      },
    });
  });
  afterEach(async () => {
    await t.close();
    await peer.stop();
  });

  it('keeps passwords, OTPs, tokens, codes and secrets out of logs, bodies and the database', async () => {
    expect(t.config.isProduction).toBe(true);
    const responses: LightMyRequestResponse[] = [];
    const call = async (options: InjectOptions) => {
      const response = await t.request(options);
      responses.push(response);
      return response;
    };
    const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      call({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers });
    const otpFromPeer = async (since: number) => {
      const message = await until('an OTP email at the SMTP peer', () =>
        peer.messages.slice(since).find((m) => m.to === EMAIL && /\b\d{6}\b/.test(m.text)),
      );
      return /\b(\d{6})\b/.exec(message.text)![1]!;
    };
    const expectSecureCookie = (response: LightMyRequestResponse) => {
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toContain('xtown_refresh=');
      expect(cookie).toMatch(/;\s*Secure/i);
    };

    // Registration and its OTP, through a real SMTP conversation.
    const registered = await post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root', email: EMAIL, password: STRONG_PASSWORD });
    expect(registered.statusCode, registered.body).toBe(201);
    const registrationOtp = await otpFromPeer(0);
    const wrongOtp = String((Number(registrationOtp) + 1) % 1_000_000).padStart(6, '0');
    expect((await post('/api/auth/verify-registration-otp', { email: EMAIL, otp: wrongOtp })).statusCode).toBe(401);
    const verified = await post('/api/auth/verify-registration-otp', { email: EMAIL, otp: registrationOtp });
    expect(verified.statusCode, verified.body).toBe(200);
    expectSecureCookie(verified);
    const first = verified.json().data;

    const loggedIn = await post('/api/auth/login', { email: EMAIL, password: STRONG_PASSWORD });
    expect(loggedIn.statusCode).toBe(200);
    expectSecureCookie(loggedIn);
    const second = loggedIn.json().data;

    const refreshed = await post('/api/auth/refresh-token', { refreshToken: second.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    expectSecureCookie(refreshed);
    const third = refreshed.json().data;
    expect((await post('/api/auth/validate-token', { token: third.accessToken })).statusCode).toBe(200);

    // A project opened with a one-time code, exchanged by the project's backend.
    const project = await seedProject(t, { customProjectId: 'crm', createdBy: first.user.id });
    const opened = await post('/api/auth/project-token/crm', undefined, bearer(third.accessToken));
    expect(opened.statusCode, opened.body).toBe(200);
    const code = new URL(opened.json().data.redirectUrl).searchParams.get('xtown_code')!;
    expect(code).toBeTruthy();
    expect((await post('/api/auth/exchange-code', { code, projectId: 'crm', clientSecret: WRONG_SECRET })).statusCode).toBe(401);
    const exchanged = await post('/api/auth/exchange-code', { code, projectId: 'crm', clientSecret: project.clientSecret });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect((await post('/api/auth/exchange-code', { code, projectId: 'crm', clientSecret: project.clientSecret })).statusCode).toBe(401);
    const projectToken = exchanged.json().data.projectToken as string;
    expect((await post('/api/auth/validate-token', { token: projectToken, projectId: 'crm' })).statusCode).toBe(200);

    // Forgotten password, reset with the emailed OTP.
    t.clock.advance(61_000);
    const beforeForgot = peer.messages.length;
    expect((await post('/api/auth/forgot-password', { email: EMAIL })).statusCode).toBe(200);
    const resetOtp = await otpFromPeer(beforeForgot);
    const reset = await post('/api/auth/reset-password', { email: EMAIL, otp: resetOtp, newPassword: NEW_PASSWORD });
    expect(reset.statusCode, reset.body).toBe(200);

    const fourth = (await post('/api/auth/login', { email: EMAIL, password: NEW_PASSWORD })).json().data;
    expect((await call({ method: 'GET', url: '/api/auth/me', headers: bearer(fourth.accessToken) })).statusCode).toBe(200);
    expect((await post('/api/auth/logout', { refreshToken: fourth.refreshToken }, bearer(fourth.accessToken))).statusCode).toBe(200);
    expect((await post('/api/auth/login', { email: EMAIL, password: WRONG_PASSWORD })).statusCode).toBe(401);
    expect((await post('/api/auth/login', { email: 'nobody@x.test', password: WRONG_PASSWORD })).statusCode).toBe(401);
    // Refused bodies are not logged either.
    expect((await post('/api/auth/login', { email: EMAIL, password: NEW_PASSWORD, remember: true })).statusCode).toBe(400);
    expect((await post('/api/auth/reset-password', { email: EMAIL, otp: resetOtp, newPassword: 7 })).statusCode).toBe(400);

    // Every email has gone out (the Welcome one included) before anything is searched.
    await until('an empty outbox', async () => (await t.container.store.repos.outbox.pendingCount()) === 0 || undefined);

    const direct = await createDb(t.config.databaseUrl, { poolSize: 1 });
    try {
      const db = direct.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      const hashes = (await db.selectFrom('users').select('password').execute()).map((row) => String(row.password));
      expect(hashes.length).toBe(1);
      expect(hashes[0]).toMatch(/^\$argon2id\$/);

      const sessions = [first, second, third, fourth];
      const tokens: Secret[] = [
        ...sessions.flatMap((s, i) => [{ label: `refresh token ${i + 1}`, value: s.refreshToken as string }]),
        { label: 'one-time code', value: code },
      ];
      const accessTokens: Secret[] = [
        ...sessions.map((s, i) => ({ label: `access token ${i + 1}`, value: s.accessToken as string })),
        { label: 'project token (issued)', value: opened.json().data.projectToken as string },
        { label: 'project token (exchanged)', value: projectToken },
      ];
      const secrets: Secret[] = [
        { label: 'password', value: STRONG_PASSWORD },
        { label: 'new password', value: NEW_PASSWORD },
        { label: 'wrong password', value: WRONG_PASSWORD },
        { label: 'registration OTP', value: registrationOtp },
        { label: 'wrong OTP', value: wrongOtp },
        { label: 'reset OTP', value: resetOtp },
        { label: 'client secret', value: project.clientSecret },
        { label: 'wrong client secret', value: WRONG_SECRET },
        { label: 'setup token', value: SETUP_TOKEN },
        { label: 'JWT_SECRET', value: t.config.jwtSecret },
      ];
      const hashSecrets: Secret[] = [
        { label: 'an argon2 hash', value: '$argon2' },
        ...hashes.map((value) => ({ label: 'the password hash', value })),
      ];

      // Logs: nothing at all, not even the hash.
      expect(t.rawLogs.length).toBeGreaterThan(20);
      expectAbsent(t.rawLogs.join('\n'), [...secrets, ...tokens, ...accessTokens, ...hashSecrets], 'the logs');

      // Bodies: only the tokens a route is meant to hand out, in the fields that carry them.
      for (const response of responses) {
        const body = response.json() as { data?: Record<string, unknown> };
        if (body.data) for (const field of ['accessToken', 'refreshToken', 'projectToken', 'redirectUrl']) delete body.data[field];
        expectAbsent(JSON.stringify(body), [...secrets, ...tokens, ...accessTokens, ...hashSecrets], `the body of ${response.raw.req.url}`);
      }

      // Database: every column of every table.
      const tables = await direct.db.introspection.getTables();
      expect(tables.map((table) => table.name)).toEqual(
        expect.arrayContaining([
          'users',
          'sessions',
          'refresh_tokens',
          'otp_requests',
          'project_codes',
          'audit_logs',
          'email_outbox',
          'projects',
        ]),
      );
      for (const table of tables) {
        const rows = await db.selectFrom(table.name).selectAll().execute();
        expectAbsent(JSON.stringify(rows), [...secrets, ...tokens, ...accessTokens], `table ${table.name}`);
      }
      const outbox = await db.selectFrom('email_outbox').select(['status', 'payloadEnc']).execute();
      expect(outbox.length).toBeGreaterThanOrEqual(3);
      for (const row of outbox) {
        expect(row.status).toBe('SENT');
        expect(row.payloadEnc).toBeNull();
      }
      expect(peer.messages.filter((m) => m.to === EMAIL).length).toBe(outbox.length);
    } finally {
      await direct.destroy();
    }
  });
});
