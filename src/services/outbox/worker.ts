import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { Secrets } from '../../crypto/secrets.js';
import type { ClaimedEmail } from '../../db/repositories/outbox.js';
import type { DataStore } from '../../db/repositories/index.js';
import type { Clock } from '../../domain/clock.js';
import type { Mailer, OutgoingEmail } from '../../email/types.js';

export interface OutboxWorkerOptions {
  pollIntervalMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claimed row stays invisible to other workers; a send is cut off at half of it. */
  lockMs?: number;
}

export interface OutboxWorkerDeps {
  store: DataStore;
  mailer: Mailer;
  secrets: Secrets;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  options?: OutboxWorkerOptions;
  /** For the jitter; tests may pin it. */
  random?: () => number;
  /** Told of every delivery attempt's outcome (the metrics count them). */
  onOutcome?: (outcome: keyof BatchResult) => void;
}

export interface BatchResult {
  sent: number;
  failed: number;
  abandoned: number;
}

export interface OutboxWorker {
  start(): void;
  /** Stops polling and waits for the batch in flight. */
  stop(): Promise<void>;
  runOnce(): Promise<BatchResult>;
  /** Looks at the outbox soon (after a commit that enqueued); a no-op unless started. */
  nudge(): void;
}

/** Exponential back-off with "equal jitter": between half and all of base·2^(attempts−1), capped. */
export function retryDelayMs(attempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

const ADDRESS = /[^\s<>()[\]@"',;:]+@[^\s<>()[\]@"',;:]+/g;

/** The error as stored and logged: SMTP servers echo recipients in their replies, so addresses are cut out. */
export function describeSendError(error: unknown, email?: OutgoingEmail): string {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  let text = [e.code, e.responseCode, typeof e.message === 'string' ? e.message : String(error)]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  if (email) for (const secret of [email.to, email.subject]) if (secret) text = text.split(secret).join('[redacted]');
  return text.replace(ADDRESS, '[address]').slice(0, 300);
}

export function createOutboxWorker({
  store,
  mailer,
  secrets,
  clock,
  logger,
  options = {},
  random = Math.random,
  onOutcome,
}: OutboxWorkerDeps): OutboxWorker {
  const { pollIntervalMs = 1000, batchSize = 10, maxAttempts = 8, baseDelayMs = 5000, maxDelayMs = 3_600_000, lockMs = 60_000 } = options;
  const outbox = store.repos.outbox;
  const inFlight = new Set<Promise<BatchResult>>();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let again = false;
  let ticking = false;
  // Set while stop() waits: the batch in flight finishes its current email but claims no more.
  let halting = false;

  function sendWithDeadline(email: OutgoingEmail): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new Error(`send timed out after ${lockMs / 2} ms`)), lockMs / 2);
      deadline.unref();
    });
    return Promise.race([mailer.send(email), timeout]).finally(() => clearTimeout(deadline));
  }

  async function abandon(row: ClaimedEmail, reason: string, result: BatchResult) {
    await outbox.markAbandoned(row.id, reason);
    result.abandoned += 1;
    onOutcome?.('abandoned');
    logger.error({ outboxId: row.id, kind: row.kind, attempts: row.attempts, error: reason }, 'email abandoned');
  }

  async function deliver(row: ClaimedEmail, result: BatchResult): Promise<void> {
    let email: OutgoingEmail;
    try {
      if (row.payloadEnc === null) throw new Error('no payload');
      email = JSON.parse(secrets.decrypt(row.payloadEnc)) as OutgoingEmail;
    } catch {
      // A payload that will not open (e.g. JWT_SECRET changed without JWT_SECRET_PREVIOUS) never will.
      return abandon(row, 'payload cannot be decrypted', result);
    }
    try {
      await sendWithDeadline(email);
    } catch (error) {
      const reason = describeSendError(error, email);
      if (row.attempts >= maxAttempts) return abandon(row, reason, result);
      const delay = retryDelayMs(row.attempts, baseDelayMs, maxDelayMs, random);
      await outbox.markRetry(row.id, new Date(clock.now().getTime() + delay), reason);
      result.failed += 1;
      onOutcome?.('failed');
      logger.warn(
        { outboxId: row.id, kind: row.kind, attempts: row.attempts, retryInMs: delay, error: reason },
        'email send failed; will retry',
      );
      return;
    }
    await outbox.markSent(row.id, clock.now());
    result.sent += 1;
    onOutcome?.('sent');
    logger.info({ outboxId: row.id, kind: row.kind, attempts: row.attempts }, 'email sent');
  }

  /** One row at a time, so each lock starts right before its own send and a slow server cannot outlive it. */
  async function batch(): Promise<BatchResult> {
    const result: BatchResult = { sent: 0, failed: 0, abandoned: 0 };
    for (let i = 0; i < batchSize && !halting; i += 1) {
      const now = clock.now();
      const [row] = await outbox.claimDue(now, 1, new Date(now.getTime() + lockMs));
      if (!row) break;
      await deliver(row, result);
    }
    return result;
  }

  function runOnce(): Promise<BatchResult> {
    const run = batch();
    inFlight.add(run);
    const forget = () => inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  function schedule(delayMs: number) {
    clearTimeout(timer);
    timer = setTimeout(detachedTick, delayMs);
    timer.unref();
  }

  async function tick() {
    timer = undefined;
    if (!started) return;
    ticking = true;
    again = false;
    let full = false;
    try {
      // A runOnce called from outside may be running; never overlap with it.
      await Promise.allSettled([...inFlight]);
      if (started) {
        const result = await runOnce();
        full = result.sent + result.failed + result.abandoned >= batchSize;
      }
    } catch (error) {
      logger.error({ err: error }, 'outbox batch failed');
    } finally {
      ticking = false;
    }
    // A full batch or a nudge during the batch means more may be due now.
    if (started) schedule(full || again ? 0 : pollIntervalMs);
  }
  // A nudge comes from inside a request: bound to the worker's own context, its batches (and their
  // log lines) never carry that request's id, nor does every later poll.
  const detachedTick = AsyncResource.bind(() => void tick());

  return {
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      halting = true;
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
      halting = false;
    },
    runOnce,
    nudge() {
      if (!started) return;
      if (ticking) again = true;
      else schedule(0);
    },
  };
}
