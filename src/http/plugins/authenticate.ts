import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import type { Authenticator } from '../../services/authenticator.js';
import type { RateLimiter } from '../../services/ports.js';
import { enforce, type LimitRules } from './limits.js';

/** The bearer token of a request, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A preHandler for routes that need a user: the access token goes through the one authentication
 * step; the general limit is then counted per user (per IP when the token is refused).
 */
export function requireAccessToken(deps: { authenticator: Authenticator; limiter: RateLimiter; rules: LimitRules }) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(request);
    try {
      if (!token) throw new AppError('UNAUTHENTICATED');
      request.principal = await deps.authenticator.authenticate(token, 'ACCESS');
    } catch (error) {
      if (request.headers.authorization) await enforce(deps.limiter, `ip:${request.ip}`, deps.rules.generalByIp, request.log);
      throw error;
    }
    await enforce(deps.limiter, `user:${request.principal.userId}`, deps.rules.generalByUser, request.log);
  };
}
