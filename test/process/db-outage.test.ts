import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, login, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { isConnectionError } from '../../src/db/values.js';
import { databaseServer, TEST_DIALECT } from '../helpers/database.js';
import { startTcpProxy, type Outage, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const EMAIL = 'ada@x.test';

// The one suite that needs a network database: SQLite is a file in the process, with no connection to cut.
describe.skipIf(TEST_DIALECT === 'sqlite')(
  `a database outage (${TEST_DIALECT}; skipped on sqlite: it has no network connection to cut)`,
  () => {
    let proxy: TcpProxy;
    let t: TestApp;

    beforeEach(async () => {
      proxy = await startTcpProxy(databaseServer(TEST_DIALECT === 'postgres' ? 'postgres' : 'mysql'));
      t = await buildTestApp({
        databaseUrl: (url) => {
          const through = new URL(url);
          through.host = `127.0.0.1:${proxy.port}`;
          return through.toString();
        },
      });
      await seedUser(t, { email: EMAIL });
    });
    afterEach(async () => {
      await proxy.restore().catch(() => undefined);
      await t?.close();
      await proxy.close();
    });

    const outages: Record<Outage, string> = {
      refuse: 'database host down (connections refused)',
      blackhole: 'network partition (connections hang)',
      freeze: 'frozen path (open connections stop passing anything, without a reset)',
    };
    for (const outage of Object.keys(outages) as Outage[]) {
      it(`${outages[outage]}: 503 fast with the envelope, readiness 503, liveness 200, recovery without a restart`, async () => {
        expect(proxy.connections()).toBeGreaterThan(0);
        const before = await login(t, EMAIL);
        expect(before.accessToken).toBeTruthy();

        // A transaction holds its connection when the cut comes: its next query fails, and nothing else does
        // (a driver error event nobody listens to would crash the process).
        let cutDone!: () => void;
        const cutting = new Promise<void>((resolve) => (cutDone = resolve));
        let holding!: () => void;
        const holds = new Promise<void>((resolve) => (holding = resolve));
        const held = t.container.store
          .transaction(async (tx) => {
            await tx.users.findById(1);
            holding();
            await cutting;
            return tx.users.findById(1);
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        await holds;
        await proxy.cut(outage);
        cutDone();
        const heldError = await held;
        expect(isConnectionError(heldError), String((heldError as Error)?.message) + JSON.stringify(heldError)).toBe(true);

        for (const email of [EMAIL, 'nobody@x.test']) {
          const startedAt = Date.now();
          const refused = await t.post('/api/auth/login', { email, password: STRONG_PASSWORD });
          const tookMs = Date.now() - startedAt;
          expect(refused.statusCode, refused.body).toBe(503);
          // A query's deadline (5 s) bounds even a frozen connection.
          expect(tookMs).toBeLessThan(6500);
          expect(refused.json()).toEqual({
            success: false,
            message: 'The service is temporarily unavailable',
            error: { code: 'SERVICE_UNAVAILABLE' },
          });
          expect(refused.headers['retry-after']).toBeDefined();
          // Nothing of the driver's error reaches the client.
          expect(refused.body).not.toMatch(/ECONN|timeout|terminated|127\.0\.0\.1/i);
        }

        // The probe answers within its own deadline (2 s), whatever the database does.
        const readyStartedAt = Date.now();
        const ready = await t.get('/health/ready');
        expect(Date.now() - readyStartedAt).toBeLessThan(2500);
        expect(ready.statusCode).toBe(503);
        expect(ready.json()).toMatchObject({ success: false, data: { database: 'unhealthy' }, error: { code: 'SERVICE_UNAVAILABLE' } });
        const live = await t.get('/health');
        expect(live.statusCode).toBe(200);
        expect(live.json()).toEqual({ success: true, data: { status: 'ok' } });
        // The failure is logged with its cause for the operator.
        expect(t.logs.some((line) => line.msg === 'request failed')).toBe(true);

        await proxy.restore();
        const after = await until(
          'a login after the database came back',
          async () => {
            const response = await t.post('/api/auth/login', { email: EMAIL, password: STRONG_PASSWORD });
            return response.statusCode === 200 ? response : undefined;
          },
          15_000,
          100,
        );
        expect(after.json().data.user.email).toBe(EMAIL);
        expect((await t.get('/health/ready')).statusCode).toBe(200);
        // The session issued before the outage still refreshes: nothing was lost or stuck.
        expect((await t.post('/api/auth/refresh-token', { refreshToken: before.refreshToken })).statusCode).toBe(200);
      });
    }
  },
);
