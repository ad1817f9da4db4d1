import { createHmac } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, signCompact } from '../../src/crypto/jws.js';
import { generateSigningKey } from '../../src/crypto/key-material.js';
import { createTokenService } from '../../src/crypto/jwt.js';
import type { TokenService } from '../../src/domain/tokens.js';
import { createSecrets } from '../../src/crypto/secrets.js';
import { loadKeyRing } from '../../src/crypto/signing-keys.js';
import { SIGNING_ALGORITHMS, type KeyRing, type SigningAlgorithm } from '../../src/domain/keys.js';
import { AppError } from '../../src/errors/index.js';
import { fixedClock } from '../../src/domain/clock.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { openSharedDatabase, sampleUser, SECRET_ONE, SID, thrownBy, tokenConfig } from './fixtures.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (token: string) => {
  const [h, p, s] = token.split('.');
  return {
    h: h!,
    p: p!,
    s: s!,
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()),
  };
};
const NOW = '2026-01-01T00:00:00.000Z';
const iatNow = Date.parse(NOW) / 1000;
const TTL = tokenConfig.accessTokenTtlSec;
const project = { id: 7, customProjectId: 'my-project', name: 'My Project' };

const userClaims = {
  id: 42,
  email: 'user@example.com',
  name: 'Jöhn Doe',
  role: 'ADMIN',
  customRole: 'Developer',
  companyName: 'Acme Corp',
  companyAddress: '123 Business St, City, Country',
  companyPhone: '+1234567890',
  isActive: true,
  isSuspended: false,
  createdAt: '2024-01-01T00:00:00.000Z',
};

describe.each(SIGNING_ALGORITHMS)(`JWTs (%s) on ${TEST_DIALECT}`, (ALG: SigningAlgorithm) => {
  const others = SIGNING_ALGORITHMS.filter((alg) => alg !== ALG);
  const dbs: Awaited<ReturnType<typeof openSharedDatabase>>[] = [];
  const clock = fixedClock(NOW);
  let ring: KeyRing;
  let tokens: TokenService;
  let foreignRing: KeyRing;

  beforeAll(async () => {
    const [mine, theirs] = await Promise.all([openSharedDatabase(), openSharedDatabase()]);
    dbs.push(mine, theirs);
    ring = await loadKeyRing({ store: (await mine.open()).repos.signingKeys, secrets: createSecrets(SECRET_ONE), clock, algorithm: ALG });
    foreignRing = await loadKeyRing({
      store: (await theirs.open()).repos.signingKeys,
      secrets: createSecrets(SECRET_ONE),
      clock,
      algorithm: ALG,
    });
    tokens = createTokenService({ keys: ring, clock, config: tokenConfig });
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  /** Signs arbitrary claims with the ring's real private key, to reach the checks behind the signature. */
  const signRaw = (payload: object, kid = ring.signingKey.kid) =>
    signCompact(encodeHeader(kid, ALG), payload, ring.signingKey.privateKey, ALG);
  const invalidCode = (token: string, expected: 'ACCESS' | 'PROJECT_ACCESS' | 'ANY' = 'ANY') => {
    const error = thrownBy(() => tokens.verifyTokenSync(token, expected), token);
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  };
  const accessToken = () => tokens.signAccessToken(sampleUser(), SID, 3);
  const projectToken = () => tokens.signProjectToken(sampleUser(), project, SID, 0, 3);

  it('round-trips an access token with exactly the documented claims', async () => {
    const signed = accessToken();
    const { header, payload } = parts(signed.token);
    expect(header).toEqual({ alg: ALG, typ: 'JWT', kid: ring.signingKey.kid });
    const expected = {
      ...userClaims,
      projects: [
        { id: 7, customProjectId: 'my-project', name: 'My Project', projectUrl: 'https://myproject.com', isActive: true },
        { id: 8, customProjectId: 'other', name: 'Other', projectUrl: 'https://other.example', isActive: false },
      ],
      sub: '42',
      iss: tokenConfig.issuer,
      aud: tokenConfig.audience,
      jti: signed.jti,
      sid: SID,
      iat: iatNow,
      exp: iatNow + TTL,
      tokenType: 'ACCESS',
      gen: 3,
    };
    expect(payload).toStrictEqual(expected);
    expect(signed.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(signed.expiresAt.toISOString()).toBe(new Date((iatNow + TTL) * 1000).toISOString());

    const verified = await tokens.verifyToken(signed.token, 'ACCESS');
    expect(verified.claims).toStrictEqual(expected);
    expect(verified).toMatchObject({ tokenType: 'ACCESS', userId: 42, sid: SID, jti: signed.jti });
    expect(verified.issuedAt.toISOString()).toBe(NOW);
    expect(verified.expiresAt).toEqual(signed.expiresAt);
    expect(Object.isFrozen(verified.claims)).toBe(true);
    expect(tokens.verifyTokenSync(signed.token, 'ANY').jti).toBe(signed.jti);
  });

  it('round-trips a project token with exactly the documented claims', () => {
    const signed = projectToken();
    const expected = {
      ...userClaims,
      project,
      tokenType: 'PROJECT_ACCESS',
      pgen: 0,
      gen: 3,
      sub: '42',
      iss: tokenConfig.issuer,
      aud: 'my-project',
      jti: signed.jti,
      sid: SID,
      iat: iatNow,
      exp: iatNow + TTL,
    };
    expect(parts(signed.token).payload).toStrictEqual(expected);
    const verified = tokens.verifyTokenSync(signed.token, 'PROJECT_ACCESS');
    expect(verified.tokenType).toBe('PROJECT_ACCESS');
    expect(verified.claims).toStrictEqual(expected);
  });

  it('is a standard JWT: jose verifies both kinds against the JWKS', async () => {
    const jwks = createLocalJWKSet(JSON.parse(JSON.stringify(ring.jwks().body)));
    const options = { issuer: tokenConfig.issuer, algorithms: [ALG], currentDate: clock.now() };
    expect((await jwtVerify(accessToken().token, jwks, { ...options, audience: tokenConfig.audience })).payload.sub).toBe('42');
    expect((await jwtVerify(projectToken().token, jwks, { ...options, audience: 'my-project' })).payload.tokenType).toBe('PROJECT_ACCESS');
  });

  it('never accepts a project token as an access token, nor the reverse', () => {
    expect(invalidCode(projectToken().token, 'ACCESS')).toBe('TOKEN_INVALID');
    expect(invalidCode(accessToken().token, 'PROJECT_ACCESS')).toBe('TOKEN_INVALID');
    // The same tokens again, now answered from the verified cache.
    const access = accessToken().token;
    tokens.verifyTokenSync(access, 'ACCESS');
    expect(invalidCode(access, 'PROJECT_ACCESS')).toBe('TOKEN_INVALID');
    const proj = projectToken().token;
    tokens.verifyTokenSync(proj, 'PROJECT_ACCESS');
    expect(invalidCode(proj, 'ACCESS')).toBe('TOKEN_INVALID');
  });

  it('refuses unsigned tokens (alg none)', () => {
    const { p, s } = parts(accessToken().token);
    for (const header of [
      { alg: 'none', typ: 'JWT' },
      { alg: 'none', typ: 'JWT', kid: ring.signingKey.kid },
      { alg: 'NONE', kid: ring.signingKey.kid },
    ]) {
      expect(invalidCode(`${b64(header)}.${p}.`)).toBe('TOKEN_INVALID');
      expect(invalidCode(`${b64(header)}.${p}.${s}`)).toBe('TOKEN_INVALID');
    }
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', () => {
    const { p } = parts(accessToken().token);
    const { publicKey } = ring.publicKey(ring.signingKey.kid)!;
    const jwk = publicKey.export({ format: 'jwk' });
    const secrets = [
      publicKey.export({ format: 'pem', type: 'spki' }),
      publicKey.export({ format: 'der', type: 'spki' }),
      Buffer.from((jwk.x ?? jwk.n)!, 'base64url'),
      JSON.stringify(ring.jwks().body.keys[0]),
    ];
    for (const secret of secrets) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: ring.signingKey.kid })}.${p}`;
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      expect(invalidCode(`${input}.${mac}`)).toBe('TOKEN_INVALID');
    }
  });

  it('refuses a changed payload under the original signature', () => {
    const { h, s, payload } = parts(accessToken().token);
    for (const change of [{ role: 'SUPER_ADMIN' }, { id: 1, sub: '1' }, { exp: payload.exp + 3600 }]) {
      expect(invalidCode(`${h}.${b64({ ...payload, ...change })}.${s}`)).toBe('TOKEN_INVALID');
    }
  });

  it('refuses a changed header kid, unknown or foreign', async () => {
    const { p, s } = parts(accessToken().token);
    const forged = `${b64({ alg: ALG, typ: 'JWT', kid: 'unknown-key' })}.${p}.${s}`;
    expect(invalidCode(forged)).toBe('TOKEN_INVALID');
    await expect(tokens.verifyToken(forged, 'ACCESS')).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const foreignKid = `${b64({ alg: ALG, typ: 'JWT', kid: foreignRing.signingKey.kid })}.${p}.${s}`;
    await expect(tokens.verifyToken(foreignKid, 'ACCESS')).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it("refuses headers with anything but its key's alg, typ JWT and a kid", () => {
    const { payload } = parts(accessToken().token);
    const kid = ring.signingKey.kid;
    // Correctly signed, so that only the header check can refuse them.
    const signed = (header: unknown) => {
      return signCompact(b64(header), payload, ring.signingKey.privateKey, ALG);
    };
    expect(tokens.verifyTokenSync(signed({ alg: ALG, kid }), 'ACCESS').userId).toBe(42);
    for (const header of [
      { alg: ALG, typ: 'JWT', kid, crit: ['exp'] },
      { alg: ALG, typ: 'JWT', kid, jku: 'https://evil.example/jwks' },
      { alg: ALG, typ: 'at+jwt', kid },
      { alg: 'Ed25519', kid },
      { alg: ALG.toLowerCase(), kid },
      ...others.map((alg) => ({ alg, kid })),
      { alg: ALG },
      { alg: ALG, kid: 7 },
      [kid],
    ]) {
      expect(invalidCode(signed(header))).toBe('TOKEN_INVALID');
    }
  });

  it("refuses a token signed by another key ring, even under this ring's kid", async () => {
    const foreign = createTokenService({ keys: foreignRing, clock, config: tokenConfig });
    await expect(tokens.verifyToken(foreign.signAccessToken(sampleUser(), SID, 0).token, 'ACCESS')).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    const { privateKey } = await generateSigningKey(ALG);
    const { payload } = parts(accessToken().token);
    expect(invalidCode(signCompact(encodeHeader(ring.signingKey.kid, ALG), payload, privateKey, ALG))).toBe('TOKEN_INVALID');
  });

  it('refuses project tokens whose audience is not their project, and access tokens of another audience', () => {
    const { payload } = parts(projectToken().token);
    expect(tokens.verifyTokenSync(signRaw(payload), 'PROJECT_ACCESS').userId).toBe(42);
    expect(invalidCode(signRaw({ ...payload, aud: 'other' }))).toBe('TOKEN_INVALID');
    expect(invalidCode(signRaw({ ...payload, aud: tokenConfig.audience }))).toBe('TOKEN_INVALID');
    expect(invalidCode(signRaw({ ...payload, aud: ['my-project'] }))).toBe('TOKEN_INVALID');
    expect(invalidCode(signRaw({ ...payload, project: { ...project, customProjectId: 'other' } }))).toBe('TOKEN_INVALID');
    const access = parts(accessToken().token).payload;
    expect(invalidCode(signRaw({ ...access, aud: 'my-project' }))).toBe('TOKEN_INVALID');
  });

  it('refuses missing or malformed registered claims', () => {
    const { payload } = parts(accessToken().token);
    const { sub: _sub, sid: _sid, jti: _jti, iss: _iss, ...bare } = payload;
    expect(tokens.verifyTokenSync(signRaw(payload), 'ACCESS').userId).toBe(42);
    const variants: object[] = [
      { ...payload, sub: undefined },
      { ...payload, sid: undefined },
      { ...payload, jti: undefined },
      { ...payload, iss: undefined },
      bare,
      { ...payload, sub: 42 },
      { ...payload, sub: '43' },
      { ...payload, sub: '042' },
      { ...payload, sid: '' },
      { ...payload, sid: 'a b' },
      { ...payload, jti: 'not-a-uuid' },
      { ...payload, iss: 'someone-else' },
      { ...payload, tokenType: 'REFRESH' },
      { ...payload, tokenType: undefined },
      { ...payload, iat: iatNow + 61 },
      { ...payload, iat: 'now' },
      { ...payload, exp: iatNow },
      { ...payload, exp: iatNow + TTL + 0.5 },
    ];
    for (const variant of variants) expect(invalidCode(signRaw(variant)), JSON.stringify(variant)).toBe('TOKEN_INVALID');
    expect(tokens.verifyTokenSync(signRaw({ ...payload, iat: iatNow + 60 }), 'ACCESS').userId).toBe(42);
  });

  it('refuses expired tokens with TOKEN_EXPIRED, by the injected clock', () => {
    const seen = accessToken().token;
    tokens.verifyTokenSync(seen, 'ACCESS');
    clock.advance(TTL * 1000 - 1000);
    const unseen = projectToken().token; // signed 1 s before the first one expires
    expect(tokens.verifyTokenSync(seen, 'ACCESS').userId).toBe(42);
    clock.advance(1000);
    expect(invalidCode(seen)).toBe('TOKEN_EXPIRED');
    clock.advance(TTL * 1000);
    const fresh = createTokenService({ keys: ring, clock, config: tokenConfig });
    expect(thrownBy(() => fresh.verifyTokenSync(unseen, 'PROJECT_ACCESS'))).toMatchObject({ code: 'TOKEN_EXPIRED' });
    clock.set(NOW);
  });

  it('answers garbage with TOKEN_INVALID and nothing else', async () => {
    const token = accessToken().token;
    const garbage: unknown[] = [
      '',
      ' ',
      '.',
      '..',
      '...',
      'a',
      'a.b',
      'a.b.c',
      'a.b.c.d',
      `${token}.`,
      `.${token}`,
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `Bearer ${token}`,
      token.replace(/\./g, '..'),
      token.slice(0, -1),
      `${token}A`,
      `${token.slice(0, -1)}+`,
      `${token.slice(0, -1)}/`,
      token.replace('.', '=.'),
      `${token}==`,
      `${b64(`{"alg":"${ALG}"`)}.${b64('{}')}.${parts(token).s}`,
      `${b64('null')}.${b64('{}')}.${parts(token).s}`,
      `${b64({ alg: ALG, kid: ring.signingKey.kid })}.${b64('[]')}.${parts(token).s}`,
      'x'.repeat(100_000),
      `${'a'.repeat(70_000)}.b.c`,
      '\u0000.\u0000.\u0000',
      'ä.ö.ü',
      undefined,
      null,
      42,
      {},
      [token],
    ];
    for (const value of garbage) {
      expect(invalidCode(value as string), String(value).slice(0, 40)).toBe('TOKEN_INVALID');
      await expect(tokens.verifyToken(value as string, 'ANY')).rejects.toBeInstanceOf(AppError);
    }
  });

  it('refuses a signature spelled non-canonically (same bytes, stray low bits)', () => {
    const token = accessToken().token;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const variant = `${token.slice(0, -1)}${alphabet[last | 0b0101]}`;
    expect(Buffer.from(parts(variant).s, 'base64url')).toEqual(Buffer.from(parts(token).s, 'base64url'));
    expect(tokens.verifyTokenSync(token, 'ACCESS').userId).toBe(42);
    expect(invalidCode(variant)).toBe('TOKEN_INVALID');
  });

  it('refuses every one-character change of a valid token', () => {
    const token = projectToken().token;
    const alphabet = 'AQgw_-.9';
    let refused = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (token[i] === c) continue;
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        expect(invalidCode(mutated)).toBe('TOKEN_INVALID');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(token.length * 6);
  });
});
