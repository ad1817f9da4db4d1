import { describe, expect, it } from 'vitest';
import { bearer, login, otpFor, seedUser, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { me, openRawDb, projectToken, refresh, refreshCookie, seedWorld, signIn, validate, type World } from './tokens-fixture.js';

const NEW_PASSWORD = 'Brand-New-Passw0rd';

interface Issued {
  accessTokens: string[];
  refreshTokens: string[];
  projectTokens: Array<[token: string, projectId: string]>;
}

describe(`revocation reaches every route at once (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(seedWorld, (world) => ({ t, w } = world));

  /** Two sessions (one rotated once) and project tokens from both, each proven to work, which also warms every cache. */
  async function issueTokens(): Promise<Issued> {
    const a = await signIn(t, w.email);
    const rotated = (await refresh(t, a.refreshToken)).json().data as { accessToken: string; refreshToken: string };
    const b = await signIn(t, w.email);
    const issued: Issued = {
      accessTokens: [a.accessToken, rotated.accessToken, b.accessToken],
      refreshTokens: [rotated.refreshToken, b.refreshToken],
      projectTokens: [
        [await projectToken(t, rotated.accessToken, 'crm'), 'crm'],
        [await projectToken(t, b.accessToken, 'erp'), 'erp'],
      ],
    };
    for (const token of issued.accessTokens) {
      expect((await validate(t, token)).statusCode).toBe(200);
      expect((await me(t, token)).statusCode).toBe(200);
    }
    for (const [token, projectId] of issued.projectTokens) expect((await validate(t, token, projectId)).statusCode).toBe(200);
    return issued;
  }

  /**
   * Every earlier token refused by every route that takes it. `password` is the password that is
   * right at that moment, so a change-password that wrongly let an old token through would succeed.
   */
  /** `refusal`: how a refresh of the revoked session is answered (API.md's refresh-token row). */
  async function expectAllRefused(issued: Issued, password: string, refusal = { status: 401, code: 'TOKEN_INVALID' }) {
    for (const token of issued.accessTokens) {
      const validated = await validate(t, token);
      expect(validated.statusCode, 'validate-token').toBe(401);
      expect(validated.json().data).toEqual({ valid: false });
      expect((await me(t, token)).statusCode, '/me').toBe(401);
      const changed = await t.post(
        '/api/auth/change-password',
        { currentPassword: password, newPassword: 'Third-Passw0rd-Here' },
        bearer(token),
      );
      expect(changed.statusCode, `/change-password ${changed.body}`).toBe(401);
      expect((await t.post('/api/auth/project-token/crm', undefined, bearer(token))).statusCode, '/project-token').toBe(401);
      expect((await t.post('/api/auth/logout', { allDevices: true }, bearer(token))).statusCode, '/logout allDevices').toBe(401);
    }
    for (const [token, projectId] of issued.projectTokens) {
      const validated = await validate(t, token, projectId);
      expect(validated.statusCode, `project token for ${projectId}`).toBe(401);
      expect(validated.json().data).toEqual({ valid: false });
      expect((await me(t, token)).statusCode).toBe(401);
    }
    for (const token of issued.refreshTokens) {
      const refreshed = await refresh(t, token);
      expect(refreshed.statusCode, '/refresh-token').toBe(refusal.status);
      expect(refreshed.json().error.code).toBe(refusal.code);
      expect(refreshCookie(refreshed)).toBeUndefined();
    }
  }

  it('after reset-password refuses every earlier refresh, access and project token', async () => {
    const issued = await issueTokens();
    const mark = t.mailer.mark();
    expect((await t.post('/api/auth/forgot-password', { email: w.email })).statusCode).toBe(200);
    const otp = await otpFor(t, w.email, mark, /reset/i);
    const reset = await t.post('/api/auth/reset-password', { email: w.email, otp, newPassword: NEW_PASSWORD });
    expect(reset.statusCode).toBe(200);

    await expectAllRefused(issued, NEW_PASSWORD);
    expect((await t.post('/api/auth/login', { email: w.email, password: STRONG_PASSWORD })).statusCode).toBe(401);
    const fresh = await login(t, w.email, NEW_PASSWORD);
    expect((await me(t, fresh.accessToken)).statusCode).toBe(200);
    expect((await validate(t, await projectToken(t, fresh.accessToken, 'crm'), 'crm')).statusCode).toBe(200);
  });

  it('after change-password refuses the old tokens, and the fresh payload works everywhere', async () => {
    const issued = await issueTokens();
    const changed = await t.post(
      '/api/auth/change-password',
      { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
      bearer(issued.accessTokens[1]!),
    );
    expect(changed.statusCode).toBe(200);
    const payload = changed.json().data as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      refreshExpiresIn: number;
      user: { id: number };
    };
    expect(payload.user.id).toBe(w.userId);
    expect(payload.expiresIn).toBe(8 * 3600);
    expect(refreshCookie(changed)).toBe(payload.refreshToken);
    expect(issued.accessTokens).not.toContain(payload.accessToken);

    await expectAllRefused(issued, NEW_PASSWORD);

    expect((await me(t, payload.accessToken)).statusCode).toBe(200);
    expect((await validate(t, payload.accessToken)).json().data.valid).toBe(true);
    expect((await validate(t, await projectToken(t, payload.accessToken, 'erp'), 'erp')).statusCode).toBe(200);
    const rotated = await refresh(t, payload.refreshToken);
    expect(rotated.statusCode).toBe(200);
    expect((await me(t, rotated.json().data.accessToken)).statusCode).toBe(200);
    expect((await t.post('/api/auth/login', { email: w.email, password: STRONG_PASSWORD })).statusCode).toBe(401);
    expect((await t.post('/api/auth/login', { email: w.email, password: NEW_PASSWORD })).statusCode).toBe(200);
  });

  it('lets no refresh racing a change-password keep its session alive, and never answers 500', async () => {
    let password = STRONG_PASSWORD;
    for (let round = 0; round < 12; round += 1) {
      const session = await signIn(t, w.email, password);
      const next = `Round-${round}-Passw0rd`;
      const [changed, rotated] = await Promise.all([
        t.post('/api/auth/change-password', { currentPassword: password, newPassword: next }, bearer(session.accessToken)),
        refresh(t, session.refreshToken),
      ]);
      expect(changed.statusCode, changed.body).toBe(200);
      password = next;
      expect([200, 401], rotated.body).toContain(rotated.statusCode);
      if (rotated.statusCode !== 200) continue;
      const data = rotated.json().data;
      expect((await me(t, data.accessToken)).statusCode).toBe(401);
      expect((await refresh(t, data.refreshToken)).statusCode).toBe(401);
      expect((await me(t, changed.json().data.accessToken)).statusCode).toBe(200);
    }
  });

  it('refuses a wrong current password on change-password and revokes nothing', async () => {
    const issued = await issueTokens();
    const wrong = await t.post(
      '/api/auth/change-password',
      { currentPassword: 'Wrong-Passw0rd-1', newPassword: NEW_PASSWORD },
      bearer(issued.accessTokens[2]!),
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    for (const token of issued.accessTokens) expect((await me(t, token)).statusCode).toBe(200);
  });

  for (const change of ['suspended', 'deleted'] as const) {
    it(`refuses the tokens of a user ${change} in the database once authState.invalidateUser is called`, async () => {
      const issued = await issueTokens();
      const bystanderId = await seedUser(t, { email: 'bob@acme.test', projectIds: [w.crm.id] });
      const bystander = await signIn(t, 'bob@acme.test');

      const db = await openRawDb(t);
      try {
        if (change === 'suspended') {
          await db.db
            .updateTable('users')
            .set({ isSuspended: true, suspendedAt: t.clock.now(), suspensionReason: 'test', updatedAt: t.clock.now() })
            .where('id', '=', w.userId)
            .execute();
        } else {
          await db.db.deleteFrom('users').where('id', '=', w.userId).execute();
        }
      } finally {
        await db.destroy();
      }
      t.container.authState.invalidateUser(w.userId);

      await expectAllRefused(
        issued,
        STRONG_PASSWORD,
        change === 'suspended' ? { status: 403, code: 'ACCOUNT_SUSPENDED' } : { status: 401, code: 'TOKEN_INVALID' },
      );
      const bystanderMe = await me(t, bystander.accessToken);
      expect(bystanderMe.statusCode).toBe(200);
      expect(bystanderMe.json().data.id).toBe(bystanderId);
      expect((await validate(t, await projectToken(t, bystander.accessToken, 'crm'), 'crm')).statusCode).toBe(200);
    });
  }

  for (const change of ['deactivated', 'deleted', 'unassigned'] as const) {
    it(`refuses the project tokens of a project ${change} in the database once the cache is told, and nothing else`, async () => {
      const session = await signIn(t, w.email);
      const crmToken = await projectToken(t, session.accessToken, 'crm');
      const erpToken = await projectToken(t, session.accessToken, 'erp');
      expect((await validate(t, crmToken, 'crm')).statusCode).toBe(200);

      const db = await openRawDb(t);
      try {
        if (change === 'deactivated') await db.db.updateTable('projects').set({ isActive: false }).where('id', '=', w.crm.id).execute();
        if (change === 'deleted') await db.db.deleteFrom('projects').where('id', '=', w.crm.id).execute();
        if (change === 'unassigned')
          await db.db.deleteFrom('user_projects').where('userId', '=', w.userId).where('projectId', '=', w.crm.id).execute();
      } finally {
        await db.destroy();
      }
      if (change === 'unassigned') t.container.authState.invalidateUser(w.userId);
      else t.container.authState.invalidateProject(w.crm.id);

      for (const ref of ['crm', w.crm.id]) {
        const response = await validate(t, crmToken, ref);
        expect(response.statusCode).toBe(401);
        expect(response.json().data).toEqual({ valid: false });
      }
      const reopen = await t.post('/api/auth/project-token/crm', undefined, bearer(session.accessToken));
      expect(reopen.statusCode).toBe(change === 'deactivated' ? 403 : 404);
      expect((await validate(t, erpToken, 'erp')).statusCode).toBe(200);
      expect((await me(t, session.accessToken)).statusCode).toBe(200);
    });
  }
});
