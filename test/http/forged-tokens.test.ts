import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { projectToken, seedWorld, signIn, type World } from './tokens-fixture.js';

/** Tokens built by hand, as an attacker would, with node:crypto and base64url. */
const b64 = (value: object | string | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))).toString('base64url');
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
const split = (token: string) => {
  const [h, p, s] = token.split('.') as [string, string, string];
  return { h, p, s, header: decode(h), payload: decode(p) };
};
const hs256 = (header: object, payload: object, secret: Buffer | string) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
/** ES256 as JOSE spells it (r‖s), or in DER (a common mistake that must not verify either). */
const es256 = (header: object, payload: object, key: KeyObject, dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363') => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding }).toString('base64url')}`;
};
const ed25519 = (header: object, payload: object, key: KeyObject) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
};
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe(`forged and misused tokens are refused (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  let access: string;
  let crmToken: string;
  let jwk: { kid: string; x: string; y: string; kty: string; crv: string; alg: string };

  useTestWorld(seedWorld, (world) => ({ t, w } = world));
  beforeEach(async () => {
    access = (await signIn(t, w.email)).accessToken;
    crmToken = await projectToken(t, access, 'crm');
    const jwks = await t.get('/.well-known/jwks.json');
    expect(jwks.statusCode).toBe(200);
    jwk = jwks.json().keys[0];
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' }); // the default JWT_SIGNING_ALG
    expect(jwk.kid).toBe(split(access).header.kid);
  });

  /** Every way of presenting a token to /me and validate-token, each answered 401. */
  async function expectRefused(token: string, label: string) {
    const viaMe = await t.get('/api/auth/me', { authorization: `Bearer ${token}` });
    expect(viaMe.statusCode, `${label}: /me`).toBe(401);
    expect(viaMe.json().success, label).toBe(false);
    const attempts = [
      await t.post('/api/auth/validate-token', { token }),
      await t.post('/api/auth/validate-token', undefined, { authorization: `Bearer ${token}` }),
      await t.post('/api/auth/validate-token', { token, projectId: 'crm' }),
      await t.post('/api/auth/validate-token', { token, projectId: w.crm.id }),
    ];
    for (const response of attempts) {
      expect(response.statusCode, `${label}: validate-token ${response.body}`).toBe(401);
      expect(response.json(), label).toMatchObject({ success: false, data: { valid: false } });
      expect(['TOKEN_INVALID', 'TOKEN_EXPIRED'], label).toContain(response.json().error.code);
    }
  }

  it('accepts the genuine tokens (the control for every case below)', async () => {
    expect((await t.get('/api/auth/me', { authorization: `Bearer ${access}` })).statusCode).toBe(200);
    expect((await t.post('/api/auth/validate-token', { token: access })).statusCode).toBe(200);
    expect((await t.post('/api/auth/validate-token', { token: crmToken, projectId: 'crm' })).statusCode).toBe(200);
    // A token re-assembled from its own parts is still the genuine one.
    const { h, p, s } = split(access);
    expect((await t.post('/api/auth/validate-token', { token: `${h}.${p}.${s}` })).statusCode).toBe(200);
  });

  it('refuses alg none, with or without a signature', async () => {
    const { header, payload, s } = split(access);
    const elevated = { ...payload, role: 'SUPER_ADMIN' };
    for (const alg of ['none', 'None', 'NONE']) {
      await expectRefused(`${b64({ alg, typ: 'JWT' })}.${b64(payload)}.`, `alg ${alg}, empty signature`);
      await expectRefused(`${b64({ ...header, alg })}.${b64(elevated)}.`, `alg ${alg} with kid`);
      await expectRefused(`${b64({ ...header, alg })}.${b64(payload)}.${s}`, `alg ${alg}, original signature`);
    }
    await expectRefused(`${b64({ alg: 'none' })}.${b64(payload)}`, 'alg none, two segments');
  });

  it('refuses HS256 signed with the public key (raw bytes, the x string, the PEM)', async () => {
    const { header, payload } = split(access);
    const pem = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    const secrets: Array<[string, Buffer | string]> = [
      ['raw public key bytes', Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])],
      ['the base64url x string', jwk.x],
      ['the SPKI PEM', pem],
      ['the JWK as JSON', JSON.stringify(jwk)],
    ];
    for (const [label, secret] of secrets) {
      for (const alg of ['HS256', 'HS512']) {
        await expectRefused(hs256({ ...header, alg }, { ...payload, role: 'SUPER_ADMIN' }, secret), `${alg} with ${label}`);
        await expectRefused(hs256({ ...header, alg }, payload, secret), `${alg} with ${label}, unchanged payload`);
      }
    }
  });

  it('refuses a changed payload under the original signature', async () => {
    const { h, s, payload } = split(access);
    const project = split(crmToken);
    const changes: Array<[string, Record<string, unknown>]> = [
      ['role', { ...payload, role: 'SUPER_ADMIN' }],
      ['another user', { ...payload, sub: String(w.userId + 1), id: w.userId + 1 }],
      ['a later exp', { ...payload, exp: (payload.exp as number) + 86_400 }],
      [
        'an extra project',
        {
          ...payload,
          projects: [
            ...(payload.projects as object[]),
            { id: w.hr.id, customProjectId: 'hr', name: 'HR', projectUrl: 'https://hr.acme.test/app', isActive: true },
          ],
        },
      ],
      ['another session', { ...payload, sid: '00000000-0000-4000-8000-000000000000' }],
    ];
    for (const [label, changed] of changes) {
      expect(b64(changed), label).not.toBe(split(access).p);
      await expectRefused(`${h}.${b64(changed)}.${s}`, `changed ${label}`);
    }
    // The same JSON with different spacing is a different payload to the signature.
    await expectRefused(`${h}.${b64(JSON.stringify(payload, null, 1))}.${s}`, 're-encoded payload');
    // A project token turned into an access token, and pointed at another project.
    await expectRefused(
      `${project.h}.${b64({ ...project.payload, tokenType: 'ACCESS', aud: payload.aud, projects: [] })}.${project.s}`,
      'project token retyped',
    );
    const moved = { ...project.payload, project: { id: w.hr.id, customProjectId: 'hr', name: 'HR' }, aud: 'hr' };
    await expectRefused(`${project.h}.${b64(moved)}.${project.s}`, 'project token moved to hr');
    expect(
      (await t.post('/api/auth/validate-token', { token: `${project.h}.${b64(moved)}.${project.s}`, projectId: 'hr' })).statusCode,
    ).toBe(401);
  });

  it('refuses a changed or missing kid, and keys smuggled in the header', async () => {
    const { header, p, s, payload } = split(access);
    for (const kid of ['forged-kid', `${jwk.kid}x`, jwk.kid.slice(1), '../../etc/passwd', '']) {
      await expectRefused(`${b64({ ...header, kid })}.${p}.${s}`, `kid ${kid}`);
    }
    await expectRefused(`${b64({ alg: 'ES256', typ: 'JWT' })}.${p}.${s}`, 'no kid');
    const attacker = p256();
    const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
    await expectRefused(es256({ ...header, jwk: attackerJwk }, payload, attacker.privateKey), 'embedded jwk');
    await expectRefused(es256({ ...header, jku: 'https://evil.test/jwks.json' }, payload, attacker.privateKey), 'jku');
    await expectRefused(es256({ alg: 'ES256', typ: 'JWT', kid: 'attacker' }, payload, attacker.privateKey), 'own kid');
  });

  it('refuses a token signed by a freshly generated key under the copied header, or under another algorithm', async () => {
    const attacker = p256();
    const { header, payload } = split(access);
    await expectRefused(es256(header, payload, attacker.privateKey), 'copied header, same payload');
    await expectRefused(es256(header, { ...payload, role: 'SUPER_ADMIN' }, attacker.privateKey), 'copied header, elevated');
    await expectRefused(es256(header, payload, attacker.privateKey, 'der'), 'DER signature');
    const project = split(crmToken);
    await expectRefused(es256(project.header, project.payload, attacker.privateKey), 'copied project token');
    // The kid names an ES256 key: a token may not choose another algorithm for it.
    await expectRefused(ed25519({ ...header, alg: 'EdDSA' }, payload, generateKeyPairSync('ed25519').privateKey), 'EdDSA under the kid');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const input = `${b64({ ...header, alg: 'RS256' })}.${b64(payload)}`;
    await expectRefused(`${input}.${sign('sha256', Buffer.from(input), rsa).toString('base64url')}`, 'RS256 under the kid');
  });

  it('never takes a project token for an access token, nor the reverse', async () => {
    const viaMe = await t.get('/api/auth/me', { authorization: `Bearer ${crmToken}` });
    expect(viaMe.statusCode).toBe(401);
    for (const path of ['/api/auth/project-token/crm', '/api/auth/change-password']) {
      const body = path.endsWith('change-password')
        ? { currentPassword: 'Corr3ct-Horse-Battery', newPassword: 'An0ther-Strong-Pass' }
        : undefined;
      const response = await t.post(path, body, { authorization: `Bearer ${crmToken}` });
      expect(response.statusCode, path).toBe(401);
    }
    const allDevices = await t.post('/api/auth/logout', { allDevices: true }, { authorization: `Bearer ${crmToken}` });
    expect(allDevices.statusCode).toBe(401);
    expect((await t.get('/api/auth/me', { authorization: `Bearer ${access}` })).statusCode).toBe(200);

    for (const projectId of ['crm', w.crm.id]) {
      const reverse = await t.post('/api/auth/validate-token', { token: access, projectId });
      expect(reverse.statusCode).toBe(401);
      expect(reverse.json()).toMatchObject({ data: { valid: false }, error: { code: 'TOKEN_INVALID' } });
    }
  });

  it('refuses a project token presented for another project', async () => {
    const erpToken = await projectToken(t, access, 'erp');
    for (const [token, projectId] of [
      [crmToken, 'erp'],
      [crmToken, w.erp.id],
      [crmToken, 'hr'],
      [erpToken, 'crm'],
      [erpToken, w.crm.id],
    ] as const) {
      const response = await t.post('/api/auth/validate-token', { token, projectId });
      expect(response.statusCode, String(projectId)).toBe(401);
      expect(response.json().data).toEqual({ valid: false });
    }
    expect((await t.post('/api/auth/validate-token', { token: erpToken, projectId: 'erp' })).statusCode).toBe(200);
    expect((await t.get('/api/auth/me', { authorization: `Bearer ${erpToken}` })).statusCode).toBe(401);
  });

  it('refuses garbage and empty or malformed Bearer headers', async () => {
    const { h, p, s } = split(access);
    const garbage = [
      'garbage',
      'a.b.c',
      '..',
      `${h}.${p}`,
      `${h}.${p}.${s}.`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s.slice(0, -1)}`,
      `${h}.${p}.${s}A`,
      `${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`,
      `${h}.${p}.${b64(randomBytes(64))}`,
      `${b64(randomBytes(24))}.${b64(randomBytes(48))}.${b64(randomBytes(64))}`,
      `${b64('not json')}.${p}.${s}`,
      `${h}.${b64('[1,2]')}.${s}`,
      `${h}.${p}.${s}`.toUpperCase(),
      `${h}.${p}.${s}`.replace(/-/g, '+').replace(/_/g, '/'),
    ];
    for (const token of garbage.filter((g) => g !== access)) await expectRefused(token, `garbage ${token.slice(0, 40)}`);

    for (const authorization of [
      'Bearer ',
      'Bearer',
      'Bearer    ',
      `Basic ${access}`,
      `Bearer ${access} extra`,
      `Token ${access}`,
      access,
    ]) {
      const viaMe = await t.get('/api/auth/me', { authorization });
      expect(viaMe.statusCode, `/me with "${authorization.slice(0, 20)}"`).toBe(401);
      const viaValidate = await t.post('/api/auth/validate-token', undefined, { authorization });
      expect(viaValidate.statusCode, `validate with "${authorization.slice(0, 20)}"`).toBe(401);
      expect(viaValidate.json().data).toEqual({ valid: false });
    }
    const noHeader = await t.post('/api/auth/validate-token', {});
    expect(noHeader.statusCode).toBe(401);
    expect((await t.get('/api/auth/me')).statusCode).toBe(401);
  });
});
