import type { ErrorDetail, ErrorEnvelope } from '@xtown/contract';
import { ApiError } from './errors';

export interface ListMeta {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

export interface Answer<T> {
  data: T;
  meta?: ListMeta;
  message?: string;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
}

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** One API call through `fetcher` (plain fetch for public routes, the session's authorizedFetch otherwise). */
export async function call<T>(fetcher: Fetcher, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const init: RequestInit = { method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), credentials: 'same-origin' };
  if (options.body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetcher(withQuery(path, options.query), init);
  } catch {
    throw new ApiError('The service cannot be reached', 0, 'NETWORK_ERROR');
  }
  const body = (await response.json().catch(() => undefined)) as (Answer<T> & Partial<ErrorEnvelope>) | undefined;
  if (response.ok && body?.success) return body;
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  const details = body?.error?.details;
  const fieldErrors: ErrorDetail[] = Array.isArray(details) ? details : [];
  throw new ApiError(
    body?.message ?? `HTTP ${response.status}`,
    response.status,
    body?.error?.code ?? 'INTERNAL_ERROR',
    fieldErrors,
    retryAfter,
  );
}
