import type { RepoContext } from './executor.js';

export function otpsRepository(_ctx: RepoContext) {
  return {};
}
