import { createDb, type Database } from '../../src/db/client.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDataStore, type DataStore } from '../../src/db/repositories/index.js';
import type { UserWithProjects } from '../../src/domain/models.js';
import { createTestDatabase } from '../helpers/database.js';

export const SECRET_ONE = 'first-secret-0123456789abcdef0123456789abcdef';
export const SECRET_TWO = 'second-secret-0123456789abcdef0123456789abcdef';
export const tokenConfig = { issuer: 'https://auth.example.test', audience: 'https://auth.example.test', accessTokenTtlSec: 8 * 3600 };
export const SID = '3b241101-e2bb-4255-8caf-4136c566a962';

/** A migrated database that several stores (like several instances) can open by URL. */
export async function openSharedDatabase(): Promise<{ open(): Promise<DataStore>; database: Database; drop(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const database = await createDb(testDb.url);
  await migrateToLatest(database);
  const extra: DataStore[] = [];
  return {
    database,
    async open() {
      const store = createDataStore(await createDb(testDb.url));
      extra.push(store);
      return store;
    },
    async drop() {
      for (const store of extra) await store.destroy();
      await database.destroy();
      await testDb.drop();
    },
  };
}

export function sampleUser(overrides: Partial<UserWithProjects> = {}): UserWithProjects {
  const createdAt = new Date('2024-01-01T00:00:00.000Z');
  return {
    id: 42,
    name: 'Jöhn Doe',
    email: 'user@example.com',
    role: 'ADMIN',
    customRole: 'Developer',
    companyName: 'Acme Corp',
    companyAddress: '123 Business St, City, Country',
    companyPhone: '+1234567890',
    isActive: true,
    isSuspended: false,
    suspendedAt: null,
    suspensionReason: null,
    suspendedBy: null,
    unsuspendedAt: null,
    unsuspendedBy: null,
    subUserLimit: 5,
    createdById: 1,
    lastLoginAt: new Date('2025-12-31T00:00:00.000Z'),
    createdAt,
    updatedAt: createdAt,
    projects: [
      { id: 7, customProjectId: 'my-project', name: 'My Project', projectUrl: 'https://myproject.com', icon: 'icon.png', isActive: true },
      { id: 8, customProjectId: 'other', name: 'Other', projectUrl: 'https://other.example', icon: null, isActive: false },
    ],
    ...overrides,
  };
}

/** What fn throws; fails the test if it returns. */
export function thrownBy(fn: () => unknown, label?: unknown): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return error;
  }
  throw new Error(
    `expected a throw${label === undefined ? '' : ` for ${JSON.stringify(label)?.slice(0, 200)}`}, got a return: ${JSON.stringify(result)?.slice(0, 300)}`,
  );
}
