import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../schema.js';
import { isRetryableTransactionError } from '../values.js';

const MAX_TRANSACTION_ATTEMPTS = 4;

/**
 * Runs fn in one transaction. MySQL and PostgreSQL may pick a transaction as a deadlock victim; it
 * did nothing, so it is run again (fn must have no effect outside `trx`).
 */
export async function transactionWithRetry<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(fn);
    } catch (error) {
      if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
