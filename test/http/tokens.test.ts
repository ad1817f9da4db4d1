import { describe, expect, it } from 'vitest';
import { bearer, seedUser, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import {
  DAY,
  fromDashboard,
  HOUR,
  me,
  openRawDb,
  projectToken,
  refresh,
  refreshCookie,
  seedWorld,
  signIn,
  validate,
  type World,
} from './tokens-fixture.js';

const ACCESS_TTL_SEC = 8 * 3600;

describe(`sessions and tokens over HTTP (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(seedWorld, (world) => ({ t, w } = world));

  describe('POST /refresh-token', () => {
    it('rotates: a new refresh token, a new access token, expiresIn, the cookie; the old refresh token is refused', async () => {
      const session = await signIn(t, w.email);
      const response = await refresh(t, session.refreshToken);
      expect(response.statusCode).toBe(200);
      const data = response.json().data;
      expect(Object.keys(data).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken']);
      expect(data.expiresIn).toBe(ACCESS_TTL_SEC);
      expect(data.refreshToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(data.refreshToken).not.toBe(session.refreshToken);
      expect(data.accessToken).not.toBe(session.accessToken);
      expect(refreshCookie(response)).toBe(data.refreshToken);
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toContain('Path=/api/auth');

      const fresh = await me(t, data.accessToken);
      expect(fresh.statusCode).toBe(200);
      expect(fresh.json().data.id).toBe(w.userId);
      const again = await refresh(t, session.refreshToken);
      expect(again.statusCode).toBe(401);
      expect(again.json().success).toBe(false);
    });

    it('reads the body first, then the xtown_refresh cookie', async () => {
      const session = await signIn(t, w.email);
      const viaCookie = await t.request({
        method: 'POST',
        url: '/api/auth/refresh-token',
        headers: fromDashboard(t, session.refreshToken),
      });
      expect(viaCookie.statusCode).toBe(200);
      const second = viaCookie.json().data.refreshToken as string;
      expect(refreshCookie(viaCookie)).toBe(second);

      // A valid body wins over a garbage cookie...
      const bodyWins = await t.request({
        method: 'POST',
        url: '/api/auth/refresh-token',
        payload: { refreshToken: second },
        headers: { cookie: 'xtown_refresh=garbage' },
      });
      expect(bodyWins.statusCode).toBe(200);
      const third = bodyWins.json().data.refreshToken as string;

      // ...and a bad body is not rescued by a valid cookie, which stays unused.
      const bodyFirst = await t.request({
        method: 'POST',
        url: '/api/auth/refresh-token',
        payload: { refreshToken: 'f0f0f0f0-0000-4000-8000-000000000000' },
        headers: fromDashboard(t, third),
      });
      expect(bodyFirst.statusCode).toBe(401);
      const cookieStillGood = await t.request({
        method: 'POST',
        url: '/api/auth/refresh-token',
        headers: fromDashboard(t, third),
      });
      expect(cookieStillGood.statusCode).toBe(200);

      const neither = await t.request({ method: 'POST', url: '/api/auth/refresh-token' });
      expect(neither.statusCode).toBe(401);
    });

    it('answers a rotated token presented again with 401 and kills that whole session, not the others', async () => {
      const a = await signIn(t, w.email);
      const b = await signIn(t, w.email);
      const first = (await refresh(t, a.refreshToken)).json().data;
      const second = (await refresh(t, first.refreshToken)).json().data;
      expect((await me(t, second.accessToken)).statusCode).toBe(200);

      const reuse = await refresh(t, a.refreshToken);
      expect(reuse.statusCode).toBe(401);
      expect(reuse.json().error.code).toBe('TOKEN_INVALID');

      // The newest refresh token and every access token of the chain are dead at once.
      expect((await refresh(t, second.refreshToken)).statusCode).toBe(401);
      for (const token of [a.accessToken, first.accessToken, second.accessToken]) {
        expect((await me(t, token)).statusCode).toBe(401);
        expect((await validate(t, token)).statusCode).toBe(401);
      }
      // The user's other session lives on.
      expect((await me(t, b.accessToken)).statusCode).toBe(200);
      expect((await validate(t, b.accessToken)).statusCode).toBe(200);
      expect((await refresh(t, b.refreshToken)).statusCode).toBe(200);

      const db = await openRawDb(t);
      try {
        const audit = await db.db
          .selectFrom('audit_logs')
          .select(['action', 'success'])
          .where('action', '=', 'REFRESH_TOKEN_REUSE')
          .execute();
        expect(audit.length).toBeGreaterThanOrEqual(1);
      } finally {
        await db.destroy();
      }
    });

    it('ends the refresh session at its absolute expiry, however recently it was rotated', async () => {
      const session = await signIn(t, w.email);
      t.clock.advance(6 * DAY);
      const rotated = await refresh(t, session.refreshToken);
      expect(rotated.statusCode).toBe(200);
      t.clock.advance(DAY - HOUR);
      const late = await refresh(t, rotated.json().data.refreshToken);
      expect(late.statusCode).toBe(200);
      const newest = late.json().data.refreshToken as string;

      t.clock.advance(HOUR + 1000); // 7 days and a second after sign-in
      const expired = await refresh(t, newest);
      expect(expired.statusCode).toBe(401);
      expect(['TOKEN_EXPIRED', 'TOKEN_INVALID']).toContain(expired.json().error.code);
    });

    it('lets at most one of several concurrent refreshes with one token succeed', async () => {
      const session = await signIn(t, w.email);
      const answers = await Promise.all(Array.from({ length: 6 }, () => refresh(t, session.refreshToken)));
      const statuses = answers.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(5);
      // Exactly one rotation was recorded for the presented token.
      const db = await openRawDb(t);
      try {
        const rows = await db.db.selectFrom('refresh_tokens').select(['id', 'rotatedAt']).where('userId', '=', w.userId).execute();
        expect(rows.filter((r) => r.rotatedAt !== null)).toHaveLength(1);
        expect(rows.length).toBeLessThanOrEqual(2);
      } finally {
        await db.destroy();
      }
    });
    it('sets the cookie to live only as long as the session has left: rotation does not extend it', async () => {
      const session = await signIn(t, w.email);
      t.clock.advance(DAY);
      const response = await refresh(t, session.refreshToken);
      expect(response.statusCode).toBe(200);
      expect(String(response.headers['set-cookie'])).toContain(`Max-Age=${6 * 24 * 3600}`);
    });
  });

  describe('POST /logout', () => {
    it('with the refresh token in the body revokes that session at once; the others keep working', async () => {
      const a = await signIn(t, w.email);
      const b = await signIn(t, w.email);
      expect((await me(t, a.accessToken)).statusCode).toBe(200); // warms the revocation cache
      const response = await t.post('/api/auth/logout', { refreshToken: a.refreshToken });
      expect(response.statusCode).toBe(200);
      expect(response.json().success).toBe(true);
      expect(String(response.headers['set-cookie'])).toMatch(/xtown_refresh=;/);

      expect((await me(t, a.accessToken)).statusCode).toBe(401);
      const validated = await validate(t, a.accessToken);
      expect(validated.statusCode).toBe(401);
      expect(validated.json().data).toEqual({ valid: false });
      expect((await refresh(t, a.refreshToken)).statusCode).toBe(401);
      expect((await me(t, b.accessToken)).statusCode).toBe(200);
      expect((await validate(t, b.accessToken)).statusCode).toBe(200);
    });

    it('with the refresh token in the cookie revokes that session', async () => {
      const a = await signIn(t, w.email);
      const b = await signIn(t, w.email);
      expect((await validate(t, a.accessToken)).statusCode).toBe(200);
      const response = await t.request({ method: 'POST', url: '/api/auth/logout', headers: fromDashboard(t, a.refreshToken) });
      expect(response.statusCode).toBe(200);
      expect((await me(t, a.accessToken)).statusCode).toBe(401);
      expect((await validate(t, a.accessToken)).statusCode).toBe(401);
      expect((await me(t, b.accessToken)).statusCode).toBe(200);
    });

    it('with allDevices and the access token revokes every session of the user, and only of that user', async () => {
      const sessions = [await signIn(t, w.email), await signIn(t, w.email), await signIn(t, w.email)];
      const bystanderId = await seedUser(t, { email: 'bob@acme.test' });
      const bystander = await signIn(t, 'bob@acme.test');
      for (const s of sessions) expect((await me(t, s.accessToken)).statusCode).toBe(200);

      const response = await t.post('/api/auth/logout', { allDevices: true }, bearer(sessions[0]!.accessToken));
      expect(response.statusCode).toBe(200);
      for (const s of sessions) {
        expect((await me(t, s.accessToken)).statusCode).toBe(401);
        expect((await validate(t, s.accessToken)).statusCode).toBe(401);
        expect((await refresh(t, s.refreshToken)).statusCode).toBe(401);
      }
      expect((await me(t, bystander.accessToken)).json().data.id).toBe(bystanderId);
    });

    it('leaves nothing alive when a logout races a refresh of the same session, and never answers 500', async () => {
      for (let round = 0; round < 25; round += 1) {
        const session = await signIn(t, w.email);
        const [out, rotated] = await Promise.all([
          t.post('/api/auth/logout', { refreshToken: session.refreshToken }),
          refresh(t, session.refreshToken),
        ]);
        expect(out.statusCode, out.body).toBe(200);
        expect([200, 401], rotated.body).toContain(rotated.statusCode);
        if (rotated.statusCode !== 200) continue;
        // The refresh may have won the race, but what it returned belongs to a session that is now over.
        const next = rotated.json().data;
        expect((await me(t, next.accessToken)).statusCode).toBe(401);
        expect((await refresh(t, next.refreshToken)).statusCode).toBe(401);
      }
    });

    it('refuses allDevices without an access token with 401 and revokes nothing', async () => {
      const a = await signIn(t, w.email);
      const response = await t.post('/api/auth/logout', { refreshToken: a.refreshToken, allDevices: true });
      expect(response.statusCode).toBe(401);
      expect(response.json().success).toBe(false);
      expect((await me(t, a.accessToken)).statusCode).toBe(200);
      expect((await refresh(t, a.refreshToken)).statusCode).toBe(200);
    });

    it('answers 200 for an unknown refresh token and touches no session', async () => {
      const a = await signIn(t, w.email);
      const response = await t.post('/api/auth/logout', { refreshToken: '6f1c2a3b-0000-4000-8000-000000000000' });
      expect(response.statusCode).toBe(200);
      expect(response.json().success).toBe(true);
      expect((await me(t, a.accessToken)).statusCode).toBe(200);
    });
  });

  describe('POST /validate-token', () => {
    it('accepts an access token in the body and as Bearer, with the token user, no project and expiresAt', async () => {
      const session = await signIn(t, w.email);
      const expectedExpiry = new Date(Math.floor(t.clock.now().getTime() / 1000) * 1000 + ACCESS_TTL_SEC * 1000).toISOString();
      for (const response of [
        await validate(t, session.accessToken),
        await t.post('/api/auth/validate-token', undefined, bearer(session.accessToken)),
      ]) {
        expect(response.statusCode).toBe(200);
        const data = response.json().data;
        expect(data).toMatchObject({ valid: true, tokenType: 'ACCESS', project: null, expiresAt: expectedExpiry });
        expect(data.user).toMatchObject({
          id: w.userId,
          email: w.email,
          name: 'jane',
          role: 'ADMIN',
          customRole: null,
          companyName: 'Acme',
          companyAddress: null,
          companyPhone: null,
          isActive: true,
          isSuspended: false,
        });
        expect(new Date(data.user.createdAt).toISOString()).toBe(data.user.createdAt);
        expect(data.user.projects.map((p: { customProjectId: string }) => p.customProjectId).sort()).toEqual(['crm', 'erp']);
        expect(data.user.projects[0]).toEqual(
          expect.objectContaining({ id: expect.any(Number), name: expect.any(String), projectUrl: expect.any(String), isActive: true }),
        );
        expect(data.user).not.toHaveProperty('password');
      }
    });

    it('answers an expired token with 401 TOKEN_EXPIRED and { valid: false }', async () => {
      const session = await signIn(t, w.email);
      t.clock.advance(8 * HOUR - 1000);
      expect((await validate(t, session.accessToken)).statusCode).toBe(200);
      t.clock.advance(2000);
      const response = await validate(t, session.accessToken);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ success: false, data: { valid: false }, error: { code: 'TOKEN_EXPIRED' } });
      const viaMe = await me(t, session.accessToken);
      expect(viaMe.statusCode).toBe(401);
      expect(viaMe.json().error.code).toBe('TOKEN_EXPIRED');
    });

    it('does not accept an access token for a project', async () => {
      const session = await signIn(t, w.email);
      for (const ref of [w.crm.id, String(w.crm.id), 'crm']) {
        const response = await validate(t, session.accessToken, ref);
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({ data: { valid: false }, error: { code: 'TOKEN_INVALID' } });
      }
    });

    it('accepts a project token only with its projectId, by id or customProjectId, with that project alone in user.projects', async () => {
      const session = await signIn(t, w.email);
      const token = await projectToken(t, session.accessToken, w.crm.id);

      const missing = await validate(t, token);
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.code).toBe('VALIDATION_ERROR');

      for (const ref of [w.crm.id, String(w.crm.id), 'crm']) {
        const response = await validate(t, token, ref);
        expect(response.statusCode, String(ref)).toBe(200);
        const data = response.json().data;
        expect(data.valid).toBe(true);
        expect(data.tokenType).toBe('PROJECT_ACCESS');
        expect(data.project).toEqual({ id: w.crm.id, customProjectId: 'crm', name: 'CRM', projectUrl: 'https://crm.acme.test/app' });
        expect(data.user).toMatchObject({ id: w.userId, email: w.email, role: 'ADMIN' });
        expect(data.user.projects).toHaveLength(1);
        expect(data.user.projects[0]).toMatchObject({ id: w.crm.id, customProjectId: 'crm' });
      }
      const viaBearer = await t.post('/api/auth/validate-token', { projectId: 'crm' }, bearer(token));
      expect(viaBearer.statusCode).toBe(200);

      for (const ref of [w.erp.id, 'erp', w.hr.id, 'hr', 'nope']) {
        const response = await validate(t, token, ref);
        expect(response.statusCode, String(ref)).toBe(401);
        expect(response.json().data).toEqual({ valid: false });
      }
    });
  });

  describe('GET /me', () => {
    it('is read fresh from the database and never shows a password hash', async () => {
      const session = await signIn(t, w.email);
      const before = await me(t, session.accessToken);
      expect(before.json().data.name).toBe('jane');

      const db = await openRawDb(t);
      let hash: string;
      try {
        await db.db.updateTable('users').set({ name: 'Jane Renamed' }).where('id', '=', w.userId).execute();
        hash = (await db.db.selectFrom('users').select('password').where('id', '=', w.userId).executeTakeFirstOrThrow()).password!;
      } finally {
        await db.destroy();
      }
      t.container.authState.invalidateUser(w.userId);

      const after = await me(t, session.accessToken);
      expect(after.statusCode).toBe(200);
      const data = after.json().data;
      expect(data).toMatchObject({ id: w.userId, name: 'Jane Renamed', email: w.email, role: 'ADMIN', isActive: true, isSuspended: false });
      expect(data.projects.map((p: { customProjectId: string }) => p.customProjectId).sort()).toEqual(['crm', 'erp']);
      expect(hash).toMatch(/^\$argon2/);
      expect(after.body).not.toContain(hash);
      expect(after.body).not.toContain('$argon2');
      for (const key of ['password', 'passwordHash', 'failedLoginCount', 'lockedUntil', 'superAdminSlot'])
        expect(data).not.toHaveProperty(key);
    });
  });
});
