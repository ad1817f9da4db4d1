import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { canConnect, consoleMark, consoleOtp, rawConnection, sleep, startService, type RawResponse, type Service } from './service.js';

const SETUP_TOKEN = 'process-test-setup-token-0123456789';
const PASSWORD = 'Corr3ct-Horse-Battery';
const EMAIL = 'root@x.test';
const ENV = {
  JWT_SECRET: 'process-test-secret-that-is-long-enough-0123',
  SETUP_TOKEN,
  LOGIN_RATE_LIMIT_MAX: '1000',
  RATE_LIMIT_MAX_REQUESTS: '100000',
};

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/**
 * A login whose JSON body trickles in over `durationMs`: the request is in flight (its headers are
 * in, its body is not) for that long, without any debug route in the product. `inFlight` resolves
 * when the server has taken the request: Node answers `Expect: 100-continue` right before it hands
 * the request to the app, so the interim 100 is the observable sign (it is removed from what the
 * connection received, leaving the real answer).
 */
function slowLogin(
  connection: ReturnType<typeof rawConnection>,
  body: object,
  durationMs: number,
): { inFlight: Promise<void>; answer: Promise<RawResponse> } {
  const json = Buffer.from(JSON.stringify(body));
  const inFlight = (async () => {
    await connection.connected;
    await connection.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nExpect: 100-continue\r\nConnection: keep-alive\r\n\r\n`,
    );
    await until('the server to take the request (100 Continue)', () => connection.state.received.startsWith(CONTINUE), 5000, 5);
    connection.state.received = connection.state.received.slice(CONTINUE.length);
  })();
  const answer = (async () => {
    await inFlight;
    const pieces = 12;
    const size = Math.ceil(json.length / pieces);
    for (let i = 0; i < json.length; i += size) {
      await sleep(durationMs / pieces);
      await connection.write(json.subarray(i, i + size).toString('latin1'));
    }
    return connection.response(15_000);
  })();
  return { inFlight, answer };
}

async function registerSuperAdmin(service: Service) {
  const post = (path: string, body: object) =>
    fetch(`${service.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const mark = consoleMark(service.output);
  expect((await post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root', email: EMAIL, password: PASSWORD })).status).toBe(201);
  // Development prints emails on the console: the OTP is read off the child's stdout.
  const otp = await consoleOtp(service.output, EMAIL, mark);
  expect((await post('/api/auth/verify-registration-otp', { email: EMAIL, otp })).status).toBe(200);
}

describe('graceful shutdown of the real process', () => {
  let service: Service | undefined;
  afterEach(() => {
    service?.kill();
    service = undefined;
  });

  it('on SIGTERM: readiness 503 at once, no new connections, every request in flight answered in full, exit 0', async () => {
    service = await startService({ ...ENV, SHUTDOWN_GRACE_MS: '10000' });
    await registerSuperAdmin(service);
    const { port } = service;

    // A keep-alive connection that served a request and now idles: it must not hold the process.
    const idle = rawConnection(port);
    await idle.connected;
    await idle.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect((await idle.response()).status).toBe(200);
    // A connection that never sends anything.
    const silent = rawConnection(port);
    await silent.connected;
    // Readiness probes whose last header line is held back until the drain has begun.
    const probes = Array.from({ length: 4 }, () => rawConnection(port));
    for (const probe of probes) {
      await probe.connected;
      await probe.write('GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    }

    // Slow logins, right and wrong, one of them on a connection that already served a request.
    const reused = rawConnection(port);
    await reused.connected;
    await reused.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect((await reused.response()).status).toBe(200);
    reused.state.received = '';
    const started = Date.now();
    const slow = [
      slowLogin(reused, { email: EMAIL, password: PASSWORD }, 1500),
      slowLogin(rawConnection(port), { email: EMAIL, password: PASSWORD }, 1200),
      slowLogin(rawConnection(port), { email: EMAIL, password: 'Wrong-Password-123' }, 1300),
      slowLogin(rawConnection(port), { email: 'nobody@x.test', password: PASSWORD }, 1000),
    ];
    // Every login is in flight when the signal comes: the server has taken each of them.
    await Promise.all(slow.map((login) => login.inFlight));
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');

    const polls: RawResponse[] = [];
    let refused = false;
    for (const probe of probes) {
      await sleep(120);
      await probe.write('\r\n');
      polls.push(await probe.response());
      if (!refused) refused = !(await canConnect(port));
    }
    const lastPollAt = Date.now();
    const answers = await Promise.all(slow.map((login) => login.answer));
    const answeredAt = Date.now();
    const code = await service.exited;

    expect(code, service.output.stdout + service.output.stderr).toBe(0);
    // The probes ran while the logins were still in flight, and every one said the instance is going.
    expect(lastPollAt).toBeLessThan(answeredAt);
    for (const poll of polls) {
      expect(poll.status).toBe(503);
      expect(JSON.parse(poll.body)).toEqual({
        success: false,
        message: 'Shutting down',
        data: { database: 'healthy' },
        error: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(poll.headers.connection).toBe('close');
    }
    expect(refused).toBe(true);
    expect(await canConnect(port)).toBe(false);

    // Every login got its whole answer: status, headers and a complete JSON body.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 401]);
    for (const answer of answers) {
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    }
    for (const ok of answers.slice(0, 2))
      expect(JSON.parse(ok.body).data).toMatchObject({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        user: { email: EMAIL },
      });
    for (const refused401 of answers.slice(2))
      expect(JSON.parse(refused401.body)).toMatchObject({ success: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(answeredAt - started).toBeGreaterThan(1000);

    // The idle keep-alive connection was closed at once, not after the keep-alive timeout; the silent one too.
    await Promise.all([idle.closed, silent.closed]);
    expect(idle.state.closedAt! - signalledAt).toBeLessThan(500);
    // The silent one is owed no answer: closed by the drain (not before the signal), at the latest once
    // the last request in flight was answered, never left open until the 10 s grace period ends.
    expect(silent.state.closedAt!).toBeGreaterThanOrEqual(signalledAt);
    expect(silent.state.closedAt! - answeredAt).toBeLessThan(1000);

    const events = service.logs().map((line) => line.event);
    expect(events).toEqual(expect.arrayContaining(['shutdown', 'stopped']));
    const shutdown = service.logs().find((line) => line.event === 'shutdown')!;
    expect(shutdown).toMatchObject({ signal: 'SIGTERM', graceMs: 10000 });
    expect(shutdown.inFlight).toBeGreaterThanOrEqual(4);
    expect(service.logs().find((line) => line.event === 'stopped')).toMatchObject({ cut: 0 });
  });

  it('on SIGINT with a request that outlives SHUTDOWN_GRACE_MS: cuts it at the end of the grace period and exits non-zero', async () => {
    service = await startService({ ...ENV, SHUTDOWN_GRACE_MS: '400' });
    const stuck = rawConnection(service.port);
    const login = slowLogin(stuck, { email: EMAIL, password: PASSWORD }, 4000);
    const answer = login.answer.catch((error: Error) => error);
    await login.inFlight;
    const signalledAt = Date.now();
    service.child.kill('SIGINT');
    const code = await service.exited;
    const exitedAfter = Date.now() - signalledAt;

    expect(code).toBe(1);
    expect(exitedAfter).toBeGreaterThanOrEqual(350);
    expect(exitedAfter).toBeLessThan(3000);
    expect(await answer).toBeInstanceOf(Error);
    expect(stuck.state.closedAt).toBeDefined();
    expect(service.logs().find((line) => line.event === 'shutdown_grace_exceeded')).toMatchObject({ cut: 1 });
  });

  it('under traffic: 50 requests on fresh and keep-alive connections around SIGTERM all get an HTTP answer, none a reset', async () => {
    service = await startService({ ...ENV, SHUTDOWN_GRACE_MS: '10000' });
    await registerSuperAdmin(service);
    const { port } = service;
    const login = await fetch(`${service.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()).data as { accessToken: string };
    const request = (i: number) => {
      const body =
        i % 2 === 0 ? JSON.stringify({ email: `colleague${i}@x.test`, password: PASSWORD }) : JSON.stringify({ token: accessToken });
      const path = i % 2 === 0 ? '/api/auth/login' : '/api/auth/validate-token';
      return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
    };

    // 25 keep-alive connections that served a request and idle, and 25 fresh ones that have sent nothing yet.
    const kept = Array.from({ length: 25 }, () => rawConnection(port));
    for (const connection of kept) {
      await connection.connected;
      await connection.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      expect((await connection.response()).status).toBe(200);
      connection.state.received = '';
    }
    const fresh = Array.from({ length: 25 }, () => rawConnection(port));
    await Promise.all(fresh.map((connection) => connection.connected));
    const all = [...kept, ...fresh];
    // Half the requests go out before the signal, half right after it, on connections the service had accepted.
    const order = all.map((connection, i) => ({ connection, i })).sort((a, b) => (a.i % 2) - (b.i % 2) || a.i - b.i);
    for (const { connection, i } of order.slice(0, 25)) void connection.write(request(i));
    service.child.kill('SIGTERM');
    for (const { connection, i } of order.slice(25)) void connection.write(request(i));

    const answers = await Promise.all(all.map((connection) => connection.response(15_000)));
    expect(all.map((connection) => connection.state.error?.message)).toEqual(all.map(() => undefined));
    // Validations succeed; the logins (of emails nobody has: each still runs a whole password hash) are refused.
    expect(answers.map((answer) => answer.status)).toEqual(all.map((_, i) => (i % 2 === 0 ? 401 : 200)));
    for (const answer of answers) {
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
      expect(JSON.parse(answer.body).success).toBe(answer.status === 200);
    }
    expect(await service.exited).toBe(0);
    expect(service.logs().find((line) => line.event === 'stopped')).toMatchObject({ cut: 0 });
  });

  it('keeps accepting and serving for SHUTDOWN_DELAY_MS with readiness 503, then stops accepting', async () => {
    service = await startService({ ...ENV, SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_GRACE_MS: '5000' });
    const { base, port } = service;
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    await until(
      'readiness to turn 503',
      async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.status === 503,
      1000,
      10,
    );
    // A new connection, during the delay: taken and answered, with Connection: close.
    const during = await fetch(`${base}/api/auth/check-super-admin`);
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');
    expect(Date.now() - signalledAt).toBeLessThan(1500);
    await until('the listener to close after the delay', async () => !(await canConnect(port)), 5000, 20);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1400);
    expect(await service.exited).toBe(0);
    expect(service.logs().find((line) => line.event === 'shutdown')).toMatchObject({ delayMs: 1500 });
  });
});
