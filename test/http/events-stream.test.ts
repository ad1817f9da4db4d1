import { describe, expect, it } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { createGracefulShutdown } from '../../src/shutdown.js';
import { openSse } from '../helpers/sse.js';
import { until } from '../helpers/until.js';
import { baseUrl, is, seedEventsWorld, signIn, stream, type EventsWorld } from './events-fixture.js';

const HOUR = 3_600_000;

/** Who may open a project's events stream, and how a stream ends (API.md "Project events", rotate-secret). */
describe(`the events stream: credentials and endings (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: EventsWorld;
  // A short heartbeat: the secret and deletion checks run on it.
  useTestWorld(seedEventsWorld, (world) => ({ t, w } = world), { app: { events: { heartbeatMs: 100 } } });
  const root = () => bearer(w.root.accessToken);
  const rotate = (graceHours: number) =>
    t.post(`/api/projects/${w.crm.id}/rotate-secret`, { graceHours }, root()).then((r) => r.json().data as { clientSecret: string });

  it('refuses a wrong secret, no or other credentials, another project’s path and an unknown project with 401 TOKEN_INVALID', async () => {
    const refusals = [
      await stream(t, w.crm, { secret: 'not-the-secret' }),
      await stream(t, w.crm, { path: 'erp' }),
      await stream(t, w.crm, { path: String(w.erp.id) }),
      await stream(t, w.crm, { user: 'nope', path: 'nope' }),
      await stream(t, w.crm, { user: String(w.crm.id), path: String(w.crm.id) }),
      await stream(t, w.erp, { secret: w.crm.clientSecret }),
      await openSse(await baseUrl(t), '/api/projects/crm/events', {}),
      await openSse(await baseUrl(t), '/api/projects/crm/events', bearer(w.root.accessToken)),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(401);
      await refused.waitForEnd();
      expect(JSON.parse(refused.body())).toMatchObject({ success: false, error: { code: 'TOKEN_INVALID' } });
    }
    const byId = await stream(t, w.crm, { path: String(w.crm.id) });
    expect(byId.status).toBe(200);
    expect(byId.headers['content-type']).toMatch(/^text\/event-stream/);
    await byId.waitForEnd(50).catch(() => undefined);
    expect(byId.ended()).toBe(false);
    byId.close();
  });

  it('sends a comment line as a heartbeat', async () => {
    const crm = await stream(t, w.crm);
    await until('two heartbeats', () => crm.heartbeats() >= 2);
    expect(crm.blocks.slice(0, 2)).toEqual([{ comment: 'heartbeat' }, { comment: 'heartbeat' }]);
    crm.close();
  });

  it('keeps a stream on the previous secret within its grace and ends it when the grace runs out', async () => {
    const { clientSecret } = await rotate(1);
    const old = await stream(t, w.crm);
    const fresh = await stream(t, { ...w.crm, clientSecret });
    expect([old.status, fresh.status]).toEqual([200, 200]);
    t.clock.advance(HOUR + 1000);
    await old.waitForEnd();
    expect(fresh.ended()).toBe(false);
    expect((await stream(t, w.crm)).status).toBe(401);
    fresh.close();
  });

  it('ends a stream whose secret a rotation without grace stopped, after the events before it', async () => {
    const old = await stream(t, w.crm);
    const sam = await signIn(t, 'sam@acme.test');
    await t.post('/api/auth/logout', { refreshToken: sam.refreshToken }, bearer(sam.accessToken));
    const { clientSecret } = await rotate(0);
    await old.waitForEnd();
    expect(old.events().map((event) => event.type)).toEqual(['session.revoked']);
    expect(old.blocks.some((block) => block.retry !== undefined)).toBe(false);
    expect((await stream(t, w.crm)).status).toBe(401);
    const fresh = await stream(t, { ...w.crm, clientSecret });
    expect(fresh.status).toBe(200);
    await fresh.waitForEvent(is('session.revoked', 'LOGOUT', w.samId), 'the replay on the new secret');
    fresh.close();
  });

  it('on shutdown ends every stream at once with a retry hint, and the drain does not wait for them', async () => {
    const [crm, erp] = [await stream(t, w.crm), await stream(t, w.erp)];
    const graceful = createGracefulShutdown({
      app: t.app,
      markStopping: () => {},
      endStreams: () => t.container.events.closeAll(),
      closeResources: async () => {},
      logger: t.container.logger,
      delayMs: 0,
      // Far beyond the test's timeout: a drain that waited for the streams would fail the test.
      graceMs: 600_000,
    });
    const outcome = await graceful.shutdown('SIGTERM');
    expect(outcome).toEqual({ cut: 0, exitCode: 0 });
    for (const client of [crm, erp]) {
      await client.waitForEnd();
      expect(client.blocks.at(-1)).toEqual({ retry: '1000' });
    }
    expect(t.container.events.openStreams()).toBe(0);
  });
});

describe('the events stream in the OpenAPI document', () => {
  let t: TestApp;
  useTestWorld(
    async () => undefined,
    (world) => ({ t } = world),
  );

  it('documents the text/event-stream answer with the shape of each event’s data, and the 401', async () => {
    const document = (await t.get('/api/docs/json')).json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>
      >;
    };
    const operation = document.paths['/api/projects/{id}/events']?.get;
    expect(operation).toBeDefined();
    const schema = operation!.responses['200']!.content!['text/event-stream']!.schema as {
      properties: Record<string, { enum?: string[] }>;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(['at', 'gen', 'id', 'projectId', 'reason', 'sessionId', 'type', 'userId']);
    expect(schema.properties.type!.enum).toContain('resync');
    expect(schema.properties.reason!.enum).toContain('KEY_ROTATED');
    expect(Object.keys(operation!.responses).sort()).toEqual(['200', '400', '401', '429']);
  });
});

describe('the events stream and the backend budget', () => {
  let t: TestApp;
  let w: EventsWorld;
  useTestWorld(seedEventsWorld, (world) => ({ t, w } = world), { app: { env: { BACKEND_RATE_LIMIT_MAX: '2' } } });

  it('counts each stream against its project once the secret verified, and a refused one against the address', async () => {
    const open = [await stream(t, w.crm), await stream(t, w.crm)];
    expect(open.map((client) => client.status)).toEqual([200, 200]);
    const third = await stream(t, w.crm);
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    // Another project has its own budget.
    expect((await stream(t, w.erp)).status).toBe(200);
    for (const client of open) client.close();
  });
});
