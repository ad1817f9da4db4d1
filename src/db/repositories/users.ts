import type { RepoContext } from './executor.js';

export function usersRepository(_ctx: RepoContext) {
  return {};
}
