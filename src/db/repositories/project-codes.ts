import type { RepoContext } from './executor.js';

export function projectCodesRepository(_ctx: RepoContext) {
  return {};
}
