import { auditLogs as c } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageMeta, principalOf } from '../helpers.js';
import { present } from '../present.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';

/**
 * GET /api/audit-logs: the Super Admin reads everything, an Admin the actions of itself and its sub-users.
 * GET /api/audit-logs/stats: the daily sign-in activity the dashboard charts.
 */
export const auditLogsRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/stats',
      route({
        access: 'user',
        roles: ['SUPER_ADMIN', 'ADMIN'],
        tags: ['audit-logs'],
        summary: 'Daily sign-ins, failed sign-ins, lockouts and active users, oldest day first',
        querystring: c.auditStatsQuery,
        response: { 200: c.responses.stats },
      }),
      async (request) => {
        const { days, tz } = request.query;
        return { success: true as const, data: { days: await deps.admin.auditLogs.signInActivity(principalOf(request), days, tz) } };
      },
    );

    app.get(
      '/',
      route({
        access: 'user',
        roles: ['SUPER_ADMIN', 'ADMIN'],
        tags: ['audit-logs'],
        summary: 'The audit log, newest first',
        querystring: c.auditLogsQuery,
        response: { 200: c.responses.list },
      }),
      async (request) => {
        const { page, limit, action, userId, from, to, success } = request.query;
        const { items, total } = await deps.admin.auditLogs.list(principalOf(request), {
          page,
          limit,
          action: action?.toUpperCase(),
          userId,
          from: from ? c.lowerBound(from) : undefined,
          before: to ? c.upperBound(to) : undefined,
          success,
        });
        return { success: true as const, data: present(items), meta: pageMeta(page, limit, total) };
      },
    );
  };
