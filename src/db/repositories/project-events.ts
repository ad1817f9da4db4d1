import type { Kysely } from 'kysely';
import type { ProjectEvent, ProjectEventInput, ProjectEventReason, ProjectEventType } from '../../domain/events.js';
import type { DB } from '../schema.js';
import { toDate, toDateOrNull } from '../values.js';
import { affected, type RepoContext } from './executor.js';
import { transactionWithRetry } from './transaction.js';

/** Events queued in one transaction, written as its last statements (DataStore.transaction flushes them). */
export interface EventQueue {
  events: Array<ProjectEventInput & { at: Date }>;
}

/** What the cleanup deleted last: a reader resuming at an older id missed events (API.md `resync`). */
export interface PurgeMark {
  id: number;
  at: Date | null;
}

/**
 * project_events: the stored stream of API.md "Project events". Ids come from the `last` counter row, taken
 * as the last statement of the writing transaction: the row lock it takes (PostgreSQL, MariaDB; SQLite has
 * one writer) is held until the commit, so the next writer gets its ids only once this one has committed,
 * and a reader following `id > last` never sees a later id without every earlier one.
 */
export function projectEventsRepository({ exec, dialect }: RepoContext, queue: EventQueue, committed: () => void) {
  /** Takes `count` ids and inserts the rows; on `trx` only, as its last statements. */
  async function write(trx: Kysely<DB> | RepoContext['exec'], events: EventQueue['events']): Promise<void> {
    const count = events.length;
    const bump = trx
      .updateTable('project_event_counters')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('name', '=', 'last');
    let last: number;
    if (dialect === 'mysql') {
      await bump.execute();
      // Our own uncommitted update: the row is ours until the commit.
      const row = await trx.selectFrom('project_event_counters').select('value').where('name', '=', 'last').executeTakeFirstOrThrow();
      last = Number(row.value);
    } else {
      last = Number((await bump.returning('value').executeTakeFirstOrThrow()).value);
    }
    const first = last - count + 1;
    await trx
      .insertInto('project_events')
      .values(
        events.map((event, i) => ({
          id: first + i,
          projectId: event.projectId,
          type: event.type,
          at: event.at,
          userId: event.userId,
          sessionId: event.sessionId,
          gen: event.gen,
          reason: event.reason,
        })),
      )
      .execute();
  }

  return {
    /**
     * Inside a transaction: queued, and written when the transaction's work is done, just before its commit.
     * Outside one: written at once in a transaction of its own.
     */
    async record(events: readonly ProjectEventInput[], at: Date): Promise<void> {
      if (events.length === 0) return;
      const rows = events.map((event) => ({ ...event, at }));
      if (exec.isTransaction) {
        queue.events.push(...rows);
        return;
      }
      await transactionWithRetry(exec as Kysely<DB>, (trx) => write(trx, rows));
      committed();
    },

    /** Writes what this transaction queued; DataStore.transaction calls it after the work, before the commit. */
    async flush(): Promise<number> {
      const rows = queue.events.splice(0);
      if (rows.length > 0) await write(exec, rows);
      return rows.length;
    },

    /**
     * API.md: the Super Admin's signing keys changed; every project refetches the JWKS. For the key ring:
     * call on a transaction's repositories (written with it) or on the store's (at once).
     */
    keysRotated(at: Date): Promise<void> {
      return this.record([{ projectId: null, type: 'keys.rotated', userId: null, sessionId: null, gen: null, reason: 'KEY_ROTATED' }], at);
    },

    /** The projects a user's events go to: those it is assigned to, and those it was unassigned from. */
    async projectsOfUser(userId: number): Promise<number[]> {
      const rows = await exec
        .selectFrom('user_projects')
        .select('projectId')
        .where('userId', '=', userId)
        .union(exec.selectFrom('access_cutoffs').select('projectId').where('userId', '=', userId))
        .execute();
      return [...new Set(rows.map((row) => Number(row.projectId)))].sort((a, b) => a - b);
    },

    /** Events after `afterId` in id order: a project's (and every project's) with `projectId`, else all. */
    async after(afterId: number, limit: number, projectId?: number): Promise<ProjectEvent[]> {
      const rows = await exec
        .selectFrom('project_events')
        .selectAll()
        .where('id', '>', afterId)
        .$if(projectId !== undefined, (q) => q.where((eb) => eb.or([eb('projectId', '=', projectId!), eb('projectId', 'is', null)])))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        projectId: row.projectId === null ? null : Number(row.projectId),
        type: row.type as ProjectEventType,
        at: toDate(row.at),
        userId: row.userId === null ? null : Number(row.userId),
        sessionId: row.sessionId,
        gen: row.gen === null ? null : Number(row.gen),
        reason: row.reason as ProjectEventReason,
      }));
    },

    /** The newest id handed out (committed), 0 before the first event. */
    async latestId(): Promise<number> {
      const row = await exec.selectFrom('project_event_counters').select('value').where('name', '=', 'last').executeTakeFirst();
      return Number(row?.value ?? 0);
    },

    async purgeMark(): Promise<PurgeMark> {
      const row = await exec.selectFrom('project_event_counters').select(['value', 'at']).where('name', '=', 'purged').executeTakeFirst();
      return { id: Number(row?.value ?? 0), at: toDateOrNull(row?.at ?? null) };
    },

    /** Deletes up to `limit` events from before `before`, oldest first, and records the newest id deleted. */
    async purgeOlderThan(before: Date, limit: number): Promise<number> {
      return transactionWithRetry(exec as Kysely<DB>, async (trx) => {
        const doomed = await trx
          .selectFrom('project_events')
          .select(['id', 'at'])
          .where('at', '<', before)
          .orderBy('id')
          .limit(limit)
          .execute();
        if (doomed.length === 0) return 0;
        const newest = doomed[doomed.length - 1]!;
        const ids = doomed.map((row) => row.id);
        const deleted = affected(await trx.deleteFrom('project_events').where('id', 'in', ids).executeTakeFirst());
        await trx
          .updateTable('project_event_counters')
          .set({ value: Number(newest.id), at: toDate(newest.at) })
          .where('name', '=', 'purged')
          .where('value', '<', Number(newest.id))
          .execute();
        return deleted;
      });
    },
  };
}

export type ProjectEventsRepository = ReturnType<typeof projectEventsRepository>;
