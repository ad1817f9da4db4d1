import { performance } from 'node:perf_hooks';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { bearer, buildTestApp, otpFor, seedProject, seedUser, SETUP_TOKEN, STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestApp } from '../helpers/world.js';

const WRONG = 'Wr0ng-Password-Guess';
const LOCK_MS = 30 * 60_000;

describe(`login (${TEST_DIALECT})`, () => {
  let t: TestApp;
  useTestApp((app) => (t = app));

  const attempt = (email: string, password: string, remoteAddress?: string) =>
    t.request({ method: 'POST', url: '/api/auth/login', payload: { email, password }, ...(remoteAddress ? { remoteAddress } : {}) });
  const userRow = async (id: number) => (await t.container.store.repos.users.findById(id))!;
  /** The body every refused login must give, taken from an email nobody has. */
  const genericRefusal = async () => {
    const response = await attempt('nobody-at-all@acme.test', WRONG);
    expect(response.statusCode).toBe(401);
    return response.json();
  };

  describe('success', () => {
    it('answers the login payload with the projects, sets the refresh cookie and records lastLoginAt', async () => {
      const crm = await seedProject(t, { customProjectId: 'crm' });
      await seedProject(t, { customProjectId: 'erp' }); // not assigned: must not show up
      const id = await seedUser(t, { email: 'jane@acme.test', projectIds: [crm.id] });
      expect((await userRow(id)).lastLoginAt).toBeNull();
      t.clock.advance(5_000);

      const response = await attempt('jane@acme.test', STRONG_PASSWORD);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.success).toBe(true);
      const data = body.data;
      expect(Object.keys(data).sort()).toEqual(['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'user']);
      expect(data.accessToken.split('.')).toHaveLength(3);
      expect(data.refreshToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(data.expiresIn).toBe(8 * 3600);
      expect(data.refreshExpiresIn).toBe(7 * 86400);
      expect(data.user).toMatchObject({
        id,
        email: 'jane@acme.test',
        role: 'ADMIN',
        isActive: true,
        isSuspended: false,
        lastLoginAt: t.clock.now().toISOString(),
      });
      expect(data.user.projects).toEqual([
        { id: crm.id, customProjectId: 'crm', name: 'CRM', projectUrl: 'https://crm.acme.test/app', icon: null, isActive: true },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/argon2|"password"|failedLoginCount|lockedUntil/);

      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toContain(`xtown_refresh=${data.refreshToken}`);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toContain('Path=/api/auth');

      expect((await userRow(id)).lastLoginAt?.toISOString()).toBe(t.clock.now().toISOString());
      const me = await t.get('/api/auth/me', bearer(data.accessToken));
      expect(me.statusCode).toBe(200);
      expect(me.json().data.lastLoginAt).toBe(t.clock.now().toISOString());
    });

    it('signs an email in another case or with spaces into the same account', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      for (const email of ['JANE@ACME.TEST', '  Jane@Acme.Test  ', '\tjane@acme.test ']) {
        const response = await attempt(email, STRONG_PASSWORD);
        expect(response.statusCode, email).toBe(200);
        expect(response.json().data.user.id).toBe(id);
        expect(response.json().data.user.email).toBe('jane@acme.test');
      }
    });

    it('signs in a user with a bcrypt hash and stores an argon2id hash afterwards', async () => {
      const legacy = await bcryptHash(STRONG_PASSWORD, 10);
      expect(legacy).toMatch(/^\$2[aby]\$10\$/);
      const id = await seedUser(t, { email: 'old@acme.test', passwordHash: legacy });
      expect(t.config.passwordHash).toBe('argon2id');

      expect((await attempt('old@acme.test', WRONG)).statusCode).toBe(401);
      expect((await userRow(id)).passwordHash).toBe(legacy); // a wrong password upgrades nothing

      expect((await attempt('old@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
      const upgraded = (await userRow(id)).passwordHash!;
      expect(upgraded).toMatch(/^\$argon2id\$/);
      expect((await attempt('old@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
      expect((await userRow(id)).passwordHash).toBe(upgraded);
    });
  });

  describe('refusals', () => {
    it('gives an unknown email, a wrong password and a user without a password the identical 401', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await seedUser(t, { email: 'pending@acme.test', password: null });
      const unknown = await attempt('ghost@acme.test', STRONG_PASSWORD);
      const wrong = await attempt('jane@acme.test', WRONG);
      const noPassword = await attempt('pending@acme.test', STRONG_PASSWORD);
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json()).toEqual({ success: false, message: expect.any(String), error: { code: 'INVALID_CREDENTIALS' } });
      const comparable = (headers: Record<string, unknown>) => {
        const { 'x-request-id': _id, date: _date, ...rest } = headers;
        return rest;
      };
      for (const other of [wrong, noPassword]) {
        expect(other.statusCode).toBe(401);
        expect(other.json()).toEqual(unknown.json());
        expect(other.body).toBe(unknown.body);
        expect(comparable(other.headers)).toEqual(comparable(unknown.headers));
        expect(other.headers['set-cookie']).toBeUndefined();
      }
    });

    // Retried because other processes on the machine add noise; a real difference fails every try.
    it('takes the same time for an unknown email, a wrong password and a locked account', { retry: 2 }, async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      await seedUser(t, { email: 'locked@acme.test' });
      for (let i = 0; i < 5; i++) await attempt('locked@acme.test', WRONG);
      expect((await attempt('locked@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);

      const timed = async (email: string) => {
        const start = performance.now();
        const response = await attempt(email, WRONG);
        const elapsed = performance.now() - start;
        expect(response.statusCode).toBe(401);
        return elapsed;
      };
      const samples = { unknown: [] as number[], wrong: [] as number[], locked: [] as number[] };
      for (let round = 0; round < 23; round++) {
        // Keep jane below the threshold so every wrong password is really checked (outside the timing).
        await t.container.store.repos.users.resetLoginFailures(id);
        const emails = { unknown: `ghost${round}@acme.test`, wrong: 'jane@acme.test', locked: 'locked@acme.test' };
        const order = (['unknown', 'wrong', 'locked'] as const).map((_, i, kinds) => kinds[(i + round) % kinds.length]!);
        const elapsed: Partial<Record<keyof typeof emails, number>> = {};
        for (const kind of order) elapsed[kind] = await timed(emails[kind]); // interleaved, in turn first
        if (round < 3) continue; // warm-up
        for (const kind of order) samples[kind].push(elapsed[kind]!);
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const base = median(samples.unknown);
      expect(samples.unknown).toHaveLength(20);
      for (const kind of ['wrong', 'locked'] as const) {
        const ratio = median(samples[kind]) / base;
        expect(ratio, `${kind}: ${median(samples[kind]).toFixed(1)} ms vs unknown ${base.toFixed(1)} ms`).toBeGreaterThan(0.7);
        expect(ratio, `${kind}: ${median(samples[kind]).toFixed(1)} ms vs unknown ${base.toFixed(1)} ms`).toBeLessThan(1.4);
      }
    });

    it('says ACCOUNT_NOT_ACTIVATED to a pending Super Admin only after the right password', async () => {
      const registered = await t.post('/api/auth/register', {
        setupToken: SETUP_TOKEN,
        name: 'Root',
        email: 'root@acme.test',
        password: STRONG_PASSWORD,
      });
      expect(registered.statusCode).toBe(201);
      const generic = await genericRefusal();
      const wrong = await attempt('root@acme.test', WRONG);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual(generic);
      const right = await attempt('ROOT@acme.test ', STRONG_PASSWORD);
      expect(right.statusCode).toBe(403);
      expect(right.json().error.code).toBe('ACCOUNT_NOT_ACTIVATED');
      expect(right.json().data).toBeUndefined();
      expect(right.headers['set-cookie']).toBeUndefined();
    });

    it('says ACCOUNT_SUSPENDED only after the right password', async () => {
      await seedUser(t, { email: 'susp@acme.test', isSuspended: true });
      const generic = await genericRefusal();
      const wrong = await attempt('susp@acme.test', WRONG);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual(generic);
      const right = await attempt('susp@acme.test', STRONG_PASSWORD);
      expect(right.statusCode).toBe(403);
      expect(right.json().error.code).toBe('ACCOUNT_SUSPENDED');
      expect(right.json().data).toBeUndefined();
      expect(right.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('lockout', () => {
    it('does not count logins the hashing pool refused: a storm locks nobody out', async () => {
      const victim = await seedUser(t, { email: 'victim@acme.test' });
      // Keep the pool (1 at a time on 2 cores, 64 waiting) full with logins of unknown emails: they hash a
      // dummy and lock no row, and each pump sends its next login as soon as the last one is answered ...
      let pumping = true;
      let stormRefused = 0;
      const pump = async (lane: number) => {
        for (let n = 0; pumping; n += 1) {
          const response = await t.request({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: `storm-${lane}-${n}@acme.test`, password: 'wrong-password-1' },
            remoteAddress: `10.9.0.${lane}`,
          });
          if (response.statusCode === 503) stormRefused += 1;
        }
      };
      const pumps = Array.from({ length: 100 }, (_, lane) => pump(lane));
      // ... while the owner tries until the full pool refuses one: nothing refused may count against the account.
      const during: Array<{ statusCode: number; headers: Record<string, unknown> }> = [];
      for (let tries = 0; tries < 200 && !during.some((r) => r.statusCode === 503); tries += 1) {
        during.push(await t.post('/api/auth/login', { email: 'victim@acme.test', password: 'not-the-password-1' }));
      }
      pumping = false;
      await Promise.all(pumps);
      expect(stormRefused).toBeGreaterThan(0);
      const refused = during.filter((r) => r.statusCode === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const response of refused) expect(response.headers['retry-after']).toBe('1');
      const judged = during.filter((r) => r.statusCode === 401).length;
      const record = await t.container.store.repos.users.findById(victim);
      // Judged wrong passwords count, up to the threshold (after it the account is locked and refusals stop counting).
      expect(record?.failedLoginCount).toBe(Math.min(judged, 5));
      // So the owner is locked out exactly when 5 judged wrong passwords made it so, never by the refusals.
      expect(record?.lockedUntil != null).toBe(judged >= 5);
      expect((await t.post('/api/auth/login', { email: 'victim@acme.test', password: STRONG_PASSWORD })).statusCode).toBe(
        judged < 5 ? 200 : 401,
      );
    });

    it('does not spend the address budget on logins the hashing pool refused: a storm behind one NAT stays 503, not 429', async () => {
      const office = await buildTestApp({ env: { LOGIN_FAILURES_PER_IP_MAX: '3' } });
      try {
        let pumping = true;
        const pump = async (lane: number) => {
          for (let n = 0; pumping; n += 1) {
            await office.request({
              method: 'POST',
              url: '/api/auth/login',
              payload: { email: `storm-${lane}-${n}@acme.test`, password: 'wrong-password-1' },
              remoteAddress: `10.8.${lane >> 8}.${lane & 255}`,
            });
          }
        };
        const pumps = Array.from({ length: 100 }, (_, lane) => pump(lane));
        // One address (the office's NAT) while the pool is full: its refusals must not count as its failures.
        const fromOffice: number[] = [];
        for (let tries = 0; tries < 400 && fromOffice.filter((status) => status === 503).length < 6; tries += 1) {
          const response = await office.request({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: `colleague-${tries}@acme.test`, password: 'wrong-password-1' },
            remoteAddress: '203.0.113.7',
          });
          fromOffice.push(response.statusCode);
        }
        pumping = false;
        await Promise.all(pumps);
        const refused = fromOffice.filter((status) => status === 503).length;
        expect(refused).toBeGreaterThanOrEqual(6); // with refusals counted, the budget of 3 would have ended this at 429s
        // Of the attempts the pool let through, the first 3 were judged (401) and the rest met the spent budget (429).
        const admitted = fromOffice.filter((status) => status !== 503);
        expect(admitted.filter((status) => status === 401)).toHaveLength(Math.min(3, admitted.length));
        expect(admitted.filter((status) => status === 429)).toHaveLength(Math.max(0, admitted.length - 3));
      } finally {
        await office.close();
      }
    });

    const lockWith = async (email: string, times = 5) => {
      for (let i = 0; i < times; i++) expect((await attempt(email, WRONG)).statusCode).toBe(401);
    };

    it('locks after 5 wrong passwords in a row with the generic 401, and opens again after 30 minutes', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      const generic = await genericRefusal();
      await lockWith('jane@acme.test', 4);
      expect((await userRow(id)).lockedUntil).toBeNull();
      await lockWith('jane@acme.test', 1);
      const row = await userRow(id);
      expect(row.failedLoginCount).toBe(5);
      expect(row.lockedUntil?.getTime()).toBe(t.clock.now().getTime() + LOCK_MS);
      expect(t.logs.filter((l) => l.event === 'account_locked')).toEqual([expect.objectContaining({ userId: id })]);

      const refused = await attempt('jane@acme.test', STRONG_PASSWORD);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual(generic);
      t.clock.advance(LOCK_MS - 1_000);
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);
      t.clock.advance(1_000);
      const opened = await attempt('jane@acme.test', STRONG_PASSWORD);
      expect(opened.statusCode).toBe(200);
      const after = await userRow(id);
      expect(after.failedLoginCount).toBe(0);
      expect(after.lockedUntil).toBeNull();
    });

    it('starts a new run after an expired lock instead of locking again at once', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      await lockWith('jane@acme.test');
      t.clock.advance(LOCK_MS);
      await lockWith('jane@acme.test', 4);
      const row = await userRow(id);
      expect(row.failedLoginCount).toBe(4);
      expect(row.lockedUntil).toBeNull();
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
    });

    it('resets the count on a successful login', async () => {
      await seedUser(t, { email: 'jane@acme.test' });
      await lockWith('jane@acme.test', 4);
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
      await lockWith('jane@acme.test', 4);
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(200);
    });

    it('shares one lockout between case and space variants of the email', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      for (const email of ['JANE@acme.test', ' jane@ACME.test', 'Jane@Acme.Test ', 'jane@acme.TEST', '  JANE@ACME.TEST  ']) {
        expect((await attempt(email, WRONG)).statusCode).toBe(401);
      }
      expect((await userRow(id)).failedLoginCount).toBe(5);
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);
    });

    it('evaluates at most the threshold of 50 parallel wrong passwords', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      const responses = await Promise.all(Array.from({ length: 50 }, () => attempt('jane@acme.test', WRONG)));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(401));
      const row = await userRow(id);
      expect(row.failedLoginCount).toBe(5);
      expect(row.lockedUntil?.getTime()).toBe(t.clock.now().getTime() + LOCK_MS);
      const reasons = t.logs.filter((l) => l.event === 'login_failed').map((l) => l.reason);
      expect(reasons.filter((r) => r === 'wrong_password')).toHaveLength(5);
      expect(reasons.filter((r) => r === 'locked')).toHaveLength(45);
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);
    });

    it('is cleared by a password reset', async () => {
      const id = await seedUser(t, { email: 'jane@acme.test' });
      await lockWith('jane@acme.test');
      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);

      const mark = t.mailer.mark();
      expect((await t.post('/api/auth/forgot-password', { email: 'jane@acme.test' })).statusCode).toBe(200);
      const otp = await otpFor(t, 'jane@acme.test', mark);
      const newPassword = 'N3w-Horse-Staple-Battery';
      const reset = await t.post('/api/auth/reset-password', { email: 'jane@acme.test', otp, newPassword });
      expect(reset.statusCode).toBe(200);
      const row = await userRow(id);
      expect(row.failedLoginCount).toBe(0);
      expect(row.lockedUntil).toBeNull();

      expect((await attempt('jane@acme.test', STRONG_PASSWORD)).statusCode).toBe(401);
      const response = await attempt('jane@acme.test', newPassword);
      expect(response.statusCode).toBe(200);
      expect(response.json().data.user.id).toBe(id);
    });
  });
});
