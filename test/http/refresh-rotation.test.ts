import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, registerSuperAdmin, seedProject, seedUser, type TestApp } from '../helpers/app.js';
import { databaseServer, TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { startPgStatementCounter, type PgStatementCounter } from '../helpers/pg-statements.js';
import { DAY, me, openRawDb, refresh, seedWorld, signIn, type World } from './tokens-fixture.js';

/** What a rotation left in the database for one user. */
async function footprint(t: TestApp, userId: number) {
  const db = await openRawDb(t);
  try {
    const tokens = await db.db.selectFrom('refresh_tokens').select(['rotatedAt', 'expiresAt']).where('userId', '=', userId).execute();
    const audit = await db.db
      .selectFrom('audit_logs')
      .select(['action', 'userId', 'ipAddress'])
      .where('action', 'in', ['TOKEN_REFRESH', 'REFRESH_TOKEN_REUSE'])
      .execute();
    return {
      tokens,
      rotated: tokens.filter((r) => r.rotatedAt !== null).length,
      refreshes: audit.filter((a) => a.action === 'TOKEN_REFRESH'),
      reuses: audit.filter((a) => a.action === 'REFRESH_TOKEN_REUSE'),
    };
  } finally {
    await db.destroy();
  }
}

describe(`refresh-token rotation is one atomic step (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: World;
  useTestWorld(seedWorld, (world) => ({ t, w } = world));

  it("gives the new access token the projects the login gave, by each role's rules", async () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).projects;
    const off = await seedProject(t, { customProjectId: 'off', isActive: false });
    await seedUser(t, { email: 'adm@acme.test', role: 'ADMIN', projectIds: [w.crm.id, off.id] });
    await seedUser(t, { email: 'sub@acme.test', role: 'SUB_USER', projectIds: [w.erp.id, off.id] });
    await registerSuperAdmin(t, 'root@acme.test');
    const expected = { adm: ['crm', 'off'], sub: ['erp'], root: ['crm', 'erp', 'hr'] };
    for (const [who, ids] of Object.entries(expected)) {
      const session = await signIn(t, `${who}@acme.test`);
      const rotated = await refresh(t, session.refreshToken);
      expect(rotated.statusCode, who).toBe(200);
      const projects = claims(rotated.json().data.accessToken);
      expect(projects, who).toEqual(claims(session.accessToken));
      expect(
        projects.map((p: { customProjectId: string }) => p.customProjectId),
        who,
      ).toEqual(ids);
    }
  });

  it('lets exactly one of 8 parallel uses of one refresh token through, and the session dies', async () => {
    const session = await signIn(t, w.email);
    const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(t, session.refreshToken)));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);

    // The winner's tokens belong to a session that reuse detection has killed.
    const winner = answers.find((r) => r.statusCode === 200)!.json().data;
    expect((await refresh(t, winner.refreshToken)).statusCode).toBe(401);
    expect((await me(t, winner.accessToken)).statusCode).toBe(401);

    const after = await footprint(t, w.userId);
    expect(after.rotated).toBe(1);
    expect(after.tokens).toHaveLength(2);
    expect(after.refreshes).toHaveLength(1);
    expect(after.reuses.length).toBeGreaterThanOrEqual(1);
  });

  it('writes the TOKEN_REFRESH row with the rotation, and nothing at all for a refused one', async () => {
    const session = await signIn(t, w.email);
    const rotated = await t.request({
      method: 'POST',
      url: '/api/auth/refresh-token',
      payload: { refreshToken: session.refreshToken },
      headers: { 'user-agent': 'rotation-test' },
    });
    expect(rotated.statusCode).toBe(200);
    const first = await footprint(t, w.userId);
    expect(first.refreshes).toEqual([{ action: 'TOKEN_REFRESH', userId: w.userId, ipAddress: '127.0.0.1' }]);
    // The successor keeps the session's absolute expiry.
    expect(new Set(first.tokens.map((r) => new Date(r.expiresAt).getTime())).size).toBe(1);

    const db = await openRawDb(t);
    try {
      await db.db.updateTable('users').set({ isSuspended: true }).where('id', '=', w.userId).execute();
    } finally {
      await db.destroy();
    }
    const refused = await refresh(t, rotated.json().data.refreshToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('ACCOUNT_SUSPENDED');
    const second = await footprint(t, w.userId);
    expect(second.tokens).toHaveLength(2);
    expect(second.rotated).toBe(1);
    expect(second.refreshes).toHaveLength(1);
    expect(second.reuses).toHaveLength(0);
  });

  it('answers TOKEN_INVALID with the reason EXPIRED after the absolute expiry, and rotates nothing', async () => {
    const session = await signIn(t, w.email);
    t.clock.advance(7 * DAY + 1000);
    const expired = await refresh(t, session.refreshToken);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error).toEqual({ code: 'TOKEN_INVALID', details: { reason: 'EXPIRED' } });
    expect((await footprint(t, w.userId)).rotated).toBe(0);
  });

  it('rotates a token stored under JWT_SECRET_PREVIOUS (both hashes are looked up)', async () => {
    const session = await signIn(t, w.email);
    const next = await buildTestApp({
      joinDatabase: t.sharedDatabaseUrl,
      env: { JWT_SECRET: 'a-brand-new-secret-that-is-long-enough-42', JWT_SECRET_PREVIOUS: t.config.jwtSecret },
    });
    try {
      const rotated = await refresh(next, session.refreshToken);
      expect(rotated.statusCode, rotated.body).toBe(200);
      expect((await refresh(next, rotated.json().data.refreshToken)).statusCode).toBe(200);
    } finally {
      await next.close();
    }
  });
});

describe.runIf(TEST_DIALECT === 'postgres')('refresh-token rotation on the wire (postgres)', () => {
  let t: TestApp;
  let counter: PgStatementCounter;
  beforeEach(async () => {
    counter = await startPgStatementCounter(databaseServer('postgres'));
    t = await buildTestApp({
      databaseUrl: (url) => {
        const viaCounter = new URL(url);
        viaCounter.hostname = '127.0.0.1';
        viaCounter.port = String(counter.port);
        return viaCounter.toString();
      },
    });
  });
  afterEach(async () => {
    await t.close();
    await counter.close();
  });

  it('sends at most 3 statements per rotation (the benchmark target), BEGIN and COMMIT included', async () => {
    const w = await seedWorld(t);
    let token = (await signIn(t, w.email)).refreshToken;
    // Nothing else may talk to the database while counting: the outbox worker and the revocation poller.
    await t.container.worker.stop();
    await t.container.revocation.stop();
    counter.reset();
    const rotations = 5;
    for (let i = 0; i < rotations; i += 1) {
      const response = await refresh(t, token);
      expect(response.statusCode).toBe(200);
      token = response.json().data.refreshToken;
    }
    expect(counter.count() / rotations).toBeLessThanOrEqual(3);
  });
});
