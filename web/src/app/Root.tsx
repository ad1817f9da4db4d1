import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { SessionClient } from '@xtown/client';
import { AuthProvider } from '@xtown/client/react';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { isApiError } from '../api/errors';
import type { Api } from '../api/endpoints';
import { ApiContext } from './context';
import { createRouter } from './routes';
import { cssVariablesResolver, theme } from './theme';

function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    // Figures and lists refresh at once after the user's own change: every successful change marks every query stale.
    mutationCache: new MutationCache({ onSuccess: () => client.invalidateQueries() }),
    defaultOptions: {
      queries: {
        // A refused call (4xx) is an answer, not a glitch: only network errors and 5xx are retried.
        retry: (failures, error) => failures < 2 && (!isApiError(error) || error.status === 0 || error.status >= 500),
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
    },
  });
  return client;
}

export function Root({ session, api }: { session: SessionClient; api: Api }) {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(createRouter);
  // Another account's data must never be shown after a sign-out (or a sign-in in another tab).
  useEffect(() => session.onChange((state) => state.status !== 'signedIn' && queryClient.clear()), [session, queryClient]);

  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <AuthProvider client={session}>
          <ApiContext.Provider value={api}>
            <ModalsProvider>
              <RouterProvider router={router} />
            </ModalsProvider>
          </ApiContext.Provider>
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
