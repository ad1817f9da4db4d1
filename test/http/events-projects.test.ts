import { describe, expect, it } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { claimsOf, is, projectTokenOf, seedEventsWorld, signIn, stream, type EventsWorld } from './events-fixture.js';

/** API.md "Project events": the access and project revocations, the Super Admin's and the key ring's events. */
describe(`project events: access, projects, the Super Admin and the keys (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: EventsWorld;
  useTestWorld(seedEventsWorld, (world) => ({ t, w } = world));
  const root = () => bearer(w.root.accessToken);

  it('access.revoked UNASSIGNED for the Admin and the Sub User its change prunes, with gens above their pgen', async () => {
    const [crm, erp] = [await stream(t, w.crm), await stream(t, w.erp)];
    const ann = await signIn(t, 'ann@acme.test');
    const sam = await signIn(t, 'sam@acme.test');
    const annToken = await projectTokenOf(t, ann, 'crm');
    const samToken = await projectTokenOf(t, sam, 'crm');
    const changed = await t.request({
      method: 'PUT',
      url: `/api/users/${w.annId}/projects`,
      payload: { projectIds: [w.erp.id] },
      headers: root(),
    });
    expect(changed.statusCode).toBe(200);
    const forAnn = await crm.waitForEvent(is('access.revoked', 'UNASSIGNED', w.annId), 'Admin unassigned');
    const forSam = await crm.waitForEvent(is('access.revoked', 'UNASSIGNED', w.samId), 'Sub User pruned');
    expect(forAnn).toMatchObject({ projectId: w.crm.id, sessionId: null });
    expect(claimsOf(annToken).pgen).toBeLessThan(forAnn.gen!);
    expect(claimsOf(samToken).pgen).toBeLessThan(forSam.gen!);
    // erp was kept: nothing there.
    expect(erp.events()).toEqual([]);
    crm.close();
    erp.close();
  });

  it('project.revoked DEACTIVATED with a gen above the tokens issued before; a new token is at it', async () => {
    const crm = await stream(t, w.crm);
    const token = await projectTokenOf(t, await signIn(t, 'ann@acme.test'), 'crm');
    expect(
      (await t.request({ method: 'PUT', url: `/api/projects/${w.crm.id}`, payload: { isActive: false }, headers: root() })).statusCode,
    ).toBe(200);
    const event = await crm.waitForEvent(is('project.revoked', 'DEACTIVATED'), 'deactivation');
    expect(event).toMatchObject({ projectId: w.crm.id, userId: null, sessionId: null });
    expect(claimsOf(token).pgen).toBeLessThan(event.gen!);
    expect(
      (await t.request({ method: 'PUT', url: `/api/projects/${w.crm.id}`, payload: { isActive: true }, headers: root() })).statusCode,
    ).toBe(200);
    expect(claimsOf(await projectTokenOf(t, await signIn(t, 'ann@acme.test'), 'crm')).pgen).toBe(event.gen);
    expect(crm.ended()).toBe(false);
    crm.close();
  });

  it('project.revoked PROJECT_DELETED above every issued pgen, then the stream ends; the project cannot open a new one', async () => {
    const crm = await stream(t, w.crm);
    const erp = await stream(t, w.erp);
    const token = await projectTokenOf(t, await signIn(t, 'ann@acme.test'), 'crm');
    expect((await t.request({ method: 'DELETE', url: `/api/projects/${w.crm.id}`, headers: root() })).statusCode).toBe(200);
    const event = await crm.waitForEvent(is('project.revoked', 'PROJECT_DELETED'), 'deletion');
    expect(claimsOf(token).pgen).toBeLessThan(event.gen!);
    await crm.waitForEnd();
    expect(crm.blocks.some((block) => block.retry !== undefined)).toBe(false);
    expect(erp.ended()).toBe(false);
    expect(erp.events()).toEqual([]);
    expect((await stream(t, w.crm)).status).toBe(401);
    erp.close();
  });

  it("the Super Admin's events are one row for every project (projectId null), delivered to each stream", async () => {
    const [crm, erp] = [await stream(t, w.crm), await stream(t, w.erp)];
    const all = await t.post('/api/auth/logout', { refreshToken: w.root.refreshToken, allDevices: true }, root());
    expect(all.statusCode).toBe(200);
    const onCrm = await crm.waitForEvent(is('user.revoked', 'LOGOUT_ALL', w.root.user.id), 'root on crm');
    const onErp = await erp.waitForEvent(is('user.revoked', 'LOGOUT_ALL', w.root.user.id), 'root on erp');
    expect(onCrm).toEqual(onErp);
    expect(onCrm.projectId).toBeNull();
    expect(await t.container.store.repos.projectEvents.after(0, 100)).toHaveLength(1);
    crm.close();
    erp.close();
  });

  it('keys.rotated, appended by the key ring inside a transaction or on its own, reaches every stream', async () => {
    const crm = await stream(t, w.crm);
    const { store, clock } = t.container;
    await store.transaction((tx) => tx.projectEvents.keysRotated(clock.now()));
    await store.repos.projectEvents.keysRotated(clock.now());
    await crm.waitForEvent((event) => event.type === 'keys.rotated' && crm.events().length === 2, 'two key rotations');
    expect(crm.events().map((event) => [event.projectId, event.reason, event.userId, event.gen])).toEqual([
      [null, 'KEY_ROTATED', null, null],
      [null, 'KEY_ROTATED', null, null],
    ]);
    // The SSE fields agree with the data.
    expect(crm.events().map((event) => [event.sseId, event.sseEvent])).toEqual(crm.events().map((event) => [String(event.id), event.type]));
    crm.close();
  });
});
