import type { AuthFlowDeps } from '../auth/deps.js';
import { createAuditQuery } from './audit-query.js';
import { createProjectAdmin } from './projects.js';
import { createUserAdmin } from './users.js';

/** The administration services: projects, users, their statistics, and the audit log. */
export function createAdminServices(deps: AuthFlowDeps) {
  return {
    projects: createProjectAdmin(deps),
    users: createUserAdmin(deps),
    auditLogs: createAuditQuery(deps),
  };
}

export type AdminServices = ReturnType<typeof createAdminServices>;
