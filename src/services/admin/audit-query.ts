import type { AuditFilter } from '../../db/repositories/audit-query.js';
import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import type { AuthFlowDeps } from '../auth/deps.js';

export interface AuditQuery {
  page: number;
  limit: number;
  action?: string;
  userId?: number;
  from?: Date;
  /** Exclusive upper bound (the route turns `to` into it). */
  before?: Date;
  success?: boolean;
}

/** The audit log as the dashboard reads it: the Super Admin all of it, an Admin the actions of its team. */
export function createAuditQuery(deps: Pick<AuthFlowDeps, 'store'>) {
  return {
    async list(principal: Principal, query: AuditQuery) {
      if (principal.role === 'SUB_USER') throw new AppError('FORBIDDEN');
      const filter: AuditFilter = {
        teamOf: principal.role === 'ADMIN' ? principal.userId : undefined,
        action: query.action,
        userId: query.userId,
        from: query.from,
        before: query.before,
        success: query.success,
      };
      const { rows, total } = await deps.store.repos.auditQuery.list(filter, {
        offset: (query.page - 1) * query.limit,
        limit: query.limit,
      });
      return { items: rows, total };
    },
  };
}

export type AuditQueryService = ReturnType<typeof createAuditQuery>;
