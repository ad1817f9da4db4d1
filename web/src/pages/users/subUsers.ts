import type { UserView } from '@xtown/contract';
import type { Api } from '../../api/endpoints';

const PAGE = 100;

/** An Admin's sub-users (`?createdById=`), every page: what a forced deletion takes with it. */
export async function subUsersOf(api: Api, adminId: number): Promise<UserView[]> {
  const found: UserView[] = [];
  for (let page = 1; ; page++) {
    const answer = await api.users.list({ createdById: adminId, limit: PAGE, page });
    found.push(...answer.data);
    if (page >= (answer.meta?.totalPages ?? 1)) return found;
  }
}
