import type { RepoContext } from './executor.js';

export function sessionsRepository(_ctx: RepoContext) {
  return {};
}
