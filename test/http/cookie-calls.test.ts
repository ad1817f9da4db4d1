import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerSuperAdmin, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { DAY, fromDashboard, me, refresh, refreshCookie, seedWorld, signIn, type World } from './tokens-fixture.js';

/**
 * API.md's cookie paragraph, attacked as a page on another origin would: the refresh cookie rides on every
 * same-site request (a sibling subdomain, another port), so only an exact origin and a JSON body open it.
 */
describe(`calls that rely on the refresh cookie (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;

  beforeEach(async () => {
    t = await buildTestApp({
      env: { COOKIE_ORIGINS: 'https://console.acme.test', ALLOWED_ORIGINS: 'https://app.acme.test' },
    });
    w = await seedWorld(t);
  });
  afterEach(() => t.close());

  const cookieCall = (url: string, refreshToken: string, headers: Record<string, string | undefined>) => {
    const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<string, string>;
    return t.request({ method: 'POST', url, headers: { cookie: `xtown_refresh=${refreshToken}`, ...sent } });
  };

  /** The session still rotates normally, from the dashboard: the forged call neither used nor revoked it. */
  async function expectUntouched(refreshToken: string) {
    const rotated = await t.request({ method: 'POST', url: '/api/auth/refresh-token', headers: fromDashboard(t, refreshToken) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(t.logs.some((line) => line.event === 'refresh_token_reuse')).toBe(false);
  }

  const forgeries: Array<[string, Record<string, string | undefined>]> = [
    ['another site', { origin: 'http://evil.test', 'content-type': 'application/json' }],
    ['a sibling port', { origin: 'http://localhost:5001', 'content-type': 'application/json' }],
    ['a sibling subdomain', { origin: 'https://evil.acme.test', 'content-type': 'application/json' }],
    ['an ALLOWED_ORIGINS (CORS) origin', { origin: 'https://app.acme.test', 'content-type': 'application/json' }],
    ['a prefix of an allowed origin', { origin: 'https://console.acme.test.evil.test', 'content-type': 'application/json' }],
    ['no Origin', { 'content-type': 'application/json' }],
    ['Origin: null (a sandboxed frame, a redirect)', { origin: 'null', 'content-type': 'application/json' }],
    ['the right origin as a simple request (no content type)', { origin: 'OWN' }],
    ['the right origin as a simple request (text/plain)', { origin: 'OWN', 'content-type': 'text/plain' }],
    ['the right origin as a form post', { origin: 'OWN', 'content-type': 'application/x-www-form-urlencoded' }],
  ];

  for (const [what, headers] of forgeries) {
    it(`refuses a cookie refresh and a cookie logout from ${what}, and leaves the session untouched`, async () => {
      const session = await signIn(t, w.email);
      const own = { ...headers, origin: headers.origin === 'OWN' ? t.config.cookieOrigins[0] : headers.origin };
      for (const url of ['/api/auth/refresh-token', '/api/auth/logout']) {
        const forged = await cookieCall(url, session.refreshToken, own);
        // A body that is not JSON is refused before anything reads the cookie: 415, as every route answers it.
        const refusal = headers['content-type'] && !headers['content-type'].startsWith('application/json') ? 415 : 403;
        expect(forged.statusCode, `${url} ${forged.body}`).toBe(refusal);
        expect(forged.json().error.code).toBe(refusal === 403 ? 'FORBIDDEN' : 'UNSUPPORTED_MEDIA_TYPE');
        expect(forged.headers['set-cookie'], 'the browser keeps its cookie').toBeUndefined();
      }
      expect((await me(t, session.accessToken)).statusCode).toBe(200);
      await expectUntouched(session.refreshToken);
    });
  }

  it('opens the cookie to PUBLIC_URL’s origin and to each of COOKIE_ORIGINS, with JSON', async () => {
    expect(t.config.cookieOrigins).toContain('https://console.acme.test');
    for (const origin of t.config.cookieOrigins) {
      const session = await signIn(t, w.email);
      const headers = { origin, 'content-type': 'application/json; charset=utf-8' };
      const rotated = await cookieCall('/api/auth/refresh-token', session.refreshToken, headers);
      expect(rotated.statusCode, `${origin}: ${rotated.body}`).toBe(200);
      const next = refreshCookie(rotated);
      expect(next).toBe(rotated.json().data.refreshToken);
      const out = await cookieCall('/api/auth/logout', next!, headers);
      expect(out.statusCode).toBe(200);
      expect(String(out.headers['set-cookie'])).toMatch(/xtown_refresh=;/);
      expect((await refresh(t, next!)).json().error.details).toEqual({ reason: 'LOGGED_OUT' });
    }
  });

  it('needs no Origin when the refresh token is in the body: nothing ambient is relied on', async () => {
    const session = await signIn(t, w.email);
    const rotated = await t.request({
      method: 'POST',
      url: '/api/auth/refresh-token',
      payload: { refreshToken: session.refreshToken },
      headers: { origin: 'http://evil.test', cookie: 'xtown_refresh=whatever' },
    });
    expect(rotated.statusCode).toBe(200);
    const out = await t.post('/api/auth/logout', { refreshToken: rotated.json().data.refreshToken }, { origin: 'http://evil.test' });
    expect(out.statusCode).toBe(200);
  });

  it('answers a refresh without any token 401 UNAUTHENTICATED, from anywhere', async () => {
    const response = await t.request({ method: 'POST', url: '/api/auth/refresh-token', headers: { origin: 'http://evil.test' } });
    expect([response.statusCode, response.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});

/** API.md's refresh-token row: a refused refresh says why, so that a client can tell its user. */
describe(`why a refresh is refused (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;

  beforeEach(async () => {
    t = await buildTestApp();
    w = await seedWorld(t);
  });
  afterEach(() => t.close());

  const reasonOf = async (refreshToken: string) => {
    const response = await refresh(t, refreshToken);
    expect(response.statusCode, response.body).toBe(401);
    expect(response.json().error.code).toBe('TOKEN_INVALID');
    return response.json().error.details.reason as string;
  };

  it('LOGGED_OUT after a logout and after a logout of every device', async () => {
    const one = await signIn(t, w.email);
    await t.post('/api/auth/logout', { refreshToken: one.refreshToken });
    expect(await reasonOf(one.refreshToken)).toBe('LOGGED_OUT');

    const [a, b] = [await signIn(t, w.email), await signIn(t, w.email)];
    expect((await t.post('/api/auth/logout', { allDevices: true }, bearer(a.accessToken))).statusCode).toBe(200);
    expect(await reasonOf(b.refreshToken)).toBe('LOGGED_OUT');
  });

  it('PASSWORD_CHANGED for the other sessions after a password change', async () => {
    const [changer, other] = [await signIn(t, w.email), await signIn(t, w.email)];
    const changed = await t.post(
      '/api/auth/change-password',
      { currentPassword: STRONG_PASSWORD, newPassword: 'An0ther-Long-Passphrase' },
      bearer(changer.accessToken),
    );
    expect(changed.statusCode).toBe(200);
    expect(await reasonOf(other.refreshToken)).toBe('PASSWORD_CHANGED');
  });

  it('REUSE_DETECTED for a rotated token presented again, then for every token of that session', async () => {
    const session = await signIn(t, w.email);
    const successor = (await refresh(t, session.refreshToken)).json().data.refreshToken as string;
    expect(await reasonOf(session.refreshToken)).toBe('REUSE_DETECTED');
    expect(await reasonOf(successor)).toBe('REUSE_DETECTED');
    expect(await reasonOf(session.refreshToken)).toBe('REUSE_DETECTED');
  });

  it('EXPIRED after the session’s absolute expiry, UNKNOWN for a token that never existed', async () => {
    const session = await signIn(t, w.email);
    t.clock.advance(7 * DAY + 1000);
    expect(await reasonOf(session.refreshToken)).toBe('EXPIRED');
    expect(await reasonOf('6f1c1b7e-3d0a-4c55-9b7e-2f4f1d9e8a11')).toBe('UNKNOWN');
  });

  it('403 ACCOUNT_SUSPENDED for a session a suspension ended, even once the suspension is lifted', async () => {
    const root = await registerSuperAdmin(t);
    const session = await signIn(t, w.email);
    const suspend = await t.post(`/api/users/${w.userId}/suspend`, { reason: 'audit' }, bearer(root.accessToken));
    expect(suspend.statusCode, suspend.body).toBe(200);
    const refused = await refresh(t, session.refreshToken);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'ACCOUNT_SUSPENDED']);
    expect((await t.post(`/api/users/${w.userId}/unsuspend`, undefined, bearer(root.accessToken))).statusCode).toBe(200);
    const still = await refresh(t, session.refreshToken);
    expect([still.statusCode, still.json().error.code]).toEqual([403, 'ACCOUNT_SUSPENDED']);
    expect((await signIn(t, w.email)).accessToken).toBeTruthy();
  });
});
