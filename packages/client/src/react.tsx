import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from 'react';
import type { SessionClient } from './session-client.js';
import type { SessionState } from './types.js';

const AuthContext = createContext<SessionClient | null>(null);

/** Puts a session client in context and restores the session from the refresh cookie once, on mount. */
export function AuthProvider({ client, children }: { client: SessionClient; children: ReactNode }) {
  useEffect(() => {
    void client.start();
  }, [client]);
  return <AuthContext.Provider value={client}>{children}</AuthContext.Provider>;
}

/** The session client: `signIn`, `signOut`, `authorizedFetch`, `getAccessToken`. */
export function useAuth(): SessionClient {
  const client = useContext(AuthContext);
  if (!client) throw new Error('useAuth() needs an <AuthProvider> above it');
  return client;
}

/** The session's state, re-rendering on every change (this tab's or another's). */
export function useSession(): SessionState {
  const client = useAuth();
  return useSyncExternalStore(client.onChange, client.getState, client.getState);
}
