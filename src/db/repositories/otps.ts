import type { OtpPurpose } from '../schema.js';
import { toDate } from '../values.js';
import { affected, type RepoContext } from './executor.js';

export interface NewOtp {
  email: string;
  purpose: OtpPurpose;
  otpHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface LiveOtp {
  id: number;
  otpHash: string;
  expiresAt: Date;
}

/**
 * otp_requests and otp_lockouts. The guarded UPDATEs report whether they changed the row, so the
 * service can tell a counted attempt or a consumption from one that lost a race.
 */
export function otpsRepository({ exec, dialect }: RepoContext) {
  return {
    /** Marks every unused code of this email and purpose used; usedAt stays null (cancelled, not consumed). */
    async cancelLive(email: string, purpose: OtpPurpose): Promise<number> {
      const result = await exec
        .updateTable('otp_requests')
        .set({ isUsed: true })
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('isUsed', '=', false)
        .executeTakeFirst();
      return affected(result);
    },

    async insert(otp: NewOtp): Promise<number> {
      const query = exec.insertInto('otp_requests').values({
        email: otp.email,
        purpose: otp.purpose,
        otp: otp.otpHash,
        isUsed: false,
        attempts: 0,
        createdAt: otp.createdAt,
        expiresAt: otp.expiresAt,
      });
      if (dialect === 'mysql') return Number((await query.executeTakeFirstOrThrow()).insertId);
      return (await query.returning('id').executeTakeFirstOrThrow()).id;
    },

    /** The newest unused, unexpired code (a new code cancels the older ones, so normally the only one). */
    async findNewestLive(email: string, purpose: OtpPurpose, now: Date): Promise<LiveOtp | undefined> {
      const row = await exec
        .selectFrom('otp_requests')
        .select(['id', 'otp', 'expiresAt'])
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('isUsed', '=', false)
        .where('expiresAt', '>', now)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && { id: row.id, otpHash: row.otp, expiresAt: toDate(row.expiresAt) };
    },

    /** Counts one attempt unless the code is used, expired or out of attempts; true when it was counted. */
    async countAttempt(id: number, maxAttempts: number, now: Date): Promise<boolean> {
      const result = await exec
        .updateTable('otp_requests')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('attempts', '<', maxAttempts)
        .where('isUsed', '=', false)
        .where('expiresAt', '>', now)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    /** True when this call consumed the code; false when it was already used or cancelled. */
    async consume(id: number, now: Date): Promise<boolean> {
      const result = await exec
        .updateTable('otp_requests')
        .set({ isUsed: true, usedAt: now })
        .where('id', '=', id)
        .where('isUsed', '=', false)
        .executeTakeFirst();
      return affected(result) === 1;
    },

    /** Wrong tries on this email and purpose's codes created after `since`: attempts minus successful ones. */
    async failuresSince(email: string, purpose: OtpPurpose, since: Date): Promise<number> {
      const row = await exec
        .selectFrom('otp_requests')
        .select((eb) => [
          eb.fn.sum<number | string | null>('attempts').as('attempts'),
          eb.fn.count<number | string>('usedAt').as('succeeded'),
        ])
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('createdAt', '>', since)
        .executeTakeFirst();
      // SUM comes back as a string on MySQL (DECIMAL) and as null over no rows.
      return Number(row?.attempts ?? 0) - Number(row?.succeeded ?? 0);
    },

    async activeLockout(email: string, purpose: OtpPurpose, now: Date): Promise<Date | undefined> {
      const row = await exec
        .selectFrom('otp_lockouts')
        .select('lockedUntil')
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('lockedUntil', '>', now)
        .executeTakeFirst();
      return row && toDate(row.lockedUntil);
    },

    /** Frees the primary key of a lockout that has run out, so that a new one can be inserted. */
    async clearExpiredLockout(email: string, purpose: OtpPurpose, now: Date): Promise<void> {
      await exec
        .deleteFrom('otp_lockouts')
        .where('email', '=', email)
        .where('purpose', '=', purpose)
        .where('lockedUntil', '<=', now)
        .execute();
    },

    /** True only for the one call that inserted the row; concurrent callers get false, never an error. */
    async insertLockout(email: string, purpose: OtpPurpose, lockedUntil: Date, now: Date): Promise<boolean> {
      const insert = exec.insertInto('otp_lockouts').values({ email, purpose, lockedUntil, createdAt: now });
      const query = dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(['email', 'purpose']).doNothing());
      const result = await query.executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /**
     * Deletes up to `limit` codes that expired before `before`. Codes count towards the 24 h failure
     * cap, so `before` must be at least 24 h in the past.
     */
    async deleteExpired(before: Date, limit: number): Promise<number> {
      if (dialect === 'mysql') {
        // MariaDB refuses LIMIT inside an IN subquery, but takes it on DELETE itself.
        const result = await exec.deleteFrom('otp_requests').where('expiresAt', '<', before).orderBy('id').limit(limit).executeTakeFirst();
        return affected(result);
      }
      const result = await exec
        .deleteFrom('otp_requests')
        .where('id', 'in', (eb) => eb.selectFrom('otp_requests').select('id').where('expiresAt', '<', before).orderBy('id').limit(limit))
        .executeTakeFirst();
      return affected(result);
    },

    async deleteExpiredLockouts(before: Date): Promise<number> {
      return affected(await exec.deleteFrom('otp_lockouts').where('lockedUntil', '<=', before).executeTakeFirst());
    },
  };
}

export type OtpsRepository = ReturnType<typeof otpsRepository>;
