import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import type { Role } from '../../services/models.js';

/** A preHandler (after requireAccessToken) that lets only the given roles through: 403 FORBIDDEN otherwise. */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest) => {
    if (!request.principal) throw new AppError('UNAUTHENTICATED');
    if (!roles.includes(request.principal.role)) throw new AppError('FORBIDDEN');
  };
}
