import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import { REFRESH_COOKIE } from './helpers.js';

/**
 * API.md's cookie paragraph: the refresh cookie rides on every same-site request, so a call that relies on it
 * must prove it comes from the dashboard: an `Origin` that is exactly one of `origins` (PUBLIC_URL's, then
 * COOKIE_ORIGINS; a missing one or `null` is refused), and a JSON content type, which a cross-origin page can
 * only send after a CORS preflight that these origins alone pass. A token in the body needs neither: nothing
 * ambient is being relied on. Undefined when the request carries no cookie.
 */
export function cookieRefreshToken(request: FastifyRequest, origins: ReadonlySet<string>): string | undefined {
  const token = request.cookies[REFRESH_COOKIE];
  if (!token) return undefined;
  const origin = request.headers.origin;
  if (origin === undefined || !origins.has(origin) || !isJson(request.headers['content-type'])) {
    throw new AppError('FORBIDDEN', {
      message: 'Calls that rely on the session cookie must come from the dashboard, as JSON',
    });
  }
  return token;
}

const isJson = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
