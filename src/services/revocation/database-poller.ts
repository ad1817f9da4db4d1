import type { Logger } from 'pino';
import type { DataStore } from '../../db/repositories/index.js';
import type { RevocationKind } from '../../db/repositories/revocation-events.js';
import type { AuthStateCache, InvalidationEvent } from '../auth-state.js';
import type { Clock } from '../../domain/clock.js';
import { createSignalApplier } from './apply.js';
import type { RevocationTransport } from './redis-channel.js';

export interface DatabaseRevocationOptions {
  pollIntervalMs?: number;
  /** Rows older than this are deleted; an instance away longer drops its whole cache on return. */
  retentionMs?: number;
  /** How often each instance deletes old rows. */
  cleanupIntervalMs?: number;
}

const READ_LIMIT = 500;
const DELETE_BATCH = 500;
const MAX_UNWRITTEN = 5000;
/** An id skipped over is awaited this long (an insert not yet committed), then given up (a rollback). */
const GAP_WAIT_MS = 10_000;
const MAX_GAP_IDS = 1000;

type Row = { kind: RevocationKind; targetId: string };

/**
 * Revocation without Redis: every local invalidation becomes rows of revocation_events, and each
 * instance reads the rows after the last id it saw every `pollIntervalMs` (500 ms: a revocation
 * reaches every instance within a second) and applies them. Rows are deleted after a few minutes by
 * whichever instance gets there; a read that failed (database away) drops the whole cache once the
 * database answers again, since rows may have been missed.
 */
export async function startDatabaseRevocation(
  deps: { cache: AuthStateCache; store: DataStore; clock: Clock; logger: Logger },
  options: DatabaseRevocationOptions = {},
): Promise<RevocationTransport> {
  const { cache, store, clock, logger } = deps;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const retentionMs = options.retentionMs ?? 5 * 60_000;
  const cleanupIntervalMs = options.cleanupIntervalMs ?? 30_000;
  const events = store.repos.revocationEvents;
  const applier = createSignalApplier(cache);

  // The cache is empty at start: nothing written before now concerns this instance.
  let lastId = await events.latestId();
  const gaps = new Map<number, number>();
  let unwritten: Row[] = [];
  let readFailed = false;
  let nextCleanupAt = Date.now() + Math.random() * cleanupIntervalMs;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const writing = new Set<Promise<void>>();

  const write = async (rows: Row[]) => {
    try {
      await events.append(rows, clock.now());
    } catch (error) {
      // Kept for the next tick; past the bound the oldest go (the cache TTL covers them).
      unwritten = [...unwritten, ...rows].slice(-MAX_UNWRITTEN);
      logger.warn({ event: 'revocation_signal_deferred', err: (error as Error).message }, 'revocation signal not written; retrying');
    }
  };
  cache.onInvalidate((event) => {
    if (stopped || applier.applying()) return;
    const pending = write(rowsOf(event)).finally(() => writing.delete(pending));
    writing.add(pending);
  });

  const read = async () => {
    const rows = await events.after(lastId, [...gaps.keys()], READ_LIMIT);
    const now = Date.now();
    for (const row of rows) {
      gaps.delete(row.id);
      if (row.id > lastId) {
        if (row.id - lastId - 1 <= MAX_GAP_IDS) for (let id = lastId + 1; id < row.id; id++) gaps.set(id, now + GAP_WAIT_MS);
        lastId = row.id;
      }
      applier.apply(row.kind === 'session' ? { kind: 'session', ids: [row.targetId] } : { kind: row.kind, id: Number(row.targetId) });
    }
    for (const [id, deadline] of gaps) if (deadline <= now || gaps.size > MAX_GAP_IDS) gaps.delete(id);
  };

  const cleanup = async () => {
    const before = new Date(clock.now().getTime() - retentionMs);
    for (let batch = 0; batch < 20; batch++) {
      if ((await events.deleteOlderThan(before, DELETE_BATCH)) < DELETE_BATCH) break;
    }
  };

  const tick = async () => {
    if (unwritten.length > 0) {
      const rows = unwritten;
      unwritten = [];
      await write(rows);
    }
    try {
      await read();
      if (readFailed) applier.apply({ kind: 'all' });
      readFailed = false;
      if (Date.now() >= nextCleanupAt) {
        nextCleanupAt = Date.now() + cleanupIntervalMs;
        await cleanup();
      }
    } catch (error) {
      if (!readFailed)
        logger.warn({ event: 'revocation_poll_failed', err: (error as Error).message }, 'revocation signals could not be read');
      readFailed = true;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, pollIntervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([running, ...writing]);
      if (unwritten.length > 0) await events.append(unwritten, clock.now()).catch(() => undefined);
    },
  };
}

function rowsOf(event: InvalidationEvent): Row[] {
  if (event.kind === 'session') return event.ids.map((id) => ({ kind: 'session' as const, targetId: id }));
  return [{ kind: event.kind, targetId: String(event.id) }];
}
