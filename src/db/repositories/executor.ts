import type { Kysely, Transaction } from 'kysely';
import type { DialectName } from '../client.js';
import type { DB } from '../schema.js';

/** What a repository runs its queries on: the pool, or a transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

export interface RepoContext {
  exec: Executor;
  dialect: DialectName;
}

/** Affected-row count of an UPDATE or DELETE, on every driver. */
export function affected(
  result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | { numUpdatedRows: bigint } | { numDeletedRows: bigint },
): number {
  const r = result as { numUpdatedRows?: bigint; numDeletedRows?: bigint };
  return Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0n);
}
