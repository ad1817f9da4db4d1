import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { buildTestApp, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { until } from '../helpers/until.js';
import { watchOutboxPolls, type OutboxPolls } from '../helpers/outbox-polls.js';
import { createServer, type Socket } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { freePort, startSmtpPeer, type SmtpPeer } from '../helpers/mailer.js';

const EMAIL = 'root@x.test';

interface OutboxRow {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  payloadEnc: string | null;
  lastError: string | null;
  nextAttemptAt: unknown;
}

describe(`an SMTP outage delays mail, never loses it (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let port: number;
  let peer: SmtpPeer | undefined;
  let direct: Awaited<ReturnType<typeof createDb>>;
  let polls: OutboxPolls;
  const outbox = () =>
    (direct.db as unknown as Kysely<{ email_outbox: OutboxRow }>).selectFrom('email_outbox').selectAll().orderBy('id').execute();

  beforeEach(async () => {
    port = await freePort();
    peer = undefined;
    t = await buildTestApp({
      realMailer: true,
      env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: 'Xtown <no-reply@x.test>' },
    });
    direct = await createDb(t.config.databaseUrl, { poolSize: 1 });
    polls = watchOutboxPolls(t.container.store);
  });
  afterEach(async () => {
    await direct.destroy();
    await t.close();
    await peer?.stop();
  });

  it('answers register at once, keeps the OTP email in the outbox, and delivers it once SMTP is back', async () => {
    const registered = await t.post('/api/auth/register', {
      setupToken: SETUP_TOKEN,
      name: 'Root',
      email: EMAIL,
      password: STRONG_PASSWORD,
    });
    expect(registered.statusCode, registered.body).toBe(201);

    // The worker tried, failed on the refused connection, and scheduled a retry; the email waits, encrypted.
    const waiting = await until('a failed first attempt', async () => {
      const rows = await outbox();
      return rows.length === 1 && Number(rows[0]!.attempts) >= 1 && rows[0]!.lastError ? rows[0]! : undefined;
    });
    expect(waiting.kind).toBe('REGISTRATION_OTP');
    expect(waiting.status).toBe('PENDING');
    expect(waiting.payloadEnc).toBeTruthy();
    expect(waiting.payloadEnc).not.toContain(EMAIL);
    expect(waiting.lastError).not.toContain(EMAIL);
    expect(new Date(String(waiting.nextAttemptAt)).getTime()).toBeGreaterThan(t.clock.now().getTime());
    // The row is updated before the worker logs, so wait for the line rather than expect it at once.
    await until('the retry log line', () => t.logs.find((line) => line.msg === 'email send failed; will retry'));

    // While the clock stands still, the worker does not hammer the dead server.
    const attempts = Number(waiting.attempts);
    await polls.idle(3, 'three polls of the worker that found nothing due');
    expect(Number((await outbox())[0]!.attempts)).toBe(attempts);

    // Readiness names the outage without failing the instance: the database still serves.
    const down = await t.get('/health/ready');
    expect(down.statusCode).toBe(200);
    expect(down.json().data).toEqual({ database: 'healthy', smtp: 'unhealthy' });

    peer = await startSmtpPeer({ port });
    expect((await t.get('/health/ready')).json().data).toEqual({ database: 'healthy', smtp: 'healthy' });
    // The server is back, but the retry is not due yet: polls that find nothing to send, and no message.
    await polls.idle(3, 'three polls with SMTP back and the retry not yet due');
    expect(peer.messages).toHaveLength(0);
    // Past the longest first back-off (base 5 s): the retry is due.
    t.clock.advance(6_000);
    const message = await until('the OTP email at the SMTP peer', () => peer!.messages.find((m) => m.to === EMAIL));
    const otp = /\b(\d{6})\b/.exec(message.text)?.[1];
    expect(otp).toBeDefined();

    const sent = await until('the outbox row marked sent', async () => {
      const rows = await outbox();
      return rows[0]!.status === 'SENT' ? rows[0]! : undefined;
    });
    expect(sent.payloadEnc).toBeNull();

    const verified = await t.post('/api/auth/verify-registration-otp', { email: EMAIL, otp });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().data.user.email).toBe(EMAIL);

    // Delivered once: the Welcome email follows, the OTP email is not sent again, however time moves.
    await until('the Welcome email', () => peer!.messages.find((m) => m.to === EMAIL && /welcome/i.test(m.subject)));
    t.clock.advance(3_600_000);
    await polls.idle(3, 'three polls an hour later that found nothing due');
    const otpEmails = peer.messages.filter((m) => m.to === EMAIL && m.text.includes(otp!));
    expect(otpEmails).toHaveLength(1);
    expect(peer.messages).toHaveLength(2);
    const rows = await outbox();
    expect(rows.map((row) => [row.kind, row.status])).toEqual([
      ['REGISTRATION_OTP', 'SENT'],
      ['WELCOME', 'SENT'],
    ]);
  });

  it('with an SMTP server that accepts and never answers: the API stays fast, and the email goes out later', async () => {
    // A server that takes the connection and never says a word (not even the greeting).
    const held = new Set<Socket>();
    const hanging = createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hanging.listen(port, '127.0.0.1', () => resolve()));
    const stopHanging = async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    };
    try {
      const timed = async (call: () => Promise<LightMyRequestResponse>) => {
        const startedAt = Date.now();
        const response = await call();
        return { response, ms: Date.now() - startedAt };
      };
      const register = await timed(() =>
        t.post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root', email: EMAIL, password: STRONG_PASSWORD }),
      );
      expect(register.response.statusCode, register.response.body).toBe(201);
      expect(register.ms).toBeLessThan(1000);

      // The worker is now stuck waiting for a greeting that never comes; the API does not wait with it.
      await until('the worker connected to the hanging server', async () => (held.size > 0 ? true : undefined));
      const forgot = await timed(() => t.post('/api/auth/forgot-password', { email: 'nobody@x.test' }));
      expect(forgot.response.statusCode).toBe(200);
      expect(forgot.ms).toBeLessThan(1000);
      const login = await timed(() => t.post('/api/auth/login', { email: 'nobody@x.test', password: STRONG_PASSWORD }));
      expect(login.response.statusCode).toBe(401);
      expect(login.ms).toBeLessThan(1000);
      // Readiness says SMTP is unhealthy without waiting for it either: a probe with a 1 s timeout still gets its answer.
      const ready = await timed(() => t.get('/health/ready'));
      expect(ready.ms).toBeLessThan(1000);
      expect(ready.response.statusCode).toBe(200);
      expect(ready.response.json().data).toEqual({ database: 'healthy', smtp: 'unhealthy' });
      const [first] = await outbox();
      expect(first).toMatchObject({ kind: 'REGISTRATION_OTP', status: 'PENDING' });

      // The mailer's own timeout ends the hung attempt (nobody closes that connection), and a retry is scheduled.
      const failed = await until(
        'the hung attempt timed out',
        async () => {
          const [row] = await outbox();
          return row?.lastError ? row : undefined;
        },
        20_000,
      );
      expect(failed.status).toBe('PENDING');
      expect(failed.lastError).toMatch(/greeting|timeout/i);
    } finally {
      await stopHanging();
    }

    // A working server on the same address: the retry delivers the code, and it still verifies.
    peer = await startSmtpPeer({ port });
    t.clock.advance(6_000);
    const message = await until('the OTP email at the SMTP peer', () => peer!.messages.find((m) => m.to === EMAIL));
    const otp = /\b(\d{6})\b/.exec(message.text)?.[1];
    expect(otp).toBeDefined();
    const [sent] = await until('the outbox row marked sent', async () => {
      const rows = await outbox();
      return rows[0]?.status === 'SENT' ? rows : undefined;
    });
    expect(Number(sent!.attempts)).toBeGreaterThanOrEqual(2);
    const verified = await t.post('/api/auth/verify-registration-otp', { email: EMAIL, otp });
    expect(verified.statusCode, verified.body).toBe(200);
  }, 40_000);
});
