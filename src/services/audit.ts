import type { AuditEntry } from '../db/repositories/audit.js';
import type { DataStore, Repositories } from '../db/repositories/index.js';
import type { Clock } from '../domain/clock.js';
import type { RequestMeta } from '../domain/ports.js';

export type AuditInput = Omit<AuditEntry, 'createdAt' | 'ipAddress' | 'userAgent'>;

export interface AuditLog {
  /** Writes one row, in `tx` when given (so it commits with the change), else on its own. */
  record(input: AuditInput, meta: RequestMeta | undefined, tx?: Repositories): Promise<void>;
}

type Logger = { error(obj: object, msg: string): void };

/**
 * A failed audit write outside a transaction is logged, not thrown: the user's request already
 * happened (a login, a refused token) and answering 500 would not undo it.
 */
/** The row of an input: who asked (from the request) and when. */
export function auditEntry(input: AuditInput, meta: RequestMeta | undefined, now: Date): AuditEntry {
  return { ...input, ipAddress: meta?.ip ?? null, userAgent: meta?.userAgent ?? null, createdAt: now };
}

export function createAuditLog(deps: { store: DataStore; clock: Clock; logger: Logger }): AuditLog {
  return {
    async record(input, meta, tx) {
      const entry = auditEntry(input, meta, deps.clock.now());
      if (tx) return tx.audit.insert(entry);
      try {
        await deps.store.repos.audit.insert(entry);
      } catch (error) {
        deps.logger.error({ err: error, action: input.action, reqId: meta?.reqId }, 'audit write failed');
      }
    },
  };
}
