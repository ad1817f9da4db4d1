import { createVerifier, type Verifier } from '@xtown/verify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { newKey, PROJECT, startHubFixture, type HubFixture } from './hub-fixture.js';

/** The JWKS is cached for its Cache-Control max-age (the fixture says 300 s), then refetched. */
describe('@xtown/verify: the JWKS cache', () => {
  let hub: HubFixture;
  let verifier: Verifier;
  let clock: number;
  const outcome = (token: string) =>
    verifier.verify(token).then(
      () => 'accepted',
      (error: { code: string }) => error.code,
    );

  beforeEach(async () => {
    hub = await startHubFixture({ heartbeatMs: 1_000 });
    clock = Date.now();
    verifier = createVerifier({ issuer: hub.url, project: PROJECT, events: false, now: () => clock });
    await verifier.ready();
  });
  afterEach(async () => {
    verifier.close();
    await hub.close();
  });

  it('is not refetched within its max-age, and is after it, in the background', async () => {
    expect(await outcome(await hub.token())).toBe('accepted');
    clock += 299_000;
    expect(await outcome(await hub.token({ sid: 'b' }))).toBe('accepted');
    expect(hub.calls.jwks).toBe(1);
    clock += 2_000;
    expect(await outcome(await hub.token({ sid: 'c' }))).toBe('accepted');
    await until('the background refetch', () => hub.calls.jwks === 2);
  });

  it('drops the tokens of a key that left the set once the set is refetched, cached tokens included', async () => {
    const token = await hub.token();
    expect(await outcome(token)).toBe('accepted');
    const next = await newKey('key-2');
    hub.publish([next]);
    clock += 301_000;
    await outcome(token); // starts the refetch; answered from the set it had
    await until('the refetch', () => hub.calls.jwks === 2);
    await until('the removed key to stop verifying', async () => (await outcome(token)) === 'TOKEN_INVALID');
    expect(await outcome(await hub.token({ key: next }))).toBe('accepted');
  });
});
