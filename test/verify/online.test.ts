import { createVerifier, isVerifyError } from '@xtown/verify';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { outcome, startService, type Service } from './service.js';

const VALIDATE = '/api/auth/validate-token';

describe('@xtown/verify: online mode and the code exchange against the real service', () => {
  let s: Service;
  beforeEach(async () => {
    s = await startService();
  });
  afterEach(async () => {
    await s.close();
  });

  it('online mode asks validate-token, reuses the answer for a few seconds, and refuses once the user is suspended', async () => {
    const verifier = s.verifier({ mode: 'online', clientSecret: undefined, onlineCacheMs: 5_000 });
    const { token } = await s.open('crm');
    expect(await verifier.verify(token)).toMatchObject({ id: s.janeId, email: 'jane@acme.test', project: { customProjectId: 'crm' } });
    expect(await outcome(verifier, token)).toBe('accepted');
    expect(s.calls(VALIDATE)).toBe(1);
    expect(s.calls('/.well-known/jwks.json')).toBe(0);
    expect(verifier.health().mode).toBe('online');

    const suspended = await s.t.post(`/api/users/${s.janeId}/suspend`, { reason: 'Left the company' }, bearer(s.root.accessToken));
    expect(suspended.statusCode).toBe(200);
    s.t.clock.advance(5_001);
    expect(await outcome(verifier, token)).toBe('TOKEN_INVALID');
    expect(s.calls(VALIDATE)).toBe(2);
  });

  it("online mode never serves a reused answer past the token's expiry", async () => {
    const verifier = s.verifier({ mode: 'online', onlineCacheMs: 60_000 });
    const { token } = await s.open('crm');
    const { exp } = decodeJwt(token);
    s.t.clock.set(new Date(exp! * 1000 - 1_000));
    expect(await outcome(verifier, token)).toBe('accepted');
    s.t.clock.set(new Date(exp! * 1000 + 5_001)); // still within onlineCacheMs of the answer
    expect(await outcome(verifier, token)).toBe('TOKEN_EXPIRED');
    expect(s.calls(VALIDATE)).toBe(1);
  });

  it("online mode refuses an access token and another project's token, as the service does", async () => {
    const verifier = s.verifier({ mode: 'online' });
    expect(await outcome(verifier, s.jane.accessToken)).toBe('TOKEN_INVALID');
    expect(await outcome(verifier, (await s.open('erp')).token)).toBe('TOKEN_INVALID');
  });

  it('asks once for many concurrent calls with one token', async () => {
    const verifier = s.verifier({ mode: 'online' });
    const { token } = await s.open('crm');
    const users = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
    expect(new Set(users.map((u) => u.jti)).size).toBe(1);
    expect(s.calls(VALIDATE)).toBe(1);
  });

  it('exchanges a real ?xtown_code once for a project token that verifies', async () => {
    const verifier = s.verifier();
    const { code } = await s.open('crm');
    const exchanged = await verifier.exchangeCode(code);
    expect(exchanged).toMatchObject({
      expiresIn: 8 * 3600,
      user: { id: s.janeId, email: 'jane@acme.test' },
      project: { id: s.crm.id, customProjectId: 'crm', name: 'CRM' },
    });
    expect(await verifier.verify(exchanged.projectToken)).toMatchObject({ id: s.janeId, aud: 'crm' });

    const again = await verifier.exchangeCode(code).catch((error: unknown) => error);
    expect(isVerifyError(again) && again.code).toBe('TOKEN_INVALID');
  });

  it("refuses another project's code and a wrong secret with TOKEN_INVALID", async () => {
    const erpCode = (await s.open('erp')).code;
    const refused = await s
      .verifier()
      .exchangeCode(erpCode)
      .catch((error: unknown) => error);
    expect(isVerifyError(refused) && refused.code).toBe('TOKEN_INVALID');

    const { code } = await s.open('crm');
    const wrong = createVerifier({ issuer: s.url, project: 'crm', clientSecret: 'not-the-secret-0123456789', events: false });
    const denied = await wrong.exchangeCode(code).catch((error: unknown) => error);
    wrong.close();
    expect(isVerifyError(denied) && denied.code).toBe('TOKEN_INVALID');
    // The code was not spent by the refused attempt.
    expect((await s.verifier().exchangeCode(code)).project.customProjectId).toBe('crm');
  });
});
