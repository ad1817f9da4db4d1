import type { UserView } from '@xtown/contract';
import type { Api } from '../../api/endpoints';
import { isApiError } from '../../api/errors';

const PAGE = 100;
const MAX_PAGES = 50;

/**
 * An Admin's sub-users, for the list of what a forced deletion takes with it: `?createdById=` (API.md). The server
 * does not take that filter yet (400): until it does, the Super Admin's Sub Users are read page by page and kept
 * when the Admin created them.
 */
export async function subUsersOf(api: Api, adminId: number): Promise<UserView[]> {
  try {
    return (await api.users.list({ createdById: adminId, limit: PAGE })).data;
  } catch (error) {
    if (!isApiError(error) || error.code !== 'VALIDATION_ERROR') throw error;
  }
  const found: UserView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await api.users.list({ role: 'SUB_USER', limit: PAGE, page });
    found.push(...answer.data.filter((user) => user.createdById === adminId));
    if (page >= (answer.meta?.totalPages ?? 1)) break;
  }
  return found;
}
