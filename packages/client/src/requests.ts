import type { ErrorEnvelope } from '@xtown/contract';

/** `init` with `Authorization: Bearer <token>` (or untouched without a token); the caller's other headers kept. */
export function withBearer(init: RequestInit | undefined, token: string | null): RequestInit | undefined {
  if (!token) return init;
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * Whether a refresh may fix this answer: a 401 `TOKEN_EXPIRED`, or a 401 `TOKEN_INVALID` (a revoked access token:
 * the refresh then either gets a fresh one or is refused with the reason, e.g. a suspension, that the user is told).
 */
export async function isRefreshable(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as Partial<ErrorEnvelope>;
    return body.error?.code === 'TOKEN_EXPIRED' || body.error?.code === 'TOKEN_INVALID';
  } catch {
    return false;
  }
}
