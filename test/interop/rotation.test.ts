import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { decodeJwt, type InteropService, startService } from './service.js';
import { jsonwebtoken } from './verifiers/jsonwebtoken.js';
import { pyjwt } from './verifiers/pyjwt.js';
import { attempt, type Verifier } from './verifiers/types.js';

const JWKS_MAX_AGE_SEC = 2;
const WORKERS = 3;

/**
 * A rotation while projects verify: the new key is published JWKS_MAX_AGE before it signs, and a verifier that
 * refetches the JWKS for an unknown kid (after its cache or cool-down, shorter than that) never sees a token it
 * cannot verify. The service's clock follows the wall clock here, because the verifiers' caches do.
 */
describe('key rotation under load', () => {
  let s: InteropService;
  let verifiers: Array<{ name: string; verifier: Verifier }> = [];
  beforeAll(async () => {
    s = await startService('ES256', { env: { JWKS_MAX_AGE: `${JWKS_MAX_AGE_SEC}s` } });
    const config = { jwksUri: s.jwksUri, issuer: s.issuer, audience: s.project, algorithm: s.algorithm };
    // jose refetches for an unknown kid unless it fetched within `cooldownDuration`: 30 s by default, well below the
    // default JWKS_MAX_AGE of 300 s; with the 2 s here it is shortened the same way.
    const jwks = createRemoteJWKSet(new URL(s.jwksUri), { cooldownDuration: (JWKS_MAX_AGE_SEC * 1000) / 2 });
    const jose: Verifier = {
      verify: (token) => attempt(async () => (await jwtVerify(token, jwks, { issuer: s.issuer, audience: s.project })).payload),
      close: async () => {},
    };
    verifiers = [
      { name: 'jose', verifier: jose },
      { name: 'jsonwebtoken + jwks-rsa', verifier: await jsonwebtoken.create(config) },
      { name: 'PyJWT', verifier: await pyjwt.create(config) },
    ];
  });
  afterAll(async () => {
    await Promise.all(verifiers.map(({ verifier }) => verifier.close()));
    await s?.close();
  });

  it('jose, jsonwebtoken + jwks-rsa and PyJWT verify every fresh token before, during and after the switch', async () => {
    const { t } = s;
    t.clock.set(new Date());
    const follow = setInterval(() => t.clock.set(new Date()), 5);
    const verified = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const token = await s.freshProjectToken();
        const kid = String(decodeJwt(token).header.kid);
        for (const { name, verifier } of verifiers) {
          const outcome = await verifier.verify(token);
          if (outcome.ok) verified.set(kid, (verified.get(kid) ?? 0) + 1);
          else failures.push(`${name}, key ${kid}: ${outcome.error}`);
        }
      }
    };
    try {
      const before = await s.freshProjectToken();
      const oldKid = String(decodeJwt(before).header.kid);
      const workers = Array.from({ length: WORKERS }, worker);
      await until('tokens of the first key verified under load', () => (verified.get(oldKid) ?? 0) >= 30);

      t.clock.set(new Date());
      expect(await t.container.keys.rotate()).toBe(true);
      const newKid = t.container.keys
        .jwks()
        .body.keys.map((key) => String(key.kid))
        .find((kid) => kid !== oldKid);
      expect(newKid).toBeDefined();
      await until('tokens of the new key verified under load', () => (verified.get(newKid!) ?? 0) >= 60, 20_000);
      stop = true;
      await Promise.all(workers);

      expect(failures).toEqual([]);
      expect(t.container.keys.signingKey.kid).toBe(newKid);
      // A token the retired key signed keeps verifying until it expires.
      for (const { verifier } of verifiers) expect(await verifier.verify(before)).toMatchObject({ ok: true });
    } finally {
      stop = true;
      clearInterval(follow);
    }
  });
});
