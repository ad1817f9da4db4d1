import type { RepoContext } from './executor.js';

export function projectsRepository(_ctx: RepoContext) {
  return {};
}
