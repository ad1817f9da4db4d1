import { connect, type Socket } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';

const DASHBOARD = 'https://dash.acme.test';
const FOREIGN = 'https://evil.example';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** Writes `head` at once, then `text` one byte every `intervalMs` until the server closes the socket. */
function trickle(
  port: number,
  text: string,
  intervalMs: number,
  head = '',
): Promise<{ closedAfterMs: number; bytesSent: number; received: string }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let sent = 0;
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (socket.destroyed || sent >= text.length) return;
      socket.write(text[sent]!);
      sent += 1;
      timer = setTimeout(next, intervalMs);
    };
    socket.on('connect', () => {
      if (head) socket.write(head);
      next();
    });
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {}); // a reset after the server gave up is an ending like any other
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, bytesSent: sent, received });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the trickling connection open for 15 s'));
    }, 15_000).unref();
  });
}

describe(`HTTP hardening (${TEST_DIALECT})`, () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  describe('security headers', () => {
    it('sends a CSP the dashboard can live with, the helmet headers, no X-Powered-By, and no HSTS outside production', async () => {
      t = await buildTestApp();
      for (const url of ['/health', '/api/auth/check-super-admin', '/api/nowhere', '/.well-known/jwks.json']) {
        const response = await t.get(url);
        const csp = directives(String(response.headers['content-security-policy']));
        expect(csp.get('default-src'), url).toEqual(["'self'"]);
        // The dashboard's bundles and stylesheets come from this origin; nothing may be eval'd or framed.
        expect(csp.get('script-src')).toEqual(["'self'"]);
        expect(csp.get('style-src')).toEqual(expect.arrayContaining(["'self'"]));
        expect(csp.get('connect-src')).toEqual(["'self'"]);
        expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
        expect(csp.get('object-src')).toEqual(["'none'"]);
        expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(response.headers['x-powered-by']).toBeUndefined();
        expect(response.headers['strict-transport-security']).toBeUndefined();
      }
    });

    it('adds HSTS in production', async () => {
      t = await buildTestApp({
        env: { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.acme.test', SMTP_HOST: '127.0.0.1', SMTP_FROM: 'no-reply@acme.test' },
      });
      for (const url of ['/health', '/api/auth/check-super-admin']) {
        const response = await t.get(url);
        expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('CORS', () => {
    const fromOrigin = (origin: string, url = '/api/auth/check-super-admin') => t.request({ method: 'GET', url, headers: { origin } });
    const preflight = (origin: string) =>
      t.request({
        method: 'OPTIONS',
        url: '/api/auth/login',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });

    it('lets an origin of ALLOWED_ORIGINS in with credentials, and the server its own origin', async () => {
      t = await buildTestApp({ env: { ALLOWED_ORIGINS: `${DASHBOARD}, https://admin.acme.test`, PORT: '5055' } });
      for (const origin of [DASHBOARD, 'https://admin.acme.test', 'http://localhost:5055']) {
        const response = await fromOrigin(origin);
        expect(response.statusCode).toBe(200);
        expect(response.headers['access-control-allow-origin'], origin).toBe(origin);
        expect(response.headers['access-control-allow-credentials']).toBe('true');
        expect(String(response.headers.vary)).toMatch(/origin/i);
      }
    });

    it('gives a foreign origin no CORS header at all, on answers and on errors', async () => {
      t = await buildTestApp({ env: { ALLOWED_ORIGINS: DASHBOARD } });
      for (const origin of [FOREIGN, `${DASHBOARD}.evil.example`, 'https://acme.test', 'null', 'http://localhost:3000']) {
        for (const url of ['/api/auth/check-super-admin', '/api/nowhere']) {
          const response = await fromOrigin(origin, url);
          expect(response.headers['access-control-allow-origin'], `${origin} ${url}`).toBeUndefined();
          expect(response.headers['access-control-allow-credentials']).toBeUndefined();
        }
      }
    });

    it('answers a preflight from an allowed origin, and not from a foreign one', async () => {
      t = await buildTestApp({ env: { ALLOWED_ORIGINS: DASHBOARD } });
      const allowed = await preflight(DASHBOARD);
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
      );
      expect(String(allowed.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/)).toEqual(
        expect.arrayContaining(['content-type', 'authorization']),
      );

      // A foreign preflight is not answered at all: the route does not exist for it.
      const foreign = await preflight(FOREIGN);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.headers['access-control-allow-methods']).toBeUndefined();
      expect(foreign.headers['access-control-allow-headers']).toBeUndefined();
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();

      // The browser then sends the real request, with credentials.
      await seedUser(t, { email: 'jane@acme.test' });
      const real = await t.request({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: DASHBOARD },
        payload: { email: 'jane@acme.test', password: STRONG_PASSWORD },
      });
      expect(real.statusCode).toBe(200);
      expect(real.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(real.headers['access-control-allow-credentials']).toBe('true');
    });
  });

  describe('Cache-Control: no-store', () => {
    it('is on every /api/auth response: each documented route, answered or refused', async () => {
      t = await buildTestApp({ env: { BODY_LIMIT: '2048' } });
      await seedUser(t, { email: 'jane@acme.test' });
      const jane = await login(t, 'jane@acme.test');
      const doc = (await t.get('/api/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/auth/'))
        .flatMap(([path, methods]) =>
          Object.keys(methods).map((method) => ({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'crm') })),
        );
      expect(routes.length).toBeGreaterThanOrEqual(15);

      const responses: Array<[string, LightMyRequestResponse]> = [];
      for (const { method, url } of routes) {
        const withBody = method === 'POST' || method === 'PUT';
        for (const headers of [{}, bearer(jane.accessToken)]) {
          responses.push([
            `${method} ${url}`,
            await t.request({ method: method as 'GET', url, headers, ...(withBody ? { payload: {} } : {}) }),
          ]);
        }
      }
      const extra: Array<[string, Promise<LightMyRequestResponse>]> = [
        ['login 200', t.post('/api/auth/login', { email: 'jane@acme.test', password: STRONG_PASSWORD })],
        ['login 401', t.post('/api/auth/login', { email: 'jane@acme.test', password: 'Wr0ng-Guess-Of-Mine' })],
        ['unknown route', t.get('/api/auth/no-such-route')],
        ['bad URL', t.get('/api/auth/%E0%A4%A')],
        [
          '415',
          t.request({
            method: 'POST',
            url: '/api/auth/login',
            payload: 'email=a',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
        ],
        [
          '413',
          t.request({
            method: 'POST',
            url: '/api/auth/login',
            payload: JSON.stringify({ email: 'x'.repeat(4096) }),
            headers: { 'content-type': 'application/json' },
          }),
        ],
        [
          'bad JSON',
          t.request({ method: 'POST', url: '/api/auth/login', payload: '{"email":', headers: { 'content-type': 'application/json' } }),
        ],
      ];
      for (const [label, response] of extra) responses.push([label, await response]);

      const statuses = new Set(responses.map(([, response]) => response.statusCode));
      for (const status of [200, 400, 401, 404, 413, 415]) expect(statuses, `a ${status} among the answers`).toContain(status);
      for (const [label, response] of responses) {
        expect(response.headers['cache-control'], `${label} → ${response.statusCode}`).toBe('no-store');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('is on a 429 too', async () => {
      t = await buildTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '1' } });
      await t.post('/api/auth/login', { email: 'jane@acme.test', password: STRONG_PASSWORD });
      const limited = await t.post('/api/auth/login', { email: 'jane@acme.test', password: STRONG_PASSWORD });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['cache-control']).toBe('no-store');
    });
  });

  describe('bodies over a real socket', () => {
    const send = async (port: number, head: string, body: string) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
      socket.write(head + body);
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      return received;
    };
    const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
    const codeOf = (raw: string) => (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }).error.code;

    it('answers 413 over BODY_LIMIT (declared or streamed) and 415 for a body that is not JSON', async () => {
      t = await buildTestApp({ env: { BODY_LIMIT: '2048' } });
      const { port } = (await t.app.listen({ port: 0, host: '127.0.0.1' }), t.app.server.address() as { port: number });
      const big = JSON.stringify({ email: 'a@acme.test', password: 'x'.repeat(3000) });
      const declared = await send(
        port,
        `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`,
        big,
      );
      expect(statusOf(declared)).toBe(413);
      expect(codeOf(declared)).toBe('PAYLOAD_TOO_LARGE');
      const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
      const streamed = await send(
        port,
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        chunk(big.slice(0, 1500)) + chunk(big.slice(1500)) + '0\r\n\r\n',
      );
      expect(statusOf(streamed)).toBe(413);
      const form = await send(
        port,
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n',
        '{}',
      );
      expect(statusOf(form)).toBe(415);
      expect(codeOf(form)).toBe('UNSUPPORTED_MEDIA_TYPE');
      // Just under the limit it reaches validation.
      const fits = JSON.stringify({ email: 'a@acme.test', password: 'x'.repeat(1500) });
      expect(
        statusOf(
          await send(
            port,
            `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${fits.length}\r\nConnection: close\r\n\r\n`,
            fits,
          ),
        ),
      ).toBe(400);
    });
  });

  describe('TRUST_PROXY', () => {
    const loginFrom = (remoteAddress: string, forwardedFor?: string) =>
      t.request({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress,
        payload: { email: 'jane@acme.test', password: 'Wr0ng-Guess-Of-Mine' },
        headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      });

    it('off (0): a forged X-Forwarded-For never changes whose limit is counted', async () => {
      t = await buildTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '2' } });
      expect(t.config.trustProxy).toBe(0);
      expect((await loginFrom('198.51.100.7', '203.0.113.1')).statusCode).toBe(401);
      expect((await loginFrom('198.51.100.7', '203.0.113.2, 10.0.0.1')).statusCode).toBe(401);
      for (const forged of ['203.0.113.3', '127.0.0.1', '198.51.100.8', undefined]) {
        const refused = await loginFrom('198.51.100.7', forged);
        expect(refused.statusCode, String(forged)).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await loginFrom('198.51.100.8')).statusCode).toBe(401); // another socket address: its own budget
      // The audit log records the same address: the socket's.
      const { rows } = await t.container.store.repos.auditQuery.list({ action: 'LOGIN_FAILED' }, { offset: 0, limit: 10 });
      expect(rows.map((row) => row.ipAddress).sort()).toEqual(['198.51.100.7', '198.51.100.7', '198.51.100.8']);
    });

    it('1: the last hop (the address our proxy saw) is the client; what the client wrote before it is ignored', async () => {
      t = await buildTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '2', TRUST_PROXY: '1' } });
      const PROXY = '10.0.0.1';
      expect((await loginFrom(PROXY, '1.1.1.1, 203.0.113.5')).statusCode).toBe(401);
      expect((await loginFrom(PROXY, '2.2.2.2, 203.0.113.5')).statusCode).toBe(401);
      expect((await loginFrom(PROXY, '3.3.3.3, 9.9.9.9, 203.0.113.5')).statusCode).toBe(429);
      expect((await loginFrom(PROXY, '203.0.113.5')).statusCode).toBe(429);
      // Another client behind the same proxy has its own budget, and so does the proxy's own address.
      expect((await loginFrom(PROXY, '1.1.1.1, 203.0.113.6')).statusCode).toBe(401);
      expect((await loginFrom(PROXY)).statusCode).toBe(401);
    });
  });

  describe('timeouts', () => {
    it('sets the configured header and request deadlines on the server, with sane defaults', async () => {
      t = await buildTestApp();
      expect(t.config.http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 });
      expect(t.app.server.headersTimeout).toBe(10_000);
      expect(t.app.server.requestTimeout).toBe(30_000);
    });

    it('cuts off a client that sends its headers one byte at a time (slow loris)', async () => {
      // Never idle long enough for the 10 s socket timeout: only the header deadline can end it.
      t = await buildTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: '1500', HTTP_REQUEST_TIMEOUT_MS: '3000' } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const request = 'GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-loris\r\n\r\n';
      const [slow, control] = await Promise.all([trickle(port, request, 1000), fetch(`http://127.0.0.1:${port}/health`)]);
      expect(control.status).toBe(200); // the server serves others meanwhile
      expect(slow.bytesSent).toBeLessThan(request.length);
      expect(slow.closedAfterMs).toBeGreaterThanOrEqual(1400);
      expect(slow.closedAfterMs).toBeLessThan(3000);
      expect(slow.received).not.toMatch(/^HTTP\/1\.1 200/);
    });

    it('cuts off a client that trickles its body', async () => {
      t = await buildTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const body = JSON.stringify({ email: 'jane@acme.test', password: STRONG_PASSWORD });
      const head = `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const slow = await trickle(port, body, 250, head);
      expect(slow.bytesSent).toBeLessThan(body.length);
      expect(slow.closedAfterMs).toBeGreaterThanOrEqual(1900);
      expect(slow.closedAfterMs).toBeLessThan(3500);
      expect(slow.received).not.toMatch(/^HTTP\/1\.1 (200|401)/);
    });

    it('refuses a header deadline longer than the request deadline', async () => {
      await expect(buildTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '2000' } })).rejects.toThrow(
        /HTTP_HEADERS_TIMEOUT_MS/,
      );
    });
  });
});
