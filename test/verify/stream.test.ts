import { createVerifier, type ProjectEvent, type Verifier, type VerifierOptions } from '@xtown/verify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { newKey, PROJECT, SECRET, startHubFixture, type HubFixture } from './hub-fixture.js';

/** The stand-in beats fast, so that connections become current quickly; the kit is told a slower period, so that a
 * busy machine's pauses never look like a silent stream here (silence is fallback.test.ts's subject). */
const HEARTBEAT_MS = 100;
const KIT_HEARTBEAT_MS = 1_000;

describe('@xtown/verify: revocations from the events stream', () => {
  let hub: HubFixture;
  let verifier: Verifier;
  let seen: ProjectEvent[];
  const start = (options: Partial<VerifierOptions> = {}) => {
    seen = [];
    verifier = createVerifier({
      issuer: hub.url,
      project: PROJECT,
      clientSecret: SECRET,
      heartbeatMs: KIT_HEARTBEAT_MS,
      reconnect: { minMs: 20, maxMs: 200 },
      onEvent: (event) => seen.push(event),
      ...options,
    });
    return verifier;
  };
  const current = () => until('the stream to be current', () => verifier.health().current);
  const applied = (id: number) => until(`event ${id} to be applied`, () => seen.some((e) => Number(e.id) === id));
  const refusal = (token: string) =>
    verifier.verify(token).then(
      () => 'accepted',
      (error: { code: string }) => error.code,
    );

  beforeEach(async () => {
    hub = await startHubFixture({ heartbeatMs: HEARTBEAT_MS });
    hub.online = () => false; // any online check would refuse: these tokens must be judged offline
  });
  afterEach(async () => {
    verifier?.close();
    await hub.close();
  });

  it('connects with the project id and secret as Basic credentials and verifies offline once current', async () => {
    start();
    await current();
    expect(hub.calls.streams[0]).toEqual({
      authorization: `Basic ${Buffer.from(`${PROJECT}:${SECRET}`).toString('base64')}`,
      lastEventId: undefined,
    });
    const user = await verifier.verify(await hub.token({ userId: 7 }));
    expect(user).toMatchObject({ id: 7, sub: '7', project: { customProjectId: PROJECT }, tokenType: 'PROJECT_ACCESS' });
    expect(verifier.health()).toMatchObject({ mode: 'offline', connected: true, current: true, lastError: null });
    expect(hub.calls.validate).toBe(0);
  });

  it("applies user.revoked by generation: the user's older tokens are refused, newer ones and other users' are not", async () => {
    start();
    await current();
    const old = await hub.token({ userId: 7, gen: 2 });
    expect(await refusal(old)).toBe('accepted'); // cached now: the revocation must reach the cache too
    await applied(hub.emit('user.revoked', { userId: 7, gen: 3 }));
    expect(await refusal(old)).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ userId: 7, gen: 3 }))).toBe('accepted');
    expect(await refusal(await hub.token({ userId: 8, gen: 2 }))).toBe('accepted');
    // A replayed or late event with a lower generation lowers nothing.
    await applied(hub.emit('user.revoked', { userId: 7, gen: 1 }));
    expect(await refusal(await hub.token({ userId: 7, gen: 2 }))).toBe('TOKEN_REVOKED');
    expect(hub.calls.validate).toBe(0);
  });

  it('applies session.revoked to that sid only', async () => {
    start();
    await current();
    const a = await hub.token({ sid: 'session-a' });
    expect(await refusal(a)).toBe('accepted');
    await applied(hub.emit('session.revoked', { userId: 7, sessionId: 'session-a' }));
    expect(await refusal(a)).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ sid: 'session-a', gen: 9, pgen: 9 }))).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ sid: 'session-b' }))).toBe('accepted');
  });

  it("applies access.revoked to that user's pgen, and project.revoked to every pgen below it", async () => {
    start();
    await current();
    await applied(hub.emit('access.revoked', { userId: 7, gen: 4 }));
    expect(await refusal(await hub.token({ userId: 7, pgen: 3 }))).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ userId: 7, pgen: 4 }))).toBe('accepted');
    expect(await refusal(await hub.token({ userId: 8, pgen: 3 }))).toBe('accepted');

    await applied(hub.emit('project.revoked', { gen: 5 }));
    expect(await refusal(await hub.token({ userId: 8, pgen: 4 }))).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ userId: 7, pgen: 5 }))).toBe('accepted');
  });

  it('replays the retained events on a first connection (a restarted project backend)', async () => {
    hub.emit('user.revoked', { userId: 7, gen: 3 });
    hub.emit('session.revoked', { sessionId: 'session-x' });
    start();
    await current();
    expect(await refusal(await hub.token({ userId: 7, gen: 2 }))).toBe('TOKEN_REVOKED');
    expect(await refusal(await hub.token({ userId: 8, sid: 'session-x' }))).toBe('TOKEN_REVOKED');
    expect(verifier.health().lastEventId).toBe('2');
  });

  it('reconnects after the connection is cut, with Last-Event-ID, and receives what it missed', async () => {
    start();
    await current();
    await applied(hub.emit('session.revoked', { sessionId: 'session-1' }));
    await applied(hub.emit('session.revoked', { sessionId: 'session-2' }));
    hub.cut();
    const missed = hub.emit('user.revoked', { userId: 7, gen: 3 }); // while nobody listens
    await applied(missed);
    expect(hub.calls.streams.length).toBeGreaterThanOrEqual(2);
    expect(hub.calls.streams[1]?.lastEventId).toBe('2');
    await current();
    expect(await refusal(await hub.token({ userId: 7, gen: 2 }))).toBe('TOKEN_REVOKED');
    expect(verifier.health().lastEventId).toBe(String(missed));
  });

  it('refetches the JWKS on keys.rotated: a key unpublished as compromised stops verifying, even cached tokens', async () => {
    start();
    await current();
    const token = await hub.token();
    expect(await refusal(token)).toBe('accepted');
    const next = await newKey('key-2');
    hub.publish([next]);
    const jwksBefore = hub.calls.jwks;
    await applied(hub.emit('keys.rotated'));
    await until('the JWKS to be refetched', () => hub.calls.jwks > jwksBefore);
    await until('the old key to stop verifying', async () => (await refusal(token)) === 'TOKEN_INVALID');
    expect(await refusal(await hub.token({ key: next }))).toBe('accepted');
  });

  it('never becomes current with a wrong secret, and says why in health()', async () => {
    start({ clientSecret: 'wrong-secret-0123456789' });
    await until('the refusal to be reported', () => verifier.health().lastError?.includes('401'));
    expect(verifier.health()).toMatchObject({ mode: 'online-fallback', connected: false, current: false });
    hub.online = () => true;
    await verifier.verify(await hub.token());
    expect(hub.calls.validate).toBe(1);
  });
});
