import { describe, expect, it } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { until } from '../helpers/until.js';
import { useTestWorld } from '../helpers/world.js';
import { is, seedEventsWorld, signIn, stream, type EventsWorld } from './events-fixture.js';

const HOUR = 3_600_000;

/** API.md "Project events": stored and replayed; Last-Event-ID resumes without loss or repeat; resync past the retention. */
describe(`the events stream: replay and resume (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: EventsWorld;
  useTestWorld(seedEventsWorld, (world) => ({ t, w } = world));
  const logoutSam = async () => {
    const sam = await signIn(t, 'sam@acme.test');
    await t.post('/api/auth/logout', { refreshToken: sam.refreshToken }, bearer(sam.accessToken));
  };
  const crmIds = async () => (await t.container.store.repos.projectEvents.after(0, 10_000, w.crm.id)).map((event) => event.id);

  it('a stream cut in the middle of a burst and resumed with Last-Event-ID loses nothing and repeats nothing', async () => {
    const first = await stream(t, w.crm);
    const { store, clock } = t.container;
    let cut = false;
    const burst = (async () => {
      for (let i = 0; i < 40; i++) {
        if (i % 10 === 0) await logoutSam();
        else await store.repos.projectEvents.keysRotated(clock.now());
        // Cut while the burst goes on.
        if (!cut && first.events().length >= 5) {
          cut = true;
          first.close();
        }
      }
    })();
    await until('five events before the cut', () => first.events().length >= 5);
    await burst;
    const seen = first.events().map((event) => event.id);
    const second = await stream(t, w.crm, { lastEventId: seen.at(-1)! });
    const all = await crmIds();
    await until('the rest after the resume', () => second.events().length >= all.length - seen.length);
    const resumed = second.events().map((event) => event.id);
    expect([...seen, ...resumed]).toEqual(all);
    expect(all).toHaveLength(40);
    // Live ones keep coming on the resumed stream, once.
    await logoutSam();
    await second.waitForEvent((event) => event.id > all.at(-1)!, 'a live event after the replay');
    expect(new Set(second.events().map((event) => event.id)).size).toBe(second.events().length);
    second.close();
  });

  it('without Last-Event-ID replays every retained event of the project (and every project’s), not another project’s', async () => {
    await logoutSam(); // crm only
    const ann = await signIn(t, 'ann@acme.test');
    await t.post('/api/auth/logout', { refreshToken: ann.refreshToken }, bearer(ann.accessToken)); // crm and erp
    await t.container.store.repos.projectEvents.keysRotated(t.clock.now());
    const crm = await stream(t, w.crm);
    const erp = await stream(t, w.erp, { lastEventId: 'not-a-number' });
    await until('the replays', () => crm.events().length === 3 && erp.events().length === 2);
    expect(erp.events().map((event) => [event.type, event.userId])).toEqual([
      ['session.revoked', w.annId],
      ['keys.rotated', null],
    ]);
    crm.close();
    erp.close();
  });

  it('answers one resync for an id older than the retention, then the retained events; none for a newer id', async () => {
    await logoutSam();
    await logoutSam();
    const [oldest, purged] = await crmIds();
    t.clock.advance(8 * HOUR + 1000); // JWT_EXPIRES_IN is 8h
    await logoutSam();
    const run = await t.container.cleanup.runOnce();
    expect(run.deleted.projectEvents).toBe(2);
    const [kept] = await crmIds();

    const behind = await stream(t, w.crm, { lastEventId: oldest! });
    await until('resync and the kept event', () => behind.events().length === 2);
    const [resync, next] = behind.events();
    expect(resync).toMatchObject({ type: 'resync', id: purged, projectId: w.crm.id, userId: null, gen: null, reason: null });
    expect(resync!.sseEvent).toBe('resync');
    expect(new Date(resync!.at).getTime()).toBe(t.clock.now().getTime() - 8 * HOUR - 1000);
    expect(next!.id).toBe(kept);

    for (const lastEventId of [purged!, undefined]) {
      const current = await stream(t, w.crm, lastEventId === undefined ? {} : { lastEventId });
      await current.waitForEvent(is('session.revoked', 'LOGOUT', w.samId), 'the kept event');
      expect(current.events().map((event) => event.id)).toEqual([kept]);
      current.close();
    }
    behind.close();
  });
});
