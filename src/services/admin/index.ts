import type { AuthFlowDeps } from '../auth/deps.js';

/** The administration services (projects, users, statistics, audit log); filled in by the administration issue. */
export function createAdminServices(_deps: AuthFlowDeps) {
  return {};
}

export type AdminServices = ReturnType<typeof createAdminServices>;
