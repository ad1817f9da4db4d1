import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/crypto/secrets.js';
import { KeyRingError, loadKeyRing } from '../../src/crypto/signing-keys.js';
import { createTokenService } from '../../src/crypto/jwt.js';
import type { DataStore } from '../../src/db/repositories/index.js';
import type { KeyRing } from '../../src/domain/keys.js';
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

    it('creates one ES256 key (the default) and publishes only its public part', async () => {
      const ring = await loadKeyRing({ store: store.repos.signingKeys, secrets, clock });
      const { keys } = ring.jwks().body;
      expect(keys).toHaveLength(1);
      const { x, y } = createPublicKey(ring.signingKey.privateKey).export({ format: 'jwk' });
      expect(keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x, y, kid: ring.signingKey.kid, alg: 'ES256', use: 'sig' });
      expect(JSON.stringify(ring.jwks())).not.toMatch(/"d"/);
      expect(ring.publicKey(ring.signingKey.kid)?.publicKey.asymmetricKeyType).toBe('ec');
      expect(ring.publicKey('nope')).toBeUndefined();
      expect(await store.repos.signingKeys.listPublished(clock.now())).toHaveLength(1);
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
      expect(await store.repos.signingKeys.listPublished(clock.now())).toHaveLength(1);
    });
  });

  it('instances starting together against an empty table agree on one key', async () => {
    const db = await fresh();
    const clock = fixedClock();
    const secrets = createSecrets(SECRET_ONE);
    const stores = await Promise.all(Array.from({ length: 6 }, () => db.open()));
    const rings = await Promise.all(stores.map((store) => loadKeyRing({ store: store.repos.signingKeys, secrets, clock })));
    expect(new Set(rings.map((ring) => ring.signingKey.kid)).size).toBe(1);
    expect(await stores[0]!.repos.signingKeys.listPublished(clock.now())).toHaveLength(1);
  });

  describe('rotation of JWT_SECRET', () => {
    it('re-encrypts with the new secret when JWT_SECRET_PREVIOUS is set, and old tokens still verify', async () => {
      const db = await fresh();
      const clock = fixedClock();
      const before = await loadKeyRing({ store: (await db.open()).repos.signingKeys, secrets: createSecrets(SECRET_ONE), clock });
      const { token } = createTokenService({ keys: before, clock, config: tokenConfig }).signAccessToken(sampleUser(), SID, 0);
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

  describe('the lifecycle of a key (API.md "Tokens")', () => {
    const secrets = createSecrets(SECRET_ONE);
    const MAX_AGE = 300;
    const TTL = tokenConfig.accessTokenTtlSec;
    /** Two instances of one service over one database, with one clock. */
    const twoInstances = async (options: { algorithm?: 'ES256' | 'EdDSA' | 'RS256'; rotationDays?: number } = {}) => {
      const db = await fresh();
      const clock = fixedClock();
      const open = async (algorithm = options.algorithm) => {
        const ring = await loadKeyRing({
          store: (await db.open()).repos.signingKeys,
          secrets,
          clock,
          jwksMaxAgeSec: MAX_AGE,
          tokenTtlSec: TTL,
          refreshIntervalMs: 1000,
          ...(algorithm ? { algorithm } : {}),
          ...(options.rotationDays ? { rotationDays: options.rotationDays } : {}),
        });
        return { ring, tokens: createTokenService({ keys: ring, clock, config: tokenConfig }) };
      };
      return { db, clock, open, a: await open(), b: await open() };
    };
    const kids = (ring: KeyRing) =>
      ring
        .jwks()
        .body.keys.map((key) => key.kid)
        .sort();

    it('publishes a new key at once, signs with it only after JWKS_MAX_AGE, and unpublishes the old one after its last token expired', async () => {
      const { clock, a, b } = await twoInstances();
      const first = a.ring.signingKey.kid;
      const before = a.tokens.signAccessToken(sampleUser(), SID, 0).token;
      const etag = a.ring.jwks().etag;

      expect(await a.ring.rotate()).toBe(true);
      expect(await b.ring.rotate()).toBe(false); // a rotation is already pending
      const second = kids(a.ring).find((kid) => kid !== first)!;
      expect(kids(a.ring)).toHaveLength(2);
      expect(a.ring.jwks().etag).not.toBe(etag);
      expect(a.ring.signingKey.kid).toBe(first);

      clock.advance(1000);
      await b.ring.refresh(); // another instance learns the new key from the database, and serves the same set
      expect(b.ring.jwks()).toEqual(a.ring.jwks());

      clock.advance((MAX_AGE - 1) * 1000);
      for (const { ring } of [a, b]) expect(ring.signingKey.kid).toBe(second);
      const after = b.tokens.signAccessToken(sampleUser(), SID, 0).token;
      expect(a.tokens.verifyTokenSync(after, 'ACCESS').userId).toBe(42);
      expect(b.tokens.verifyTokenSync(before, 'ACCESS').userId).toBe(42);

      clock.advance(TTL * 1000);
      expect(kids(a.ring)).toHaveLength(2); // the clock skew allowed to the last token signed
      clock.advance(60_000);
      for (const { ring } of [a, b]) {
        expect(kids(ring)).toEqual([second]);
        expect(ring.publicKey(first)).toBeUndefined();
      }
    });

    it("after a compromise, signs with a new key at once and refuses the old key's tokens on every instance", async () => {
      const { clock, a, b } = await twoInstances();
      const first = a.ring.signingKey.kid;
      const leaked = a.tokens.signAccessToken(sampleUser(), SID, 0).token;
      expect(b.tokens.verifyTokenSync(leaked, 'ACCESS').userId).toBe(42); // now in b's verified cache
      await a.ring.rotate(); // a pending key is replaced as well
      expect(await a.ring.rotate({ compromised: true })).toBe(true);
      expect(a.ring.signingKey.kid).not.toBe(first);
      expect(kids(a.ring)).toEqual([a.ring.signingKey.kid]);
      expect(thrownBy(() => a.tokens.verifyTokenSync(leaked, 'ACCESS'))).toMatchObject({ code: 'TOKEN_INVALID' });

      clock.advance(1000);
      await b.ring.refresh();
      expect(b.ring.signingKey.kid).toBe(a.ring.signingKey.kid);
      expect(thrownBy(() => b.tokens.verifyTokenSync(leaked, 'ACCESS'))).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('rotates on schedule, once, however many instances try', async () => {
      const { clock, a, b, open } = await twoInstances({ rotationDays: 90 });
      const c = await open();
      expect(await a.ring.rotateIfDue()).toBe(false);
      clock.advance(90 * 86_400_000);
      const results = await Promise.all([a, b, c].map(({ ring }) => ring.rotateIfDue()));
      expect(results.filter(Boolean)).toHaveLength(1);
      await Promise.all([a, b, c].map(({ ring }) => ring.refresh()));
      expect(kids(a.ring)).toHaveLength(2);
      expect(kids(c.ring)).toEqual(kids(a.ring));
    });

    it("switches JWT_SIGNING_ALG through a rotation: the old key's live tokens keep verifying", async () => {
      const { clock, a, open } = await twoInstances({ algorithm: 'EdDSA' });
      expect(a.ring.signingKey.algorithm).toBe('EdDSA');
      const old = a.tokens.signAccessToken(sampleUser(), SID, 0).token;
      const rs = await open('RS256'); // a restart with the new setting
      expect(rs.ring.signingKey.algorithm).toBe('EdDSA');
      expect(
        rs.ring
          .jwks()
          .body.keys.map((key) => key.alg)
          .sort(),
      ).toEqual(['EdDSA', 'RS256']);
      clock.advance(MAX_AGE * 1000);
      expect(rs.ring.signingKey.algorithm).toBe('RS256');
      expect(rs.tokens.verifyTokenSync(old, 'ACCESS').userId).toBe(42);
      expect(Buffer.from(rs.tokens.signAccessToken(sampleUser(), SID, 0).token.split('.')[0]!, 'base64url').toString()).toContain(
        '"RS256"',
      );
    });
  });
});
