import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context';
import { useMe } from '../../app/useMe';

export const userStatsKey = ['users', 'stats'] as const;

/** An Admin's sub-users left: its limit (the me query) less the sub-users it has (`GET /api/users/stats`). */
export function useAllowance() {
  const api = useApi();
  const me = useMe().data;
  const isAdmin = me?.role === 'ADMIN';
  const stats = useQuery({ queryKey: userStatsKey, queryFn: async () => (await api.users.stats()).data, enabled: isAdmin });
  if (!isAdmin || !me || !stats.data) return null;
  const limit = me.subUserLimit;
  return { limit, used: stats.data.subUsers, left: Math.max(0, limit - stats.data.subUsers) };
}
