import { expressionBuilder, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { AuditLogsTable, DB } from '../schema.js';
import { toBool, toDate } from '../values.js';
import type { RepoContext } from './executor.js';

export interface AuditFilter {
  /** Only the actions of this Admin and of its own sub-users. */
  teamOf?: number;
  action?: string;
  /** Matches the actor or the target. */
  userId?: number;
  from?: Date;
  /** Exclusive upper bound. */
  before?: Date;
  success?: boolean;
}

/** An audit row as the API shows it: details parsed back into an object. */
export interface AuditRecord {
  id: number;
  userId: number | null;
  actorEmail: string | null;
  targetUserId: number | null;
  action: string;
  resource: string | null;
  projectId: number | null;
  details: Record<string, unknown> | null;
  ipAddress: string | null;
  userAgent: string | null;
  success: boolean;
  createdAt: Date;
}

function parseDetails(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function mapAudit(row: Selectable<AuditLogsTable>): AuditRecord {
  return { ...row, details: parseDetails(row.details), success: toBool(row.success), createdAt: toDate(row.createdAt) };
}

const eb = expressionBuilder<DB, 'audit_logs'>();

function conditions(filter: AuditFilter): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  if (filter.teamOf !== undefined) {
    const adminId = filter.teamOf;
    const subUsers = eb
      .selectFrom('users')
      .select('users.id')
      .where('users.createdById', '=', adminId)
      .where('users.role', '=', 'SUB_USER');
    where.push(eb.or([eb('audit_logs.userId', '=', adminId), eb('audit_logs.userId', 'in', subUsers)]));
  }
  if (filter.action !== undefined) where.push(eb('audit_logs.action', '=', filter.action));
  if (filter.userId !== undefined)
    where.push(eb.or([eb('audit_logs.userId', '=', filter.userId), eb('audit_logs.targetUserId', '=', filter.userId)]));
  if (filter.from !== undefined) where.push(eb('audit_logs.createdAt', '>=', filter.from));
  if (filter.before !== undefined) where.push(eb('audit_logs.createdAt', '<', filter.before));
  if (filter.success !== undefined) where.push(eb('audit_logs.success', '=', filter.success));
  return where;
}

/** Reading the audit log: filtered, scoped, newest first. */
export function auditQueryRepository({ exec }: RepoContext) {
  return {
    async list(filter: AuditFilter, page: { offset: number; limit: number }): Promise<{ rows: AuditRecord[]; total: number }> {
      const where = conditions(filter);
      const filtered = exec.selectFrom('audit_logs').$if(where.length > 0, (q) => q.where(eb.and(where)));
      const [count, rows] = await Promise.all([
        filtered.select((s) => s.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
        filtered
          .selectAll()
          .orderBy('audit_logs.createdAt', 'desc')
          .orderBy('audit_logs.id', 'desc')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
      ]);
      return { rows: rows.map(mapAudit), total: Number(count.count) };
    },
  };
}
