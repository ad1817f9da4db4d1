import { sql } from 'kysely';
import type { Database } from '../client.js';
import type { Executor } from './executor.js';
import { auditRepository } from './audit.js';
import { cleanupRepository } from './cleanup.js';
import { jobLeasesRepository } from './job-leases.js';
import { otpsRepository } from './otps.js';
import { outboxRepository } from './outbox.js';
import { projectCodesRepository } from './project-codes.js';
import { projectsRepository } from './projects.js';
import { projectAdminRepository } from './project-admin.js';
import { projectEventsRepository, type EventQueue } from './project-events.js';
import { revocationEventsRepository } from './revocation-events.js';
import { auditQueryRepository } from './audit-query.js';
import { auditStatsRepository } from './audit-stats.js';
import { sessionsRepository } from './sessions.js';
import { signingKeysRepository } from './signing-keys.js';
import { transactionWithRetry } from './transaction.js';
import { usersRepository } from './users.js';
import { userAdminRepository } from './user-admin.js';
import { userStatsRepository } from './user-stats.js';

/** `committed`: called after project events were committed outside DataStore.transaction (which calls its own). */
export function createRepositories(exec: Executor, dialect: Database['dialect'], committed: () => void = () => {}) {
  const ctx = { exec, dialect };
  const queue: EventQueue = { events: [] };
  return {
    projectEvents: projectEventsRepository(ctx, queue, committed),
    users: usersRepository(ctx),
    userAdmin: userAdminRepository(ctx),
    userStats: userStatsRepository(ctx),
    projects: projectsRepository(ctx),
    projectAdmin: projectAdminRepository(ctx),
    auditQuery: auditQueryRepository(ctx),
    auditStats: auditStatsRepository(ctx),
    sessions: sessionsRepository(ctx),
    otps: otpsRepository(ctx),
    projectCodes: projectCodesRepository(ctx),
    audit: auditRepository(ctx),
    signingKeys: signingKeysRepository(ctx),
    outbox: outboxRepository(ctx),
    revocationEvents: revocationEventsRepository(ctx),
    cleanup: cleanupRepository(ctx),
    jobLeases: jobLeasesRepository(ctx),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

/** The services' only door to the database: repositories, and transactions over them. */
export interface DataStore {
  dialect: Database['dialect'];
  repos: Repositories;
  /**
   * Runs fn in one transaction; everything fn does through `tx` commits or rolls back together. A
   * deadlock victim is run again, so fn must have no effect outside `tx`.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Called after every commit that wrote project events, on this instance (the events hub reads them at once). */
  onProjectEvents(listener: () => void): void;
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

export function createDataStore(database: Database): DataStore {
  const { db, dialect } = database;
  const listeners: Array<() => void> = [];
  const committed = () => listeners.forEach((listener) => listener());
  return {
    dialect,
    repos: createRepositories(db, dialect, committed),
    async transaction(fn) {
      let wrote = 0;
      const result = await transactionWithRetry(db, async (trx) => {
        const repos = createRepositories(trx, dialect);
        const value = await fn(repos);
        // The events' ids are taken last, so that the counter's row lock is held only for the commit.
        wrote = await repos.projectEvents.flush();
        return value;
      });
      if (wrote > 0) committed();
      return result;
    },
    onProjectEvents: (listener) => listeners.push(listener),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    destroy: () => database.destroy(),
  };
}
