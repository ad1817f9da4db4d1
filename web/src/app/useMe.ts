import { useQuery } from '@tanstack/react-query';
import type { UserView } from '@xtown/contract';
import { useApi } from './context';

export const meKey = ['me'] as const;

/** The signed-in user, fresh from `GET /api/auth/me` (its role decides what the dashboard shows). */
export function useMe() {
  const api = useApi();
  return useQuery<UserView>({ queryKey: meKey, queryFn: async () => (await api.auth.me()).data });
}
