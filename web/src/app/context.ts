import { createContext, useContext } from 'react';
import type { Api } from '../api/endpoints';

export const ApiContext = createContext<Api | null>(null);

/** The typed API of the dashboard (signed-in calls go through the session client). */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() needs the ApiContext provider');
  return api;
}
