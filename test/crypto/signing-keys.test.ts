import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/crypto/secrets.js';
import { KeyRingError, loadKeyRing } from '../../src/crypto/signing-keys.js';
import { createTokenService } from '../../src/crypto/jwt.js';
import { encodeHeader, signCompact } from '../../src/crypto/jws.js';
import type { DataStore } from '../../src/db/repositories/index.js';
import { fixedClock } from '../../src/domain/clock.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { openSharedDatabase, sampleUser, SECRET_ONE, SECRET_TWO, SID, thrownBy, tokenConfig } from './fixtures.js';

type Shared = Awaited<ReturnType<typeof openSharedDatabase>>;

describe(`signing keys on ${TEST_DIALECT}`, () => {
  const shared: Shared[] = [];
  const fresh = async () => {
    const db = await openSharedDatabase();
    shared.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of shared) await db.drop();
  });

  describe('a ring on an empty table', () => {
    let db: Shared;
    let store: DataStore;
    const clock = fixedClock();
    const secrets = createSecrets(SECRET_ONE);

    beforeAll(async () => {
      db = await fresh();
      store = await db.open();
    });

    it('creates one Ed25519 key and publishes only its public part', async () => {
      const ring = await loadKeyRing({ store: store.repos.signingKeys, secrets, clock });
      const { keys } = ring.jwks();
      expect(keys).toHaveLength(1);
      const x = createPublicKey(ring.signingKey.privateKey).export({ format: 'jwk' }).x;
      expect(keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x, kid: ring.signingKey.kid, alg: 'EdDSA', use: 'sig' });
      expect(JSON.stringify(ring.jwks())).not.toMatch(/"d"/);
      expect(ring.publicKey(ring.signingKey.kid)?.asymmetricKeyType).toBe('ed25519');
      expect(ring.publicKey('nope')).toBeUndefined();
      expect(await store.repos.signingKeys.listActive()).toHaveLength(1);
    });

    it('stores the private key encrypted, never in plain text', async () => {
      const ring = await loadKeyRing({ store: store.repos.signingKeys, secrets, clock });
      const d = ring.signingKey.privateKey.export({ format: 'jwk' }).d!;
      const der = ring.signingKey.privateKey.export({ format: 'der', type: 'pkcs8' });
      const rows = await db.database.db.selectFrom('signing_keys').selectAll().execute();
      expect(rows).toHaveLength(1);
      const text = JSON.stringify(rows);
      expect(d.length).toBeGreaterThan(20);
      for (const forbidden of ['PRIVATE KEY', d, der.toString('base64'), der.toString('base64url'), der.toString('hex')])
        expect(text).not.toContain(forbidden);
      expect(secrets.decrypt(rows[0]!.privateKeyEnc)).toContain('PRIVATE KEY');
    });

    it('loads the same key again instead of creating another', async () => {
      const first = await loadKeyRing({ store: store.repos.signingKeys, secrets, clock });
      const second = await loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets, clock });
      expect(second.signingKey.kid).toBe(first.signingKey.kid);
      expect(await store.repos.signingKeys.listActive()).toHaveLength(1);
    });
  });

  it('instances starting together against an empty table agree on one key', async () => {
    const db = await fresh();
    const clock = fixedClock();
    const secrets = createSecrets(SECRET_ONE);
    const stores = await Promise.all(Array.from({ length: 6 }, () => db.open()));
    const rings = await Promise.all(stores.map((store) => loadKeyRing({ store: store.repos.signingKeys, secrets, clock })));
    expect(new Set(rings.map((ring) => ring.signingKey.kid)).size).toBe(1);
    expect(await stores[0]!.repos.signingKeys.listActive()).toHaveLength(1);
  });

  describe('rotation of JWT_SECRET', () => {
    it('re-encrypts with the new secret when JWT_SECRET_PREVIOUS is set, and old tokens still verify', async () => {
      const db = await fresh();
      const clock = fixedClock();
      const before = await loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: createSecrets(SECRET_ONE), clock });
      const { token } = createTokenService({ keys: before, clock, config: tokenConfig }).signAccessToken(sampleUser(), SID);
      const [oldRow] = await db.database.db.selectFrom('signing_keys').selectAll().execute();

      const after = await loadKeyRing({
        store: (await db.open()).repos.signingKeys,
        secrets: createSecrets(SECRET_TWO, SECRET_ONE),
        clock,
      });
      expect(after.signingKey.kid).toBe(before.signingKey.kid);
      const verified = createTokenService({ keys: after, clock, config: tokenConfig }).verifyTokenSync(token, 'ACCESS');
      expect(verified.userId).toBe(42);

      const [newRow] = await db.database.db.selectFrom('signing_keys').selectAll().execute();
      expect(newRow!.privateKeyEnc).not.toBe(oldRow!.privateKeyEnc);
      const newOnly = createSecrets(SECRET_TWO);
      expect(newOnly.needsReencryption(newRow!.privateKeyEnc)).toBe(false);
      expect(newOnly.decrypt(newRow!.privateKeyEnc)).toBe(createSecrets(SECRET_ONE).decrypt(oldRow!.privateKeyEnc));
      // And the next start needs no previous secret any more.
      const third = await loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: newOnly, clock });
      expect(third.signingKey.kid).toBe(before.signingKey.kid);
    });

    it('fails with a message naming JWT_SECRET_PREVIOUS when the key opens with neither secret', async () => {
      const db = await fresh();
      const clock = fixedClock();
      await loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: createSecrets(SECRET_ONE), clock });
      const attempt = loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: createSecrets(SECRET_TWO), clock });
      await expect(attempt).rejects.toThrow(KeyRingError);
      await expect(attempt).rejects.toThrow(/JWT_SECRET_PREVIOUS/);
      await expect(
        loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: createSecrets(SECRET_TWO, 'some-other-secret'), clock }),
      ).rejects.toThrow(/JWT_SECRET_PREVIOUS/);
      // Nothing was replaced: the old key is still there for the operator who sets the previous secret.
      const rows = await db.database.db.selectFrom('signing_keys').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(createSecrets(SECRET_ONE).needsReencryption(rows[0]!.privateKeyEnc)).toBe(false);
    });
  });

  describe('more than one key', () => {
    let db: Shared;
    let store: DataStore;
    const clock = fixedClock();
    const secrets = createSecrets(SECRET_ONE);

    beforeAll(async () => {
      db = await fresh();
      store = await db.open();
    });

    const addKey = async (createdAt: Date) => {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const jwk = publicKey.export({ format: 'jwk' });
      const id = createHash('sha256')
        .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
        .digest('base64url');
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      await store.repos.signingKeys.insert({
        id,
        algorithm: 'EdDSA',
        publicJwk: JSON.stringify(jwk),
        privateKeyEnc: secrets.encrypt(pem),
        createdAt,
        retiredAt: null,
      });
      return { id, privateKey };
    };

    it('signs with the oldest active key, learns new keys on refresh (at most every few seconds), and keeps retired ones for the grace period', async () => {
      const ring = await loadKeyRing({ store: store.repos.signingKeys, secrets, clock, retiredKeyGraceSec: 3600 });
      const service = createTokenService({ keys: ring, clock, config: tokenConfig });
      const firstKid = ring.signingKey.kid;
      const older = service.signAccessToken(sampleUser(), SID).token;

      clock.advance(1000);
      const newer = await addKey(clock.now());
      const claims = { ...service.verifyTokenSync(older, 'ACCESS').claims, jti: '0b4b1e3c-8a47-4a3e-9f59-6c1a2e0f3d11' };
      const byNewKey = signCompact(encodeHeader(newer.id), claims, newer.privateKey);

      // Unknown kid: the sync path never reloads; the async one reloads, but not within the interval.
      expect(thrownBy(() => service.verifyTokenSync(byNewKey, 'ACCESS'))).toMatchObject({ code: 'TOKEN_INVALID' });
      await expect(service.verifyToken(byNewKey, 'ACCESS')).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
      clock.advance(5000);
      expect((await service.verifyToken(byNewKey, 'ACCESS')).claims.jti).toBe(claims.jti);
      expect(ring.signingKey.kid).toBe(firstKid);
      expect(
        ring
          .jwks()
          .keys.map((k) => k.kid)
          .sort(),
      ).toEqual([firstKid, newer.id].sort());

      expect(await store.repos.signingKeys.retire(firstKid, clock.now())).toBe(true);
      expect(await store.repos.signingKeys.retire(firstKid, clock.now())).toBe(false);
      clock.advance(5000);
      await ring.refresh();
      expect(ring.signingKey.kid).toBe(newer.id);
      expect(service.verifyTokenSync(older, 'ACCESS').userId).toBe(42);
      expect(ring.jwks().keys).toHaveLength(2);

      clock.advance(3600_000);
      await ring.refresh();
      expect(ring.publicKey(firstKid)).toBeUndefined();
      expect(ring.jwks().keys.map((k) => k.kid)).toEqual([newer.id]);
      // The retired key's token was in the verified cache: it must not outlive its key.
      expect(thrownBy(() => service.verifyTokenSync(older, 'ACCESS'))).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('lists active keys oldest first and refuses a second bootstrap key', async () => {
      const rows = await store.repos.signingKeys.listActive();
      expect(rows.length).toBeGreaterThan(0);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.createdAt.getTime());
      expect(rows.every((row) => row.retiredAt === null && row.createdAt instanceof Date)).toBe(true);
      const inserted = await store.repos.signingKeys.insertIfNoneActive({ ...rows[0]!, id: 'another' });
      expect(inserted).toBe(false);
      expect(await store.repos.signingKeys.updateEncrypted(rows[0]!.id, rows[0]!.privateKeyEnc)).toBe(true);
      expect(await store.repos.signingKeys.updateEncrypted('missing', 'x')).toBe(false);
    });
  });
});
