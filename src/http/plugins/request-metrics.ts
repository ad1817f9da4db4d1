import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.js';

const LOGIN_ROUTE = '/api/auth/login';

/**
 * Times every response under its route pattern; requests that matched no route share one label so
 * that scanners cannot grow the label set. A login refused by a limit never reaches the login
 * service, so its outcome is counted here (the service counts the others).
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (route === LOGIN_ROUTE && request.method === 'POST' && reply.statusCode === 429) metrics.login('rate_limited');
    done();
  });
}
