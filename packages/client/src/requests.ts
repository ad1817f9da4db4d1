import type { ErrorEnvelope } from '@xtown/contract';

/** `init` with `Authorization: Bearer <token>` (or untouched without a token); the caller's other headers kept. */
export function withBearer(init: RequestInit | undefined, token: string | null): RequestInit | undefined {
  if (!token) return init;
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/** Whether a response is the 401 `TOKEN_EXPIRED` that a refresh can fix (other 401s cannot). */
export async function isTokenExpired(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as Partial<ErrorEnvelope>;
    return body.error?.code === 'TOKEN_EXPIRED';
  } catch {
    return false;
  }
}
