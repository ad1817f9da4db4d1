import { VerifyError, type VerifyErrorCode } from './errors.js';

export interface HubCall {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** The envelope's error code if it is one the kit passes on, else TOKEN_INVALID. */
function refusalCode(body: unknown): VerifyErrorCode {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return code === 'TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID';
}

/**
 * POSTs JSON to the service and returns the envelope's `data`. A 400 or 401 is the token's or the code's fault
 * (TOKEN_INVALID / TOKEN_EXPIRED); anything else (network, timeout, 429, 5xx) is SERVICE_UNAVAILABLE.
 */
export async function postJson<T>(call: HubCall, url: string, body: unknown): Promise<T> {
  let response: Response;
  let parsed: unknown;
  try {
    response = await call.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    parsed = await response.json().catch(() => null);
  } catch (error) {
    throw new VerifyError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  }
  if (response.status === 200 && (parsed as { success?: unknown } | null)?.success === true) return (parsed as { data: T }).data;
  if (response.status === 400 || response.status === 401) {
    const message = (parsed as { message?: unknown } | null)?.message;
    throw new VerifyError(refusalCode(parsed), typeof message === 'string' ? message : undefined);
  }
  throw new VerifyError('SERVICE_UNAVAILABLE', `The authentication service answered ${response.status}`);
}
