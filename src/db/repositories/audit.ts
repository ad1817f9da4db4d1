import type { Insertable } from 'kysely';
import type { AuditLogsTable } from '../schema.js';
import type { RepoContext } from './executor.js';

export interface AuditEntry {
  userId: number | null;
  actorEmail: string | null;
  targetUserId?: number | null;
  action: string;
  resource?: string | null;
  projectId?: number | null;
  details?: Record<string, unknown> | null;
  ipAddress?: string | null;
  userAgent?: string | null;
  success: boolean;
  createdAt: Date;
}

/** The row an entry is stored as; also written by statements that insert it alongside other work. */
export function auditRow(entry: AuditEntry): Insertable<AuditLogsTable> {
  return {
    userId: entry.userId,
    actorEmail: entry.actorEmail,
    targetUserId: entry.targetUserId ?? null,
    action: entry.action,
    resource: entry.resource ?? null,
    projectId: entry.projectId ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
    ipAddress: entry.ipAddress?.slice(0, 45) ?? null,
    userAgent: entry.userAgent?.slice(0, 1000) ?? null,
    success: entry.success,
    createdAt: entry.createdAt,
  };
}

export function auditRepository({ exec }: RepoContext) {
  return {
    async insert(entry: AuditEntry): Promise<void> {
      await exec.insertInto('audit_logs').values(auditRow(entry)).execute();
    },
  };
}
