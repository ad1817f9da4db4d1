import { describe, expect, it } from 'vitest';
import { bearer, otpFor, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { claimsOf, is, projectTokenOf, seedEventsWorld, signIn, stream, type EventsWorld } from './events-fixture.js';

/** API.md "Project events": every event type arrives after its action, with the generations the tokens are judged by. */
describe(`project events: each revocation reaches the projects it concerns (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: EventsWorld;
  useTestWorld(seedEventsWorld, (world) => ({ t, w } = world));

  it('user.revoked SUSPENDED reaches both of the user’s projects with a gen above its tokens’ and no free text', async () => {
    const [crm, erp] = [await stream(t, w.crm), await stream(t, w.erp)];
    const ann = await signIn(t, 'ann@acme.test');
    const projectToken = await projectTokenOf(t, ann, 'crm');
    expect(claimsOf(ann.accessToken).gen).toBe(0);
    expect(claimsOf(projectToken).gen).toBe(0);
    const suspended = await t.post(`/api/users/${w.annId}/suspend`, { reason: 'secret free text' }, bearer(w.root.accessToken));
    expect(suspended.statusCode).toBe(200);

    const onCrm = await crm.waitForEvent(is('user.revoked', 'SUSPENDED', w.annId), 'suspension on crm');
    const onErp = await erp.waitForEvent(is('user.revoked', 'SUSPENDED', w.annId), 'suspension on erp');
    expect(onCrm).toMatchObject({ projectId: w.crm.id, sessionId: null, gen: 1 });
    expect(onErp).toMatchObject({ projectId: w.erp.id, gen: 1 });
    expect(onCrm.id).not.toBe(onErp.id);
    expect(claimsOf(projectToken).gen).toBeLessThan(onCrm.gen!);
    expect(new Date(onCrm.at).getTime()).toBe(t.clock.now().getTime());
    expect(crm.body()).not.toContain('secret free text');
    // The Sub User's own project only: erp never hears of it.
    expect(erp.events().every((event) => event.userId !== w.samId)).toBe(true);
    crm.close();
    erp.close();
  });

  it('session.revoked LOGOUT and REUSE_DETECTED name the session (sid) of the tokens that stop', async () => {
    const crm = await stream(t, w.crm);
    const first = await signIn(t, 'sam@acme.test');
    expect((await t.post('/api/auth/logout', { refreshToken: first.refreshToken }, bearer(first.accessToken))).statusCode).toBe(200);
    const logout = await crm.waitForEvent(is('session.revoked', 'LOGOUT', w.samId), 'logout');
    expect(logout).toMatchObject({ sessionId: claimsOf(first.accessToken).sid, gen: null, projectId: w.crm.id });

    const second = await signIn(t, 'sam@acme.test');
    expect((await t.post('/api/auth/refresh-token', { refreshToken: second.refreshToken })).statusCode).toBe(200);
    expect((await t.post('/api/auth/refresh-token', { refreshToken: second.refreshToken })).statusCode).toBe(401);
    const reuse = await crm.waitForEvent(is('session.revoked', 'REUSE_DETECTED', w.samId), 'reuse');
    expect(reuse.sessionId).toBe(claimsOf(second.accessToken).sid);
    expect(reuse.id).toBeGreaterThan(logout.id);
    crm.close();
  });

  it('user.revoked PASSWORD_CHANGED: the old tokens are below its gen, the fresh payload carries it', async () => {
    const crm = await stream(t, w.crm);
    const sam = await signIn(t, 'sam@acme.test');
    const changed = await t.post(
      '/api/auth/change-password',
      { currentPassword: STRONG_PASSWORD, newPassword: 'An0ther-Passw0rd-Here' },
      bearer(sam.accessToken),
    );
    expect(changed.statusCode).toBe(200);
    const event = await crm.waitForEvent(is('user.revoked', 'PASSWORD_CHANGED', w.samId), 'password change');
    expect(claimsOf(sam.accessToken).gen).toBeLessThan(event.gen!);
    const fresh = changed.json().data as { accessToken: string };
    expect(claimsOf(fresh.accessToken).gen).toBe(event.gen);
    expect(claimsOf(await projectTokenOf(t, fresh as never, 'crm')).gen).toBe(event.gen);
    crm.close();
  });

  it('user.revoked PASSWORD_RESET and LOGOUT_ALL raise the generation each time', async () => {
    const crm = await stream(t, w.crm);
    const mark = t.mailer.mark();
    expect((await t.post('/api/auth/forgot-password', { email: 'sam@acme.test' })).statusCode).toBe(200);
    const otp = await otpFor(t, 'sam@acme.test', mark);
    const reset = await t.post('/api/auth/reset-password', { email: 'sam@acme.test', otp, newPassword: 'Res3t-Passw0rd-Now' });
    expect(reset.statusCode).toBe(200);
    const afterReset = await crm.waitForEvent(is('user.revoked', 'PASSWORD_RESET', w.samId), 'reset');
    expect(afterReset.gen).toBe(1);

    const sam = await signIn(t, 'sam@acme.test').catch(() => undefined);
    expect(sam).toBeUndefined(); // the old password is gone
    const again = await t.post('/api/auth/login', { email: 'sam@acme.test', password: 'Res3t-Passw0rd-Now' });
    const session = again.json().data as { accessToken: string; refreshToken: string };
    expect(claimsOf(session.accessToken).gen).toBe(1);
    const all = await t.post('/api/auth/logout', { refreshToken: session.refreshToken, allDevices: true }, bearer(session.accessToken));
    expect(all.statusCode).toBe(200);
    const logoutAll = await crm.waitForEvent(is('user.revoked', 'LOGOUT_ALL', w.samId), 'logout all');
    expect(logoutAll.gen).toBe(2);
    crm.close();
  });

  it('user.revoked DELETED for an Admin and the Sub User deleted with it, before their assignments go', async () => {
    const [crm, erp] = [await stream(t, w.crm), await stream(t, w.erp)];
    expect(
      (await t.request({ method: 'DELETE', url: `/api/users/${w.annId}?force=true`, headers: bearer(w.root.accessToken) })).statusCode,
    ).toBe(200);
    await crm.waitForEvent(is('user.revoked', 'DELETED', w.annId), 'Admin deleted (crm)');
    await crm.waitForEvent(is('user.revoked', 'DELETED', w.samId), 'Sub User deleted (crm)');
    await erp.waitForEvent(is('user.revoked', 'DELETED', w.annId), 'Admin deleted (erp)');
    crm.close();
    erp.close();
  });
});
