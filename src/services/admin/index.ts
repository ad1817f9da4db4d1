import type { AuthFlowDeps } from '../auth/deps.js';
import { createAuditQuery } from './audit-query.js';
import { createAuditStats } from './audit-stats.js';
import { createProjectAdmin } from './projects.js';
import { createUserAdmin } from './users.js';

/** The administration services: projects, users, their statistics, and the audit log and its activity chart. */
export function createAdminServices(deps: AuthFlowDeps) {
  return {
    projects: createProjectAdmin(deps),
    users: createUserAdmin(deps),
    auditLogs: { ...createAuditQuery(deps), ...createAuditStats(deps) },
  };
}

export type AdminServices = ReturnType<typeof createAdminServices>;
