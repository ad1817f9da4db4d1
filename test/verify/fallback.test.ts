import { createVerifier, type Verifier } from '@xtown/verify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { PROJECT, SECRET, startHubFixture, type HubFixture } from './hub-fixture.js';

const HEARTBEAT_MS = 100;
/** Silence is noticed after 2.2 periods of the kit's: 660 ms, well above a busy machine's pauses between heartbeats. */
const KIT_HEARTBEAT_MS = 300;

/**
 * When the revocations known here may be incomplete (the stream not yet caught up, silent for two
 * heartbeats, or a `resync`), verify asks validate-token; once the stream is current again it is offline again.
 */
describe('@xtown/verify: online fallback while the stream is not current', () => {
  let hub: HubFixture;
  let verifier: Verifier;
  let onlineVerdict: boolean;
  const outcome = (token: string) =>
    verifier.verify(token).then(
      () => 'accepted',
      (error: { code: string }) => error.code,
    );

  beforeEach(async () => {
    hub = await startHubFixture({ heartbeatMs: HEARTBEAT_MS });
    onlineVerdict = true;
    hub.online = () => onlineVerdict;
  });
  afterEach(async () => {
    verifier?.close();
    await hub.close();
  });
  const start = () => {
    verifier = createVerifier({
      issuer: hub.url,
      project: PROJECT,
      clientSecret: SECRET,
      heartbeatMs: KIT_HEARTBEAT_MS,
      reconnect: { minMs: 20, maxMs: 200 },
      onlineCacheMs: 0,
    });
  };

  it('checks tokens online until the first heartbeat after the replay, then offline', async () => {
    hub.setHeartbeats(false);
    start();
    await until('the stream to open', () => verifier.health().connected);
    expect(verifier.health().mode).toBe('online-fallback');
    const token = await hub.token();
    onlineVerdict = false; // the service knows of a revocation this side has not heard of yet
    expect(await outcome(token)).toBe('TOKEN_INVALID');
    expect(hub.calls.validate).toBe(1);

    hub.setHeartbeats(true);
    await until('offline mode', () => verifier.health().mode === 'offline');
    expect(await outcome(await hub.token({ sid: 'other' }))).toBe('accepted');
    expect(hub.calls.validate).toBe(1);
  });

  it('falls back after two missed heartbeats, cached tokens included, and returns to offline once current again', async () => {
    start();
    await until('offline mode', () => verifier.health().mode === 'offline');
    const token = await hub.token();
    expect(await outcome(token)).toBe('accepted');
    expect(hub.calls.validate).toBe(0);

    hub.setHeartbeats(false);
    await until('the fallback', () => verifier.health().mode === 'online-fallback');
    expect(verifier.health().current).toBe(false);
    onlineVerdict = false;
    expect(await outcome(token)).toBe('TOKEN_INVALID');
    expect(hub.calls.validate).toBe(1);
    // The silent connection was cut and opened again (a half-open connection would never recover).
    await until('a reconnection', () => hub.calls.streams.length >= 2);

    hub.setHeartbeats(true);
    await until('offline mode again', () => verifier.health().mode === 'offline');
    expect(await outcome(token)).toBe('accepted');
    expect(hub.calls.validate).toBe(1);
  });

  it('after a resync, checks tokens issued before its `at` online for good, and newer ones offline', async () => {
    start();
    await until('offline mode', () => verifier.health().mode === 'offline');
    hub.emit('session.revoked', { sessionId: 'seen' });
    await until('the event', () => verifier.health().lastEventId === '1');
    const now = Math.floor(Date.now() / 1000);
    const before = await hub.token({ iat: now - 600 });
    expect(await outcome(before)).toBe('accepted'); // cached while nothing was missed

    // The events after id 1 are lost to retention; the service says so with `resync` on the next connection.
    hub.cut();
    hub.emit('user.revoked', { userId: 7, gen: 5 }); // never received
    hub.forget(new Date((now - 300) * 1000));
    await until('the resync', () => verifier.health().resyncBefore !== null);
    expect(hub.calls.streams.at(-1)?.lastEventId).toBe('1');
    await until('offline mode again', () => verifier.health().mode === 'offline');

    onlineVerdict = false;
    expect(await outcome(before)).toBe('TOKEN_INVALID');
    expect(hub.calls.validate).toBe(1);
    expect(await outcome(await hub.token({ iat: now, gen: 9 }))).toBe('accepted');
    expect(hub.calls.validate).toBe(1);
  });

  it('refuses with SERVICE_UNAVAILABLE (fails closed) when it must ask the service and cannot', async () => {
    hub.setHeartbeats(false);
    start();
    await until('the stream to open', () => verifier.health().connected);
    const token = await hub.token();
    await verifier.ready();
    hub.online = () => 'down';
    expect(await outcome(token)).toBe('SERVICE_UNAVAILABLE');
  });
});
