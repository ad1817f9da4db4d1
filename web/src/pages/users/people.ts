import type { UserView } from '@xtown/contract';
import { t } from '../../messages';

/**
 * Who an id on a user's page is (creator, suspender), without a call per id: the reader itself, the user's Admin
 * (fetched for a Sub User), and otherwise the Super Admin when an Admin reads (only it and the Super Admin act on
 * the Admin's sub-users). The Super Admin cannot fetch itself through /users, and needs no name for itself.
 */
export function personName(id: number | null, context: { me: UserView; admin?: UserView | null }): string {
  if (id === null) return t.none;
  if (id === context.me.id) return t.users.you;
  if (context.admin && id === context.admin.id) return context.admin.name;
  if (context.me.role === 'ADMIN') return t.users.theSuperAdmin;
  return t.users.userNumber(id);
}
