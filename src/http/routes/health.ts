import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { successEnvelope } from '../schemas/common.js';

export interface HealthChecks {
  database(): Promise<boolean>;
  /** Present only when SMTP is configured. */
  smtp?: () => Promise<boolean>;
  /** Present only when REDIS_URL is set; reported, but Redis down never makes readiness 503 (limits fall back to memory). */
  redis?: () => Promise<boolean>;
  /** True once shutdown has begun: readiness answers 503 so the load balancer stops sending. */
  stopping(): boolean;
}

const status = z.enum(['healthy', 'unhealthy']);
const readiness = z.object({ database: status, redis: status.optional(), smtp: status.optional() });

/** Liveness (/health, /api/health) and readiness (/health/ready). */
export const healthRoutes = (checks: HealthChecks): FastifyPluginAsyncZod => async (app) => {
  const live = { config: { limitGroup: 'none' as const }, schema: { tags: ['health'], summary: 'Liveness', response: { 200: successEnvelope(z.object({ status: z.literal('ok') })) } } };
  const handler = async () => ({ success: true as const, data: { status: 'ok' as const } });
  app.get('/health', live, handler);
  app.get('/api/health', live, handler);

  app.get('/health/ready', { config: { limitGroup: 'none' }, schema: { tags: ['health'], summary: 'Readiness', response: { 200: successEnvelope(readiness), 503: z.object({ success: z.literal(false), message: z.string(), data: readiness, error: z.object({ code: z.string() }) }) } } }, async (_request, reply) => {
    const [database, redis, smtp] = await Promise.all([checks.database(), checks.redis?.(), checks.smtp?.()]);
    const data = {
      database: database ? 'healthy' : 'unhealthy',
      ...(redis === undefined ? {} : { redis: redis ? 'healthy' : 'unhealthy' }),
      ...(smtp === undefined ? {} : { smtp: smtp ? 'healthy' : 'unhealthy' }),
    } as z.infer<typeof readiness>;
    if (!database || checks.stopping()) {
      reply.code(503);
      return { success: false as const, message: checks.stopping() ? 'Shutting down' : 'The database is unreachable', data, error: { code: 'SERVICE_UNAVAILABLE' } };
    }
    return { success: true as const, data };
  });
};
