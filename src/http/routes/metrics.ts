import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import type { Metrics } from '../../observability/metrics.js';
import { route } from '../route.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** A reverse proxy on the same machine connects from loopback too: whatever it forwarded is not local. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}

/** The socket's address, never X-Forwarded-For: a header cannot make a remote caller local. */
export function isLocalCaller(request: FastifyRequest): boolean {
  const address = request.raw.socket?.remoteAddress;
  return address !== undefined && LOOPBACK.has(address) && FORWARDING_HEADERS.every((name) => request.headers[name] === undefined);
}

/**
 * GET /metrics for Prometheus: loopback callers, or anyone with the METRICS_TOKEN bearer token.
 * Everyone else gets the same 404 as a route that does not exist. Outside every rate limit.
 */
export const metricsRoutes = (deps: { metrics: Metrics; token?: string }) => async (app: FastifyInstance) => {
  app.get('/metrics', route({ access: 'public', limits: [], hide: true, summary: 'Prometheus metrics' }), async (request, reply) => {
    const allowed = isLocalCaller(request) || (deps.token !== undefined && tokenMatches(request.headers.authorization, deps.token));
    if (!allowed) throw new AppError('NOT_FOUND', { message: 'No such route' });
    const { contentType, body } = await deps.metrics.render();
    return reply.header('Cache-Control', 'no-store').type(contentType).send(body);
  });
};
