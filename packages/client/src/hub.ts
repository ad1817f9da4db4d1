import type { ErrorEnvelope, RefreshAnswer } from '@xtown/contract';
import { refusalFrom } from './refusal.js';
import type { RefreshCall } from './types.js';

type Fetch = typeof globalThis.fetch;

/** A failure that says nothing about the session (network, 429, 5xx): the caller may try again later. */
export class TransientRefreshError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransientRefreshError';
  }
}

// API.md: a cookie call must carry `Content-Type: application/json` so that it is never a CORS "simple
// request"; an empty JSON object satisfies that (and the body parser) and carries no token.
const cookieCall = (init: { body?: unknown; headers?: Record<string, string> } = {}): RequestInit => ({
  method: 'POST',
  credentials: 'include',
  headers: { 'content-type': 'application/json', ...init.headers },
  body: JSON.stringify(init.body ?? {}),
});

async function envelopeOf(response: Response): Promise<Partial<ErrorEnvelope> | undefined> {
  try {
    return (await response.json()) as Partial<ErrorEnvelope>;
  } catch {
    return undefined;
  }
}

/**
 * The hub's own refresh: `POST /api/auth/refresh-token` through the httpOnly `xtown_refresh` cookie.
 * `baseUrl` is the hub's origin ('' for the same origin, the only one the cookie is sent to).
 */
export function hubRefresh(baseUrl = '', fetchImpl: Fetch = (...args) => globalThis.fetch(...args)): RefreshCall {
  return async () => {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/api/auth/refresh-token`, cookieCall());
    } catch (error) {
      throw new TransientRefreshError(`refresh failed: ${(error as Error).message}`);
    }
    if (response.ok) {
      // The answer also holds the rotated refresh token: dropped here, the cookie already carries it.
      const { data } = (await response.json()) as { data: RefreshAnswer };
      return { ok: true, accessToken: data.accessToken, expiresIn: data.expiresIn };
    }
    if (response.status === 401 || response.status === 403) return refusalFrom(await envelopeOf(response));
    throw new TransientRefreshError(`refresh answered ${response.status}`, response.status);
  };
}

export interface LogoutOptions {
  /** End every session of the user, not only this one (needs the access token). */
  allDevices?: boolean;
  accessToken?: string | null;
}

/** The hub's logout: `POST /api/auth/logout` through the cookie; the server clears the cookie. */
export function hubLogout(baseUrl = '', fetchImpl: Fetch = (...args) => globalThis.fetch(...args)) {
  return async (options: LogoutOptions = {}): Promise<void> => {
    const headers: Record<string, string> = options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {};
    const response = await fetchImpl(
      `${baseUrl}/api/auth/logout`,
      cookieCall({ body: options.allDevices ? { allDevices: true } : {}, headers }),
    );
    if (!response.ok && response.status >= 500) throw new TransientRefreshError(`logout answered ${response.status}`, response.status);
  };
}
