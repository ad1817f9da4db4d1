import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createAuditStats } from '../../src/services/admin/audit-stats.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';

/**
 * The daily buckets over a change of UTC offset, on the real SQL of each dialect: Paris leaves CET (+1)
 * for CEST (+2) at 01:00 UTC on 29 March 2026 and comes back at 01:00 UTC on 25 October 2026, so its
 * midnights before and after are an hour apart in UTC.
 */
describe(`daily sign-in activity across DST (${TEST_DIALECT})`, () => {
  let database: Database;
  let store: DataStore;
  let drop: () => Promise<void>;
  const clock = fixedClock();
  const root = { userId: 1, role: 'SUPER_ADMIN' as const };

  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
    store = createDataStore(database);
  });
  afterAll(async () => drop?.());
  beforeEach(async () => {
    await database.db.deleteFrom('audit_logs').execute();
  });

  async function row(action: string, at: string, userId: number | null, success = action === 'LOGIN' || action === 'TOKEN_REFRESH') {
    await store.repos.audit.insert({ userId, actorEmail: null, targetUserId: userId, action, success, createdAt: new Date(at) });
  }
  const zero = { signIns: 0, failedSignIns: 0, lockouts: 0, activeUsers: 0 };

  it('puts each row in its Paris day, with the offset of that day', async () => {
    clock.set('2026-03-30T10:00:00.000Z'); // noon in Paris, summer time
    await row('LOGIN', '2026-03-27T22:59:59.999Z', 1); // 23:59 on the 27th: before the first day
    await row('LOGIN', '2026-03-27T23:00:00.000Z', 2); // midnight of the 28th (CET)
    await row('LOGIN', '2026-03-28T22:45:00.000Z', 3); // 23:45 on the 28th (CET)
    await row('LOGIN_FAILED', '2026-03-28T23:00:00.000Z', 3); // midnight of the 29th (CET)
    await row('ACCOUNT_LOCKOUT', '2026-03-29T21:59:00.000Z', 3); // 23:59 on the 29th (CEST)
    await row('TOKEN_REFRESH', '2026-03-29T22:00:00.000Z', 4); // midnight of the 30th (CEST): a fixed +1 would say the 29th
    await row('TOKEN_REFRESH', '2026-03-29T22:50:00.000Z', 4);
    await row('LOGIN', '2026-03-30T09:59:00.000Z', 5);

    const stats = createAuditStats({ store, clock });
    expect(await stats.signInActivity(root, 3, 'Europe/Paris')).toEqual([
      { ...zero, date: '2026-03-28', signIns: 2, activeUsers: 2 },
      { ...zero, date: '2026-03-29', failedSignIns: 1, lockouts: 1 },
      { ...zero, date: '2026-03-30', signIns: 1, activeUsers: 2 },
    ]);
    // The same rows by UTC days.
    expect(await stats.signInActivity(root, 3, 'UTC')).toEqual([
      { ...zero, date: '2026-03-28', signIns: 1, failedSignIns: 1, activeUsers: 1 },
      { ...zero, date: '2026-03-29', lockouts: 1, activeUsers: 1 },
      { ...zero, date: '2026-03-30', signIns: 1, activeUsers: 1 },
    ]);
  });

  it('counts the 25-hour day of the autumn change whole', async () => {
    clock.set('2026-10-26T11:00:00.000Z');
    await row('LOGIN', '2026-10-24T22:00:00.000Z', 1); // midnight of the 25th (CEST)
    await row('LOGIN', '2026-10-25T22:59:00.000Z', 2); // 23:59 on the 25th (CET): 25 hours later
    await row('LOGIN', '2026-10-25T23:00:00.000Z', 3); // midnight of the 26th (CET)
    const stats = createAuditStats({ store, clock });
    expect(await stats.signInActivity(root, 2, 'Europe/Paris')).toEqual([
      { ...zero, date: '2026-10-25', signIns: 2, activeUsers: 2 },
      { ...zero, date: '2026-10-26', signIns: 1, activeUsers: 1 },
    ]);
  });
});
