import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { STRONG_PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { useTestWorld } from '../helpers/world.js';
import { seedProjectsWorld, send, snapshot, type ProjectsWorld } from './projects-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Day {
  date: string;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
  activeUsers: number;
}

describe(`GET /api/audit-logs/stats (${TEST_DIALECT})`, () => {
  let t: TestApp;
  let w: ProjectsWorld;
  let raw: Database;
  /** UTC midnight of "today": the clock stands at noon UTC that day. */
  let today = 0;

  /**
   * The world is built at noon UTC of the day after the real one: far from midnight in the zones below
   * (UTC, Tokyo +9, Honolulu -10, none with DST), and ahead of the signing key, so its tokens stay good.
   */
  async function seed(app: TestApp) {
    today = Math.floor(app.clock.now().getTime() / DAY) * DAY + DAY;
    app.clock.set(new Date(today + 12 * HOUR));
    return seedProjectsWorld(app);
  }
  useTestWorld(seed, (world) => ({ t, w, raw } = world));

  /** The calendar date `offset` days from today (UTC arithmetic: a date, not an instant). */
  const date = (offset: number) => new Date(today + offset * DAY).toISOString().slice(0, 10);
  /** An instant `offset` days from today's UTC midnight, at hh:mm UTC. */
  const at = (offset: number, hhmm: string) => new Date(Date.parse(`${date(offset)}T${hhmm}:00.000Z`));
  const zero = (offset: number): Day => ({ date: date(offset), signIns: 0, failedSignIns: 0, lockouts: 0, activeUsers: 0 });
  /** The expected days from `first` to today (offsets ≤ 0), zeros except where `counts` says. */
  const expectedDays = (first: number, counts: Record<number, Partial<Day>>) =>
    Array.from({ length: 1 - first }, (_, i) => ({ ...zero(first + i), ...counts[first + i] }));

  async function seedRow(userId: number | null, targetUserId: number | null, action: string, createdAt: Date, success = true) {
    await t.container.store.repos.audit.insert({
      userId,
      actorEmail: userId === null ? 'ghost@acme.test' : `user${userId}@acme.test`,
      targetUserId,
      action,
      resource: 'auth',
      success,
      createdAt,
    });
  }

  beforeEach(async () => {
    await raw.db.deleteFrom('audit_logs').execute();
    const { root, adminA, subA, subA2, adminB, subB } = w.ids;
    // Today (UTC), before noon.
    await seedRow(adminA, adminA, 'LOGIN', at(0, '09:00'));
    await seedRow(adminA, null, 'TOKEN_REFRESH', at(0, '09:30'));
    await seedRow(subA, subA, 'LOGIN', at(0, '10:00'));
    await seedRow(subA, subA, 'LOGIN', at(0, '10:05')); // the same user twice: one active user
    await seedRow(subA, subA, 'LOGIN_FAILED', at(0, '11:00'), false);
    await seedRow(null, null, 'LOGIN_FAILED', at(0, '11:00'), false); // an unknown email
    await seedRow(subB, subB, 'ACCOUNT_LOCKOUT', at(0, '11:30'), false);
    await seedRow(null, subA2, 'LOGIN_FAILED', at(0, '11:45'), false); // in adminA's scope by its target only
    // Actions the chart does not count.
    await seedRow(subA, subA, 'PROJECT_TOKEN', at(0, '10:10'));
    await seedRow(root, subA, 'USER_UPDATE', at(0, '10:20'));
    await seedRow(null, subA, 'OTP_LOCKOUT', at(0, '10:30'), false);
    // Earlier days.
    await seedRow(adminB, adminB, 'LOGIN', at(-1, '23:30'));
    await seedRow(subB, null, 'TOKEN_REFRESH', at(-3, '12:00'));
    await seedRow(subA, subA, 'LOGIN_FAILED', at(-6, '00:00'), false); // the first UTC day of a week, from its first instant
    await seedRow(adminA, adminA, 'LOGIN', new Date(at(-6, '00:00').getTime() - 1)); // a week and a millisecond ago
  });

  const read = async (token: string, query = '') => {
    const response = await send(t, 'GET', `/api/audit-logs/stats${query}`, token);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { success: boolean; data: { days: Day[] } };
    expect(body.success).toBe(true);
    return body.data.days;
  };

  it('counts every row for the Super Admin, one row per UTC day, oldest first, empty days as zeros', async () => {
    expect(await read(w.root.accessToken, '?days=7')).toEqual(
      expectedDays(-6, {
        [-6]: { failedSignIns: 1 },
        [-3]: { activeUsers: 1 },
        [-1]: { signIns: 1, activeUsers: 1 },
        0: { signIns: 3, failedSignIns: 3, lockouts: 1, activeUsers: 2 },
      }),
    );
  });

  it('defaults to 30 days in UTC; days=1 is today only; days=366 reaches back a year', async () => {
    const month = await read(w.root.accessToken);
    expect(month).toHaveLength(30);
    expect(month[0]!.date).toBe(date(-29));
    expect(month.at(-1)).toEqual({ date: date(0), signIns: 3, failedSignIns: 3, lockouts: 1, activeUsers: 2 });
    expect(month.find((day) => day.date === date(-7))).toEqual({ ...zero(-7), signIns: 1, activeUsers: 1 });
    expect(await read(w.root.accessToken, '?days=30&tz=UTC')).toEqual(month);

    expect(await read(w.root.accessToken, '?days=1')).toEqual([
      { date: date(0), signIns: 3, failedSignIns: 3, lockouts: 1, activeUsers: 2 },
    ]);
    const year = await read(w.root.accessToken, '?days=366');
    expect(year).toHaveLength(366);
    expect(year[0]!.date).toBe(date(-365));
    expect(new Set(year.map((day) => day.date)).size).toBe(366);
  });

  it('buckets by the days of the given time zone, moving rows across midnight both ways', async () => {
    // Tokyo (+9): now is 21:00 today; yesterday 23:30 UTC is 08:30 today; a week and a millisecond ago is the first day.
    expect(await read(w.root.accessToken, '?days=7&tz=Asia/Tokyo')).toEqual(
      expectedDays(-6, {
        [-6]: { signIns: 1, failedSignIns: 1, activeUsers: 1 },
        [-3]: { activeUsers: 1 },
        0: { signIns: 4, failedSignIns: 3, lockouts: 1, activeUsers: 3 },
      }),
    );
    // Honolulu (-10): now is 02:00 today; 10:00 UTC is exactly its midnight; 09:00 and 09:30 UTC are still yesterday.
    expect(await read(w.root.accessToken, '?days=7&tz=Pacific/Honolulu')).toEqual(
      expectedDays(-6, {
        [-3]: { activeUsers: 1 },
        [-1]: { signIns: 2, activeUsers: 2 },
        0: { signIns: 2, failedSignIns: 3, lockouts: 1, activeUsers: 1 },
      }),
    );
    // A day is the zone's: in Tokyo, days=1 holds what Tokyo's today holds.
    expect(await read(w.root.accessToken, '?days=1&tz=Asia/Tokyo')).toEqual([
      { date: date(0), signIns: 4, failedSignIns: 3, lockouts: 1, activeUsers: 3 },
    ]);
  });

  it("scopes an Admin to rows whose actor or target is itself or its sub-users, never another Admin's", async () => {
    expect(await read(w.adminA.accessToken, '?days=7')).toEqual(
      expectedDays(-6, {
        [-6]: { failedSignIns: 1 },
        0: { signIns: 3, failedSignIns: 2, activeUsers: 2 },
      }),
    );
    expect(await read(w.adminB.accessToken, '?days=7')).toEqual(
      expectedDays(-6, {
        [-3]: { activeUsers: 1 },
        [-1]: { signIns: 1, activeUsers: 1 },
        0: { lockouts: 1 },
      }),
    );
  });

  it('counts real sign-ins, failures, a lockout and a refresh, as the flows audit them', async () => {
    await raw.db.deleteFrom('audit_logs').execute();
    const signIn = (email: string, password = STRONG_PASSWORD) => t.post('/api/auth/login', { email, password });
    expect((await signIn('a-sub@acme.test')).statusCode).toBe(200);
    // Five wrong passwords in a row lock b-sub's account (LOCKOUT_THRESHOLD); the sixth attempt is refused as locked.
    for (let i = 0; i < 6; i++) expect((await signIn('b-sub@acme.test', `Wrong-${i}-pass`)).statusCode).toBe(401);
    expect((await signIn('nobody@acme.test')).statusCode).toBe(401);
    const refreshed = await t.post('/api/auth/refresh-token', { refreshToken: w.adminA.refreshToken });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    // adminB sees its sub-user's failures and lockout, nothing of adminA's team.
    expect(await read(w.adminB.accessToken, '?days=1')).toEqual([{ ...zero(0), failedSignIns: 6, lockouts: 1 }]);
    expect(await read(w.adminA.accessToken, '?days=1')).toEqual([{ ...zero(0), signIns: 1, activeUsers: 2 }]);

    // The next day subA signs in again, adminA refreshes again, and the Super Admin signs in to read.
    t.clock.advance(DAY);
    expect((await signIn('a-sub@acme.test')).statusCode).toBe(200);
    const again = await t.post('/api/auth/refresh-token', { refreshToken: refreshed.json().data.refreshToken });
    expect(again.statusCode, again.body).toBe(200);
    const root = await signIn('root@acme.test');
    expect(await read(root.json().data.accessToken, '?days=2')).toEqual([
      { date: date(0), signIns: 1, failedSignIns: 7, lockouts: 1, activeUsers: 2 },
      { date: date(1), signIns: 2, failedSignIns: 0, lockouts: 0, activeUsers: 3 },
    ]);
    const lockouts = await raw.db.selectFrom('audit_logs').selectAll().where('action', '=', 'ACCOUNT_LOCKOUT').execute();
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ userId: w.ids.subB, targetUserId: w.ids.subB, actorEmail: 'b-sub@acme.test' });
  });

  it('refuses days outside 1–366, a bad tz and unknown parameters (400 at the field), changing nothing', async () => {
    const before = await snapshot(raw);
    const bad: Array<[string, string]> = [
      ['?days=0', 'days'],
      ['?days=367', 'days'],
      ['?days=-1', 'days'],
      ['?days=1.5', 'days'],
      ['?days=abc', 'days'],
      ['?tz=Mars/Olympus', 'tz'],
      ['?tz=%2B05:30', 'tz'],
      ['?tz=', 'tz'],
      ['?tz=Europe/Paris;drop', 'tz'],
      [`?tz=${'A'.repeat(65)}`, 'tz'],
      ['?from=2026-01-01', 'from'],
    ];
    for (const [query, field] of bad) {
      const response = await send(t, 'GET', `/api/audit-logs/stats${query}`, w.root.accessToken);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe('VALIDATION_ERROR');
      expect(
        response.json().error.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
    expect(await snapshot(raw)).toBe(before);
  });

  it('refuses anonymous callers (401) and Sub Users (403)', async () => {
    const anonymous = await send(t, 'GET', '/api/audit-logs/stats');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    for (const token of [w.subA.accessToken, w.subB.accessToken]) {
      const response = await send(t, 'GET', '/api/audit-logs/stats?days=7', token);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
    }
  });
});
