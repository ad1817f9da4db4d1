import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import type { RefreshTokenRecord } from '../../src/db/repositories/sessions.js';
import { openMigratedTestDatabase, REPOSITORY_DIALECTS } from '../helpers/database.js';
import { newUserRow } from '../helpers/rows.js';

const T0 = new Date('2026-04-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/**
 * The repositories through the same cases on every dialect REPOSITORY_DIALECTS selects (SQLite
 * always; PostgreSQL and MariaDB when their URLs are set), the atomic steps raced as the services race them.
 */
describe.each(REPOSITORY_DIALECTS)('repositories on %s', (dialect) => {
  let database: Database;
  let drop: () => Promise<void>;
  let store: DataStore;
  let seq = 0;
  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase(dialect));
    store = createDataStore(database);
  });
  afterAll(async () => drop());

  const newUser = (overrides: Record<string, unknown> = {}) => {
    seq += 1;
    return store.repos.users.insert(
      newUserRow({
        name: `User ${seq}`,
        email: `user${seq}@acme.test`,
        password: 'hash',
        companyName: 'Acme',
        createdAt: T0,
        ...overrides,
      }),
    );
  };

  describe('users', () => {
    it('stores a user and reads it back by id and by email, booleans and dates as such', async () => {
      const id = await newUser({ email: 'ada@acme.test', isActive: false, isSuspended: true, companyName: null });
      const byId = await store.repos.users.findById(id);
      expect(byId).toMatchObject({
        id,
        email: 'ada@acme.test',
        role: 'ADMIN',
        isActive: false,
        isSuspended: true,
        companyName: null,
        failedLoginCount: 0,
        lockedUntil: null,
      });
      expect(byId!.createdAt).toEqual(T0);
      expect(await store.repos.users.findByEmail('ada@acme.test')).toEqual(byId);
      expect(await store.repos.users.findByEmail('nobody@acme.test')).toBeUndefined();
    });

    it("reads a user's standing, assignments and access cutoffs in one statement (the auth-state load)", async () => {
      const userId = await newUser({ isActive: false, isSuspended: true });
      const bare = await newUser();
      const project = (name: string) =>
        store.repos.projects.insert({
          customProjectId: `${name}${dialect}`,
          name,
          icon: null,
          description: null,
          projectUrl: `https://${name}.acme.test`,
          isActive: true,
          createdBy: userId,
          createdAt: T0,
          updatedAt: T0,
          clientSecretHash: null,
        });
      const [a, b, c] = [await project('authsa'), await project('authsb'), await project('authsc')];
      await store.repos.projects.assign(userId, [a, b], T0);
      const cutC = await store.repos.projects.cutAccess(userId, c);
      const cutB = await store.repos.projects.cutAccess(userId, b);
      const state = await store.repos.users.authState(userId);
      expect(state).toEqual({
        role: 'ADMIN',
        isActive: false,
        isSuspended: true,
        projectIds: expect.arrayContaining([a, b]),
        accessCutoffs: new Map([
          [c, cutC],
          [b, cutB],
        ]),
      });
      expect(state!.projectIds).toHaveLength(2);
      expect(cutB).toBeGreaterThan(0);
      expect(await store.repos.users.authState(bare)).toEqual({
        role: 'ADMIN',
        isActive: true,
        isSuspended: false,
        projectIds: [],
        accessCutoffs: new Map(),
      });
      expect(await store.repos.users.authState(2_000_000_000)).toBeUndefined();
    });

    it('refuses a second user with the same email', async () => {
      await newUser({ email: 'twice@acme.test' });
      await expect(newUser({ email: 'twice@acme.test' })).rejects.toThrow();
    });

    it('gives the Super Admin slot to exactly one of 8 concurrent claims', async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => newUser({ role: 'SUPER_ADMIN', isActive: false })));
      const claims = await Promise.all(ids.map((id) => store.repos.users.claimSuperAdminSlot(id, at(1)).catch(() => false)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.repos.users.superAdminExists()).toBe(true);
    });
  });

  describe('otps', () => {
    const newOtp = (email: string) =>
      store.repos.otps.insert({ email, purpose: 'FORGOT_PASSWORD', otpHash: `hmac-${email}`, createdAt: T0, expiresAt: at(600) });

    it('finds the newest live code, and a cancelled one no more', async () => {
      const older = await newOtp('live@acme.test');
      const newer = await newOtp('live@acme.test');
      expect((await store.repos.otps.findNewestLive('live@acme.test', 'FORGOT_PASSWORD', at(1)))?.id).toBe(newer);
      expect(await store.repos.otps.findNewestLive('live@acme.test', 'FORGOT_PASSWORD', at(600))).toBeUndefined();
      expect(await store.repos.otps.cancelLive('live@acme.test', 'FORGOT_PASSWORD')).toBe(2);
      expect(await store.repos.otps.findNewestLive('live@acme.test', 'FORGOT_PASSWORD', at(1))).toBeUndefined();
      expect(await store.repos.otps.consume(older, at(2))).toBe(false);
    });

    it('lets exactly one of 8 concurrent consumes of one code succeed', async () => {
      const id = await newOtp('race@acme.test');
      const results = await Promise.all(Array.from({ length: 8 }, () => store.repos.otps.consume(id, at(5))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.repos.otps.consume(id, at(6))).toBe(false);
    });

    it('counts exactly the allowed attempts of 20 concurrent ones', async () => {
      const id = await newOtp('guess@acme.test');
      const counted = await Promise.all(Array.from({ length: 20 }, () => store.repos.otps.countAttempt(id, 5, at(5))));
      expect(counted.filter(Boolean)).toHaveLength(5);
      expect(await store.repos.otps.countAttempt(id, 5, at(6))).toBe(false);
    });
  });

  describe('sessions and refresh rotation', () => {
    const signIn = async (userId: number) => {
      const sessionId = randomUUID();
      const token = `hmac-${randomUUID()}`;
      await store.repos.sessions.create({
        id: sessionId,
        userId,
        createdAt: T0,
        expiresAt: at(7 * 86_400),
        revokedAt: null,
        revokedReason: null,
      });
      await store.repos.sessions.insertRefreshToken({
        id: randomUUID(),
        token,
        userId,
        sessionId,
        expiresAt: at(7 * 86_400),
        isRevoked: false,
        createdAt: T0,
        rotatedAt: null,
      });
      return { sessionId, token };
    };
    const rotate = (token: string, now = at(60), read?: { token: RefreshTokenRecord | undefined }) =>
      store.repos.sessions.rotateRefreshToken({
        hashes: [token],
        read,
        next: { id: randomUUID(), token: `hmac-${randomUUID()}` },
        now,
        audit: { actorEmail: null, action: 'TOKEN_REFRESH', success: true, createdAt: now },
      });

    it('rotates a token once: the successor works, the old one is refused, the session and expiry are kept', async () => {
      const userId = await newUser();
      const { sessionId, token } = await signIn(userId);
      const first = await rotate(token);
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      expect(first.rotation).toMatchObject({ sessionId, user: { id: userId } });
      expect(first.rotation.expiresAt).toEqual(at(7 * 86_400));
      const again = await rotate(token, at(61));
      expect(again.ok).toBe(false);
      expect(again.ok ? undefined : again.token?.rotatedAt).toEqual(at(60));
    });

    it('refuses a rotation that starts from a read taken before a concurrent use rotated the token', async () => {
      const userId = await newUser();
      const { token } = await signIn(userId);
      const read = { token: await store.repos.sessions.findRefreshToken([token]) };
      expect(read.token?.rotatedAt).toBeNull();
      expect((await rotate(token, at(60), read)).ok).toBe(true);
      const stale = await rotate(token, at(61), read);
      expect(stale.ok).toBe(false);
      expect(stale.ok ? undefined : stale.token?.rotatedAt).toEqual(at(60));
      const successors = await database.db.selectFrom('refresh_tokens').select('id').where('userId', '=', userId).execute();
      expect(successors).toHaveLength(2);
    });

    it('lets exactly one of 8 concurrent rotations of one token succeed', async () => {
      const userId = await newUser();
      const { token } = await signIn(userId);
      const results = await Promise.all(Array.from({ length: 8 }, () => rotate(token)));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      const successors = await database.db.selectFrom('refresh_tokens').select('id').where('userId', '=', userId).execute();
      expect(successors).toHaveLength(2);
    });

    it('refuses to rotate a token of a revoked session', async () => {
      const userId = await newUser();
      const { sessionId, token } = await signIn(userId);
      expect(await store.repos.sessions.revoke(sessionId, at(10), 'logout')).toBe(true);
      expect((await rotate(token)).ok).toBe(false);
      expect((await store.repos.sessions.find(sessionId))?.revokedAt).toEqual(at(10));
    });
  });

  describe('projects', () => {
    it('stores a project, finds it by id and by customProjectId, and keeps assignments', async () => {
      const userId = await newUser();
      const newProject = (customProjectId: string) =>
        store.repos.projects.insert({
          customProjectId,
          name: customProjectId.toUpperCase(),
          icon: null,
          description: null,
          projectUrl: `https://${customProjectId}.acme.test`,
          isActive: true,
          createdBy: userId,
          createdAt: T0,
          updatedAt: T0,
          clientSecretHash: null,
        });
      const crm = await newProject(`crm${dialect}`);
      const erp = await newProject(`erp${dialect}`);
      expect(await store.repos.projects.findByRef(crm)).toMatchObject({ id: crm, customProjectId: `crm${dialect}`, isActive: true });
      expect((await store.repos.projects.findByRef(`erp${dialect}`))?.id).toBe(erp);
      await store.repos.projects.assign(userId, [erp, crm], T0);
      expect([...(await store.repos.projects.assignedProjectIds(userId))].sort((a, b) => a - b)).toEqual([crm, erp].sort((a, b) => a - b));
      await expect(newProject(`crm${dialect}`)).rejects.toThrow();
    });

    it('rotates the client secret keeping only the replaced hash, with its end or none', async () => {
      const userId = await newUser();
      const id = await store.repos.projects.insert({
        customProjectId: `rot${dialect}`,
        name: 'Rot',
        projectUrl: 'https://rot.acme.test',
        isActive: true,
        createdBy: userId,
        createdAt: T0,
        updatedAt: T0,
        clientSecretHash: 'h0',
      });
      const secrets = async () => {
        const p = (await store.repos.projects.findByRef(id))!;
        return [p.clientSecretHash, p.previousSecretHash, p.previousSecretValidUntil, p.updatedAt];
      };
      expect(await secrets()).toEqual(['h0', null, null, T0]);
      await store.repos.projects.rotateClientSecret(id, 'h1', at(3600), at(1));
      expect(await secrets()).toEqual(['h1', 'h0', at(3600), at(1)]);
      await store.repos.projects.rotateClientSecret(id, 'h2', at(7200), at(2));
      expect(await secrets()).toEqual(['h2', 'h1', at(7200), at(2)]);
      await store.repos.projects.rotateClientSecret(id, 'h3', null, at(3));
      expect(await secrets()).toEqual(['h3', null, null, at(3)]);
    });
  });

  describe('audit and outbox', () => {
    it('writes an audit row with its details as JSON', async () => {
      const userId = await newUser();
      await store.repos.audit.insert({
        userId,
        actorEmail: 'a@acme.test',
        action: 'LOGIN',
        details: { reason: 'test' },
        ipAddress: '10.0.0.1',
        success: false,
        createdAt: at(3),
      });
      const row = await database.db.selectFrom('audit_logs').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ action: 'LOGIN', actorEmail: 'a@acme.test', ipAddress: '10.0.0.1' });
      expect(JSON.parse(String(row.details))).toEqual({ reason: 'test' });
      expect(Boolean(Number(row.success))).toBe(false);
    });

    it('hands a due email to exactly one of 8 concurrent claims, and a sent one to none', async () => {
      const id = await store.repos.outbox.insert({ kind: 'WELCOME', payloadEnc: 'sealed', nextAttemptAt: T0, createdAt: T0 });
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.repos.outbox.claimDue(at(1), 5, at(61))));
      const claimed = claims.flat().filter((row) => row.id === id);
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ kind: 'WELCOME', payloadEnc: 'sealed', attempts: 1 });
      await store.repos.outbox.markSent(id, at(2));
      expect((await store.repos.outbox.claimDue(at(120), 5, at(180))).some((row) => row.id === id)).toBe(false);
    });
  });
});
