import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestMeta } from '../domain/ports.js';

/** The httpOnly cookie that carries the refresh token for the dashboard. */
export const REFRESH_COOKIE = 'xtown_refresh';
const REFRESH_COOKIE_PATH = '/api/auth';

/** The bearer token of a request, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** Who made the request, for the audit log and the services' log lines. */
export const metaOf = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers['user-agent']?.slice(0, 1000) ?? null,
  reqId: request.id,
});

/** Every response that carries a refresh token also sets it as the cookie; it lives as long as the session has left. */
export function setRefreshCookie(reply: FastifyReply, secure: boolean, payload: { refreshToken: string; refreshExpiresIn: number }) {
  reply.setCookie(REFRESH_COOKIE, payload.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    secure,
    maxAge: payload.refreshExpiresIn,
  });
}

export const clearRefreshCookie = (reply: FastifyReply) => reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });

/** API.md "Envelope": the meta of a page of a list. */
export const pageMeta = (page: number, limit: number, total: number) => ({ page, limit, total, totalPages: Math.ceil(total / limit) });

/** The principal of a `user` route: the access hook has set it before any handler runs. */
export function principalOf(request: FastifyRequest) {
  if (!request.principal) throw new Error('principalOf() on a route that is not declared with user access');
  return request.principal;
}
