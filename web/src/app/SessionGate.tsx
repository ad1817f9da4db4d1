import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '@xtown/client/react';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { t } from '../messages';
import { useApi } from './context';

/** What the sign-in page is told through the router's state (never the URL): where to go back, and why. */
export interface SignInState {
  from?: string;
  reason?: string;
}

export function PageLoader() {
  return (
    <Center h="60vh" aria-busy="true">
      <Loader aria-label={t.loading} />
    </Center>
  );
}

/** A path of the dashboard's own: anything else (another origin, `//host`) becomes `/`. */
export const ownPath = (path: string | undefined) => (path && path.startsWith('/') && !path.startsWith('//') ? path : '/');

/** Signed-in pages: wait for the session; a signed-out visitor goes to the setup wizard (no Super Admin yet) or to sign-in. */
export function SessionGate() {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <PageLoader />;
  if (session.status === 'signedOut') {
    const reason = session.reason === 'SIGNED_OUT' || session.reason === 'UNAUTHENTICATED' ? undefined : session.reason;
    return <SignedOut state={{ from: location.pathname + location.search, reason }} />;
  }
  return <Outlet />;
}

function SignedOut({ state }: { state: SignInState }) {
  const api = useApi();
  const check = useQuery({ queryKey: ['check-super-admin'], queryFn: async () => (await api.auth.checkSuperAdmin()).data });
  if (check.isPending) return <PageLoader />;
  if (check.data && !check.data.exists) return <Navigate to="/setup" replace />;
  return <Navigate to="/login" replace state={state} />;
}

/** Sign-in and setup: a signed-in visitor goes home (or back where it came from, a path of our own only). */
export function PublicOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <PageLoader />;
  if (session.status === 'signedIn') return <Navigate to={ownPath((location.state as SignInState | null)?.from)} replace />;
  return <>{children}</>;
}
