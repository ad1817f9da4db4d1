import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { closedPort, deletePrefix, openTestRedis, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { is, seedEventsWorld, signIn, stream } from './events-fixture.js';

/**
 * API.md "Project events": within one second of the change on any instance. Two instances on one database
 * (PostgreSQL in CI's postgres run; one SQLite file otherwise), with Redis and without. The second is allowed
 * one second from the moment the action was sent, not a pause.
 */
describe(`project events across instances (${TEST_DIALECT})`, () => {
  const apps: TestApp[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function pair(withRedis: boolean | 'unreachable'): Promise<[TestApp, TestApp]> {
    const redisKeyPrefix = uniqueRedisPrefix('events');
    const options: TestAppOptions = { redisKeyPrefix };
    if (withRedis === 'unreachable') {
      // Nothing listens there: the hub must notice and poll fast again.
      Object.assign(options, { env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }, events: { pollMs: 60_000 } });
    } else if (withRedis) {
      const raw = await openTestRedis();
      cleanups.push(async () => {
        await deletePrefix(raw, redisKeyPrefix);
        raw.disconnect();
      });
      // The poll far beyond the second: only the nudge over Redis can make it in time.
      Object.assign(options, { env: { REDIS_URL: TEST_REDIS_URL }, events: { pollMs: 60_000 } });
    }
    const a = await buildTestApp(options);
    apps.push(a);
    const b = await buildTestApp({ ...options, joinDatabase: a.sharedDatabaseUrl });
    apps.push(b);
    // A's mailer gets every email (the seed reads the Super Admin's OTP there).
    await b.container.worker.stop();
    return [a, b];
  }

  for (const withRedis of [false, true, 'unreachable'] as const) {
    const label = withRedis === 'unreachable' ? 'Redis unreachable' : withRedis ? 'Redis' : 'no Redis';
    it(`an event caused on one instance reaches a stream on the other within a second (${label})`, async () => {
      const [a, b] = await pair(withRedis);
      if (withRedis) expect(b.container.redis?.available()).toBe(withRedis === true);
      const w = await seedEventsWorld(a);
      const onB = await stream(b, w.crm);
      expect(onB.status).toBe(200);
      for (const round of [1, 2, 3]) {
        const sam = await signIn(a, 'sam@acme.test');
        const sentAt = Date.now();
        const response = await a.post('/api/auth/logout', { refreshToken: sam.refreshToken }, bearer(sam.accessToken));
        expect(response.statusCode).toBe(200);
        const event = await onB.waitForEvent(
          (e) => is('session.revoked', 'LOGOUT', w.samId)(e) && onB.events().length === round,
          `round ${round} on the other instance`,
          Math.max(0, sentAt + 1000 - Date.now()),
        );
        expect(event.projectId).toBe(w.crm.id);
      }
      // And the other way round, on a stream of A.
      const onA = await stream(a, w.crm);
      const sentAt = Date.now();
      expect((await b.post(`/api/users/${w.samId}/suspend`, { reason: 'x' }, bearer(w.root.accessToken))).statusCode).toBe(200);
      await onA.waitForEvent(is('user.revoked', 'SUSPENDED', w.samId), 'suspension from B on A', Math.max(0, sentAt + 1000 - Date.now()));
      onA.close();
      onB.close();
    });
  }
});
