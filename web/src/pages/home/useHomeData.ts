import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../app/context';

/** The figures poll every 30 s (the seed's polling strategy), refresh when the tab regains focus, and after any change. */
const REFRESH = { refetchInterval: 30_000 } as const;

export const ACTIVITY_DAYS = 30;

/** The browser's IANA time zone: the activity chart's days are the reader's days. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function useUserStats() {
  const api = useApi();
  return useQuery({ queryKey: ['users', 'stats'], queryFn: async () => (await api.users.stats()).data, ...REFRESH });
}

export function useProjectStats() {
  const api = useApi();
  return useQuery({ queryKey: ['projects', 'stats'], queryFn: async () => (await api.projects.stats()).data, ...REFRESH });
}

export function useActivity(days = ACTIVITY_DAYS, tz = browserTimeZone()) {
  const api = useApi();
  return useQuery({
    queryKey: ['audit-logs', 'stats', days, tz],
    queryFn: async () => (await api.audit.stats(days, tz)).data.days,
    ...REFRESH,
  });
}
