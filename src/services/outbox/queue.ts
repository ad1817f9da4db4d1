import type { Secrets } from '../../crypto/secrets.js';
import type { Repositories } from '../../db/repositories/index.js';
import type { Clock } from '../../domain/clock.js';
import { renderEmail } from '../../email/templates.js';
import type { EmailData, EmailKind, OutgoingEmail } from '../../email/types.js';

/** Puts an email in the outbox inside the caller's transaction, so it is sent if and only if the change commits. */
export interface EmailQueue {
  enqueue<K extends EmailKind>(tx: Repositories, kind: K, to: string, data: EmailData[K]): Promise<void>;
  /** Asks the worker to look at the outbox now (call after the transaction commits). */
  nudge(): void;
}

export interface EmailQueueDeps {
  secrets: Secrets;
  clock: Clock;
  /** PUBLIC_URL: the emails link to the dashboard's pages there. */
  publicUrl?: string;
  /** Called after each insert (e.g. a metrics counter); the transaction may still roll back. */
  onEnqueue?: (kind: EmailKind) => void;
}

export interface WakeableEmailQueue extends EmailQueue {
  /** The worker's nudge; set once the worker exists (the queue is built first, the worker needs the store). */
  setWaker(fn: (() => void) | undefined): void;
}

/** Encrypts the payload into the outbox inside the caller's transaction; the worker delivers it. */
export function createEmailQueue({ secrets, clock, publicUrl, onEnqueue }: EmailQueueDeps): WakeableEmailQueue {
  let waker: (() => void) | undefined;
  return {
    async enqueue<K extends EmailKind>(tx: Repositories, kind: K, to: string, data: EmailData[K]) {
      const payload: OutgoingEmail = { to, ...renderEmail(kind, data, publicUrl ? { publicUrl, to } : undefined) };
      const now = clock.now();
      await tx.outbox.insert({ kind, payloadEnc: secrets.encrypt(JSON.stringify(payload)), nextAttemptAt: now, createdAt: now });
      onEnqueue?.(kind);
    },
    nudge() {
      waker?.();
    },
    setWaker(fn) {
      waker = fn;
    },
  };
}
