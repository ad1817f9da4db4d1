import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { toBool, toDate, isUniqueViolation } from '../../src/db/values.js';
import { openMigratedTestDatabase, TEST_DIALECT } from '../helpers/database.js';

describe(`migrations on ${TEST_DIALECT}`, () => {
  let database: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ database, drop } = await openMigratedTestDatabase());
  });
  afterAll(async () => drop?.());

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrateToLatest(database)).toEqual([]);
  });

  it('round-trips booleans and timestamps and enforces the unique email', async () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const base = {
      name: 'A',
      role: 'ADMIN' as const,
      password: null,
      customRole: null,
      companyName: null,
      companyAddress: null,
      companyPhone: null,
      isActive: true,
      isSuspended: false,
      suspensionReason: null,
      suspendedBy: null,
      unsuspendedBy: null,
      subUserLimit: 5,
      createdById: null,
      createdAt: now,
      updatedAt: now,
      superAdminSlot: null,
    };
    await database.db
      .insertInto('users')
      .values({ ...base, email: 'a@x.test' })
      .execute();
    const row = await database.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'a@x.test')
      .where('isActive', '=', true)
      .executeTakeFirstOrThrow();
    expect(toBool(row.isActive)).toBe(true);
    expect(toBool(row.isSuspended)).toBe(false);
    expect(toDate(row.createdAt).toISOString()).toBe(now.toISOString());
    const error = await database.db
      .insertInto('users')
      .values({ ...base, email: 'a@x.test' })
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('allows only one Super Admin slot', async () => {
    const now = new Date();
    const base = {
      name: 'S',
      role: 'SUPER_ADMIN' as const,
      password: null,
      customRole: null,
      companyName: null,
      companyAddress: null,
      companyPhone: null,
      isActive: true,
      isSuspended: false,
      suspensionReason: null,
      suspendedBy: null,
      unsuspendedBy: null,
      subUserLimit: 5,
      createdById: null,
      createdAt: now,
      updatedAt: now,
    };
    await database.db
      .insertInto('users')
      .values({ ...base, email: 's1@x.test', superAdminSlot: 1 })
      .execute();
    const error = await database.db
      .insertInto('users')
      .values({ ...base, email: 's2@x.test', superAdminSlot: 1 })
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});
