import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireRole } from '../plugins/guards.js';
import { auditLogsQuery, lowerBound, responses, upperBound } from '../schemas/audit.js';
import { errors } from '../schemas/common.js';
import { pageMeta } from '../schemas/pagination.js';
import { present } from '../present.js';
import type { RouteDeps } from './deps.js';

/** GET /api/audit-logs: the Super Admin reads everything, an Admin the actions of itself and its sub-users. */
export const auditLogsRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/',
    {
      config: { requiresAuth: true },
      onRequest: [deps.requireAccessToken, requireRole('SUPER_ADMIN', 'ADMIN')],
      schema: { tags: ['audit-logs'], security: [{ bearerAuth: [] }], summary: 'The audit log, newest first', querystring: auditLogsQuery, response: { 200: responses.list, ...errors(400, 401, 403, 429) } },
    },
    async (request) => {
      const { page, limit, action, userId, from, to, success } = request.query;
      const { items, total } = await deps.admin.auditLogs.list(request.principal!, {
        page,
        limit,
        action: action?.toUpperCase(),
        userId,
        from: from ? lowerBound(from) : undefined,
        before: to ? upperBound(to) : undefined,
        success,
      });
      return { success: true as const, data: present(items) as never, meta: pageMeta(page, limit, total) };
    },
  );
};
