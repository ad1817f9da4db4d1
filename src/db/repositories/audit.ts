import type { RepoContext } from './executor.js';

export function auditRepository(_ctx: RepoContext) {
  return {};
}
