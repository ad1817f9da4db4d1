import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DataStore } from '../db/repositories/index.js';
import type { Clock } from '../domain/clock.js';

/** The lease name in job_leases. */
export const CLEANUP_JOB = 'cleanup';

const HOUR_MS = 3_600_000;

export interface CleanupTask {
  /** The key of its count in a run's report and log line. */
  name: string;
  /** Deletes up to `limit` rows that are due at `now` and says how many went; called again while that equals `limit`. */
  run(now: Date, limit: number): Promise<number>;
}

export interface CleanupOptions {
  /** A session is deleted this long after its absolute expiry: an access token minted just before it lives to its own end. */
  sessionGraceMs?: number;
  /** Expired OTPs are kept this long: the 24 h cap on wrong guesses counts them. */
  otpRetentionMs?: number;
  /** Delivered or abandoned emails are kept this long (for the operator's inquiries). */
  outboxRetentionMs?: number;
  /**
   * Project events are kept this long (at least JWT_EXPIRES_IN, the default: a token issued before a deleted
   * event has expired by then); a reader resuming before the newest deleted one gets `resync`.
   */
  projectEventRetentionMs?: number;
  /** Delay of the first run after start(): a fleet restarted more often than the interval still cleans up. */
  firstRunDelayMs?: number;
}

export interface CleanupDeps {
  store: DataStore;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  config: Pick<Config, 'cleanup' | 'accessTokenTtlSec'>;
  options?: CleanupOptions;
  /** Who holds the lease; unique per process by default. */
  holder?: string;
}

export interface CleanupRun {
  /** False when another instance holds this interval's lease (nothing was deleted). */
  ran: boolean;
  holder: string;
  deleted: Record<string, number>;
  batches: number;
}

export interface CleanupJob {
  readonly holder: string;
  start(): void;
  /** Stops scheduling and waits for a run in progress, which stops between two batches. */
  stop(): Promise<void>;
  /** One run now (if this instance gets the lease); what start() schedules every interval. */
  runOnce(): Promise<CleanupRun>;
  /** More work for every run, e.g. old revocation events once that table exists. */
  addTask(task: CleanupTask): void;
}

/**
 * Deletes what can never be used again, on TOKEN_CLEANUP_INTERVAL_MS in batches of
 * TOKEN_CLEANUP_BATCH_SIZE: sessions past their absolute expiry with their refresh tokens (rotated
 * and revoked tokens stay until then, so reuse is always detected), old expired OTPs and lockouts,
 * used or expired project codes, and finished emails past their retention. Of several instances,
 * the one that takes the interval's lease in job_leases runs it; the others skip.
 */
export function createCleanupJob({ store, clock, logger, config, options = {}, holder: givenHolder }: CleanupDeps): CleanupJob {
  const { intervalMs, batchSize } = config.cleanup;
  const sessionGraceMs = options.sessionGraceMs ?? config.accessTokenTtlSec * 1000;
  const otpRetentionMs = options.otpRetentionMs ?? 24 * HOUR_MS;
  const outboxRetentionMs = options.outboxRetentionMs ?? 7 * 24 * HOUR_MS;
  const projectEventRetentionMs = Math.max(options.projectEventRetentionMs ?? 0, config.accessTokenTtlSec * 1000);
  const firstRunDelayMs = options.firstRunDelayMs ?? Math.min(intervalMs, 30_000);
  // A little short of the interval, so that the holder's next tick (never early, often a little late) finds it free.
  const leaseMs = intervalMs - Math.min(5_000, Math.floor(intervalMs / 10));
  const holder = givenHolder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const { repos } = store;
  let sessionExtras = { refreshTokens: 0, projectCodes: 0 };

  const tasks: CleanupTask[] = [
    {
      name: 'sessions',
      async run(now, limit) {
        const ids = await repos.cleanup.expiredSessionIds(new Date(now.getTime() - sessionGraceMs), limit);
        if (ids.length === 0) return 0;
        const counts = await store.transaction((tx) => tx.cleanup.deleteSessions(ids));
        sessionExtras.refreshTokens += counts.refreshTokens;
        sessionExtras.projectCodes += counts.projectCodes;
        return counts.sessions;
      },
    },
    { name: 'otps', run: (now, limit) => repos.otps.deleteExpired(new Date(now.getTime() - otpRetentionMs), limit) },
    { name: 'otpLockouts', run: (now) => repos.otps.deleteExpiredLockouts(now) },
    { name: 'projectCodes', run: (now, limit) => repos.cleanup.deleteSpentProjectCodes(now, limit) },
    { name: 'emails', run: (now, limit) => repos.outbox.deleteSentBefore(new Date(now.getTime() - outboxRetentionMs), limit) },
    {
      name: 'projectEvents',
      run: (now, limit) => repos.projectEvents.purgeOlderThan(new Date(now.getTime() - projectEventRetentionMs), limit),
    },
  ];

  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<CleanupRun> | undefined;

  async function work(): Promise<CleanupRun> {
    const now = clock.now();
    const run: CleanupRun = { ran: false, holder, deleted: {}, batches: 0 };
    if (!(await repos.jobLeases.tryAcquire(CLEANUP_JOB, holder, now, new Date(now.getTime() + leaseMs)))) {
      logger.debug({ event: 'cleanup_skipped', holder }, 'cleanup: another instance holds this interval');
      return run;
    }
    run.ran = true;
    sessionExtras = { refreshTokens: 0, projectCodes: 0 };
    const startedAt = Date.now();
    for (const task of tasks) {
      let total = 0;
      try {
        for (;;) {
          if (stopping) break;
          const deleted = await task.run(now, batchSize);
          total += deleted;
          run.batches += 1;
          if (deleted < batchSize) break;
          // Between batches, let requests waiting for the database (SQLite has one writer) go first.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        logger.error({ event: 'cleanup_failed', task: task.name, err: error }, 'cleanup task failed; the next run tries again');
      }
      run.deleted[task.name] = total;
    }
    run.deleted.refreshTokens = sessionExtras.refreshTokens;
    run.deleted.sessionProjectCodes = sessionExtras.projectCodes;
    logger.info({ event: 'cleanup', holder, deleted: run.deleted, batches: run.batches, ms: Date.now() - startedAt }, 'cleanup done');
    return run;
  }

  function runOnce(): Promise<CleanupRun> {
    // Never two runs of one instance at once; a caller during a run shares it.
    if (current) return current;
    const run = work().finally(() => {
      current = undefined;
    });
    current = run;
    return run;
  }

  function schedule(delayMs: number) {
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch((error: unknown) => logger.error({ event: 'cleanup_failed', err: error }, 'cleanup failed; the next run tries again'))
        .finally(() => {
          if (started) schedule(intervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    holder,
    start() {
      if (started) return;
      started = true;
      stopping = false;
      schedule(firstRunDelayMs);
    },
    async stop() {
      started = false;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await current?.catch(() => undefined);
      stopping = false;
    },
    runOnce,
    addTask(task) {
      tasks.push(task);
    },
  };
}
