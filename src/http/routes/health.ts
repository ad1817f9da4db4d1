import { health } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { route } from '../route.js';

export interface HealthChecks {
  database(): Promise<boolean>;
  /** Present only when SMTP is configured. */
  smtp?: () => Promise<boolean>;
  /** Present only when REDIS_URL is set; reported, but Redis down never makes readiness 503 (limits fall back to memory). */
  redis?: () => Promise<boolean>;
  /** True once shutdown has begun: readiness answers 503 so the load balancer stops sending. */
  stopping(): boolean;
}

const tags = ['health'];
const verdict = (healthy: boolean) => (healthy ? 'healthy' : 'unhealthy');

/** Liveness (/health, /api/health) and readiness (/health/ready), outside every limit. */
export const healthRoutes =
  (checks: HealthChecks): FastifyPluginAsyncZod =>
  async (app) => {
    const live = route({ access: 'public', limits: [], tags, summary: 'Liveness', response: { 200: health.responses.live } });
    const handler = async () => ({ success: true as const, data: { status: 'ok' as const } });
    app.get('/health', live, handler);
    app.get('/api/health', live, handler);

    app.get(
      '/health/ready',
      route({
        access: 'public',
        limits: [],
        tags,
        summary: 'Readiness',
        response: { 200: health.responses.ready, 503: health.responses.notReady },
      }),
      async (_request, reply) => {
        const [database, redis, smtp] = await Promise.all([checks.database(), checks.redis?.(), checks.smtp?.()]);
        const data: z.infer<typeof health.readiness> = {
          database: verdict(database),
          ...(redis === undefined ? {} : { redis: verdict(redis) }),
          ...(smtp === undefined ? {} : { smtp: verdict(smtp) }),
        };
        if (!database || checks.stopping()) {
          reply.code(503);
          return {
            success: false as const,
            message: checks.stopping() ? 'Shutting down' : 'The database is unreachable',
            data,
            error: { code: 'SERVICE_UNAVAILABLE' },
          };
        }
        return { success: true as const, data };
      },
    );
  };
