import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteDeps } from './deps.js';

/** Placeholder: filled in by the administration issue. */
export const auditLogsRoutes = (_deps: RouteDeps): FastifyPluginAsyncZod => async () => {};
