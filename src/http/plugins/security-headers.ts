import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, computed once: they depend on the configuration only (no nonces here), and
 * @fastify/helmet rebuilt them on every request (12% of validate-token's CPU). helmet itself writes
 * them through setHeader/removeHeader, so a recording response captures exactly what it would send.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

const API_PATH = /^\/api(\/|\?|$)/;

/**
 * Every response carries helmet's headers and its request id; every API answer is `no-store`
 * (set last, in onSend, so that nothing a route or plugin sets under /api can loosen it).
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions) {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (API_PATH.test(request.url)) reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
}
