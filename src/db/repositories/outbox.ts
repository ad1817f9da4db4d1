import type { RepoContext } from './executor.js';

export function outboxRepository(_ctx: RepoContext) {
  return {};
}
