import type { RepoContext } from './executor.js';

export function signingKeysRepository(_ctx: RepoContext) {
  return {};
}
