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
/** A probe answers within its own deadline: a check that has not answered by then counts as unhealthy. */
const PROBE_DEADLINE_MS = 2000;

function withinDeadline(check: (() => Promise<boolean>) | undefined): Promise<boolean | undefined> {
  if (!check) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_DEADLINE_MS);
  });
  return Promise.race([check().catch(() => false), late]).finally(() => clearTimeout(timer));
}
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
        const [database = false, redis, smtp] = await Promise.all([
          withinDeadline(checks.database),
          withinDeadline(checks.redis),
          withinDeadline(checks.smtp),
        ]);
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
