import { until } from '../helpers/until.js';
import { createHmac } from 'node:crypto';
import { decodeProtectedHeader, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startService, type Service } from './service.js';

const JWKS = '/.well-known/jwks.json';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('@xtown/verify: offline verification of the real service tokens', () => {
  let s: Service;
  beforeEach(async () => {
    s = await startService();
  });
  afterEach(async () => {
    await s.close();
  });

  it('verifies a real project token over the JWKS alone, and answers later calls from memory', async () => {
    const verifier = s.verifier();
    // Current: connected to the events stream, which has replayed what was stored (a heartbeat follows the replay).
    await until('the stream to be current', () => verifier.health().current);
    const { token } = await s.open('crm');
    const user = await verifier.verify(token);
    expect(user).toMatchObject({
      id: s.janeId,
      sub: String(s.janeId),
      email: 'jane@acme.test',
      iss: s.url,
      aud: 'crm',
      tokenType: 'PROJECT_ACCESS',
      project: { id: s.crm.id, customProjectId: 'crm', name: 'CRM' },
    });
    expect(typeof user.sid).toBe('string');
    expect(Object.isFrozen(user)).toBe(true);
    for (let i = 0; i < 5; i++) expect(await verifier.verify(token)).toBe(user);
    expect(s.calls(JWKS)).toBe(1);
    expect(s.calls('/api/auth/validate-token')).toBe(0);
    expect(verifier.health()).toMatchObject({ mode: 'offline', connected: true, current: true });
  });

  it('refuses forgeries: another key under the real kid, alg none, HS256 over the public key, a tampered payload', async () => {
    const verifier = s.verifier();
    const { token } = await s.open('crm');
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const [, payload, signature] = token.split('.');

    const { privateKey } = await generateKeyPair(header.alg!);
    const resigned = await new SignJWT(claims).setProtectedHeader({ ...header, alg: header.alg! }).sign(privateKey);
    const none = `${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${payload}.`;
    const jwks = (await (await fetch(`${s.url}${JWKS}`)).json()) as { keys: object[] };
    const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${payload}`;
    const hs256 = `${hsInput}.${createHmac('sha256', JSON.stringify(jwks.keys[0])).update(hsInput).digest('base64url')}`;
    const tampered = `${token.split('.')[0]}.${b64({ ...claims, role: 'SUPER_ADMIN' })}.${signature}`;

    for (const [what, forged] of Object.entries({ resigned, none, hs256, tampered })) {
      expect(await outcome(verifier, forged), what).toBe('TOKEN_INVALID');
    }
    expect(await outcome(verifier, 'not.a.jwt')).toBe('TOKEN_INVALID');
    expect(await outcome(verifier, token)).toBe('accepted');
  });

  it('refetches the JWKS for an unknown kid at most once per 30 s', async () => {
    const verifier = s.verifier();
    const claims = decodeJwt((await s.open('crm')).token);
    const { privateKey } = await generateKeyPair('ES256');
    const forge = (kid: string) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    expect(await outcome(verifier, await forge('unknown-1'))).toBe('TOKEN_INVALID');
    expect(s.calls(JWKS)).toBe(2); // the first load, then the refetch for the unknown kid
    expect(await outcome(verifier, await forge('unknown-2'))).toBe('TOKEN_INVALID');
    expect(s.calls(JWKS)).toBe(2);
    s.t.clock.advance(30_001);
    expect(await outcome(verifier, await forge('unknown-3'))).toBe('TOKEN_INVALID');
    expect(s.calls(JWKS)).toBe(3);
  });

  it('refuses an expired token past the clock tolerance, cached or not', async () => {
    const verifier = s.verifier({ clockToleranceSec: 5 });
    const { token } = await s.open('crm');
    const { exp } = decodeJwt(token);
    expect(await outcome(verifier, token)).toBe('accepted');
    s.t.clock.set(new Date((exp! + 4) * 1000));
    expect(await outcome(verifier, token)).toBe('accepted'); // within the tolerance
    s.t.clock.set(new Date((exp! + 6) * 1000));
    expect(await outcome(verifier, token)).toBe('TOKEN_EXPIRED');
    expect(await outcome(s.verifier({ clockToleranceSec: 5 }), token)).toBe('TOKEN_EXPIRED');
  });

  it("refuses an access token (its aud is the service) and another project's token", async () => {
    const verifier = s.verifier();
    expect(await outcome(verifier, s.jane.accessToken)).toBe('TOKEN_INVALID');
    const erp = await s.open('erp');
    expect(await outcome(verifier, erp.token)).toBe('TOKEN_INVALID');
    expect(await outcome(s.verifier({ project: 'erp' }), erp.token)).toBe('accepted');
  });

  it("checks the token's project id when the numeric id is configured", async () => {
    const { token } = await s.open('crm');
    expect(await outcome(s.verifier({ project: { customProjectId: 'crm', id: s.erp.id } }), token)).toBe('TOKEN_INVALID');
    expect(await outcome(s.verifier({ project: { customProjectId: 'crm', id: s.crm.id } }), token)).toBe('accepted');
  });

  it('fails closed with SERVICE_UNAVAILABLE when the JWKS cannot be fetched', async () => {
    const { token } = await s.open('crm');
    const verifier = s.verifier({ issuer: 'http://127.0.0.1:9' });
    expect(await outcome(verifier, token)).toBe('SERVICE_UNAVAILABLE');
  });
});
