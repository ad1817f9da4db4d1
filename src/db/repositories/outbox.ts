import type { ExpressionBuilder } from 'kysely';
import type { DB } from '../schema.js';
import { affected, type RepoContext } from './executor.js';

export interface NewOutboxEmail {
  kind: string;
  /** The encrypted { to, subject, html, text }; never the plain text. */
  payloadEnc: string;
  nextAttemptAt: Date;
  createdAt: Date;
}

export interface ClaimedEmail {
  id: number;
  kind: string;
  payloadEnc: string | null;
  /** Attempts including the one this claim starts. */
  attempts: number;
}

const MAX_ERROR_CHARS = 500;
const CLAIM_SLACK = 10;

/** Cut by code points, so a multi-byte character is never split (the column holds 500 characters). */
const truncate = (text: string) => Array.from(text).slice(0, MAX_ERROR_CHARS).join('');

const finishedBefore = (before: Date) => (eb: ExpressionBuilder<DB, 'email_outbox'>) =>
  eb.or([
    eb.and([eb('status', '=', 'SENT'), eb('sentAt', '<', before)]),
    eb.and([eb('status', '=', 'ABANDONED'), eb('createdAt', '<', before)]),
  ]);

/**
 * email_outbox. A row is claimed with a guarded UPDATE that repeats every condition of the
 * candidate query (and the attempts it read), so of several workers exactly one wins each row.
 */
export function outboxRepository({ exec, dialect }: RepoContext) {
  return {
    async insert(row: NewOutboxEmail): Promise<number> {
      const query = exec.insertInto('email_outbox').values({
        kind: row.kind,
        payloadEnc: row.payloadEnc,
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: row.nextAttemptAt,
        lockedUntil: null,
        lastError: null,
        createdAt: row.createdAt,
        sentAt: null,
      });
      if (dialect === 'mysql') return Number((await query.executeTakeFirstOrThrow()).insertId);
      return (await query.returning('id').executeTakeFirstOrThrow()).id;
    },

    /**
     * Claims up to `limit` due rows until `lockUntil`; returns only the rows this call won. A few extra
     * candidates are read so that losing a race to another worker does not look like an empty outbox.
     */
    async claimDue(now: Date, limit: number, lockUntil: Date): Promise<ClaimedEmail[]> {
      const candidates = await exec
        .selectFrom('email_outbox')
        .select(['id', 'kind', 'payloadEnc', 'attempts'])
        .where('status', '=', 'PENDING')
        .where('nextAttemptAt', '<=', now)
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
        .orderBy('nextAttemptAt')
        .orderBy('id')
        .limit(limit + CLAIM_SLACK)
        .execute();
      const claimed: ClaimedEmail[] = [];
      for (const row of candidates) {
        if (claimed.length >= limit) break;
        const attempts = Number(row.attempts);
        const result = await exec
          .updateTable('email_outbox')
          .set({ lockedUntil: lockUntil, attempts: attempts + 1 })
          .where('id', '=', row.id)
          .where('status', '=', 'PENDING')
          .where('attempts', '=', attempts)
          .where('nextAttemptAt', '<=', now)
          .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
          .executeTakeFirst();
        if (affected(result) === 1) claimed.push({ id: row.id, kind: row.kind, payloadEnc: row.payloadEnc, attempts: attempts + 1 });
      }
      return claimed;
    },

    /** Delivered: the payload (which holds the OTP) is wiped. */
    async markSent(id: number, now: Date): Promise<void> {
      await exec
        .updateTable('email_outbox')
        .set({ status: 'SENT', sentAt: now, payloadEnc: null, lockedUntil: null, lastError: null })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .execute();
    },

    /** `error` must already be free of the payload (address, subject, body). */
    async markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void> {
      await exec
        .updateTable('email_outbox')
        .set({ nextAttemptAt, lockedUntil: null, lastError: truncate(error) })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .execute();
    },

    /** Given up: the payload is wiped too, as the OTP in it has expired by now anyway. */
    async markAbandoned(id: number, error: string): Promise<void> {
      await exec
        .updateTable('email_outbox')
        .set({ status: 'ABANDONED', payloadEnc: null, lockedUntil: null, lastError: truncate(error) })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .execute();
    },

    async pendingCount(): Promise<number> {
      const row = await exec
        .selectFrom('email_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('status', '=', 'PENDING')
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    /** Deletes up to `limit` finished rows: sent before `before`, or abandoned and created before it. */
    async deleteSentBefore(before: Date, limit: number): Promise<number> {
      if (dialect === 'mysql') {
        // MariaDB refuses LIMIT inside an IN subquery, but takes it on DELETE itself.
        const result = await exec.deleteFrom('email_outbox').where(finishedBefore(before)).orderBy('id').limit(limit).executeTakeFirst();
        return affected(result);
      }
      const result = await exec
        .deleteFrom('email_outbox')
        .where('id', 'in', (eb) => eb.selectFrom('email_outbox').select('id').where(finishedBefore(before)).orderBy('id').limit(limit))
        .executeTakeFirst();
      return affected(result);
    },
  };
}

export type OutboxRepository = ReturnType<typeof outboxRepository>;
