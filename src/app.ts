import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Container } from './container.js';
import { isConnectionError } from './db/values.js';
import { AppError } from './errors/index.js';
import { createBudgets, limitRules } from './http/budgets.js';
import { createDeviceCookies } from './http/device-cookie.js';
import { registerAccess } from './http/plugins/access.js';
import { registerErrorHandler, sendError, toAppError } from './http/plugins/error-handler.js';
import { registerRequestMetrics } from './http/plugins/request-metrics.js';
import { registerSecurityHeaders } from './http/plugins/security-headers.js';
import { authPublicRoutes } from './http/routes/auth-public.js';
import { auditLogsRoutes } from './http/routes/audit-logs.js';
import { dashboardRoutes } from './http/plugins/dashboard.js';
import { docsRoutes } from './http/routes/docs.js';
import { authBackendRoutes } from './http/routes/auth-backend.js';
import { authSessionRoutes } from './http/routes/auth-session.js';
import type { RouteDeps } from './http/routes/deps.js';
import { healthRoutes } from './http/routes/health.js';
import { jwksRoutes } from './http/routes/jwks.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { projectsRoutes } from './http/routes/projects.js';
import { projectEventsRoutes } from './http/routes/events.js';
import { usersRoutes } from './http/routes/users.js';
import './http/types.js';

export interface AppOptions {
  /** Readiness answers 503 once this returns true (graceful shutdown). */
  stopping?: () => boolean;
  /** The built dashboard; web/dist beside src/ and dist/ by default. */
  dashboardFolder?: string;
}

/** Builds the HTTP application on a container; does not listen. */
export async function createApp(c: Container, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = c;
  const fastify = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    // Trust exactly TRUST_PROXY hops: a forged X-Forwarded-For beyond them never becomes the client IP.
    trustProxy: config.trustProxy > 0 ? (_address: string, hop: number) => hop < config.trustProxy : false,
    // A caller's x-request-id is kept only when it is sane: it lands in every log line and a response header.
    requestIdHeader: false,
    genReqId: (raw) => saneRequestId(raw.headers['x-request-id']) ?? randomUUID(),
    // Socket idle time, then the whole request and its headers: a client that trickles one byte a
    // second is never idle, so only the request and header deadlines cut it off (slow loris).
    connectionTimeout: 10_000,
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      requestTimeout: config.http.requestTimeoutMs,
      headersTimeout: config.http.headersTimeoutMs,
      // Node enforces both deadlines on a periodic sweep (30 s by default), which would let a slow client linger.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(config.http.headersTimeoutMs / 4))),
    },
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // Zod compiles every schema (set below): without these factories Fastify would load ajv and
    // fast-json-stringify at construction and never use them (4–6 MB of RSS, up to 0.3 s of start).
    schemaController: {
      compilersFactory: { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler },
    } as unknown as FastifyServerOptions['schemaController'],
    routerOptions: { ignoreTrailingSlash: true },
    // A URL the router cannot decode never reaches the error handler or the hooks: same envelope and headers here.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id).header('Cache-Control', 'no-store');
      return sendError(reply, toAppError(error));
    },
  }) as FastifyInstance;
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonParser(fastify);
  registerErrorHandler(fastify, { isUnavailable: isConnectionError });
  app.decorateRequest('principal', null);
  registerRequestMetrics(fastify, c.metrics);

  registerSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Project icons may be any https image (API.md); nothing else is loaded from elsewhere.
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Over plain http (development, a LAN address) it would send the dashboard's own scripts to https.
        upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // A function rather than the list: for an origin outside it @fastify/cors then writes no header at all
  // (with a list it still sends Allow-Credentials and answers the preflight with the requested headers).
  const allowedOrigins = new Set(config.allowedOrigins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Xtown Authenticator', version: '0.1.0', description: 'Users, per-project access and the tokens projects trust.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) =>
      'openapiObject' in documentObject ? optionalBodies(documentObject.openapiObject) : documentObject.swaggerObject,
  });
  await app.register(docsRoutes, { prefix: '/api/docs' });

  const budgets = createBudgets(fastify, { limiter: c.limiter, rules: limitRules(config), audit: c.audit });
  const devices = createDeviceCookies({ sign: (value) => c.secrets.hash('device-cookie', value), secure: config.secureCookies });
  registerAccess(fastify, { authenticator: c.auth.authenticator, budgets, devices });
  const deps: RouteDeps = { config, auth: c.auth, admin: c.admin, budgets, devices };
  // The routes a browser calls with the refresh cookie; the cookie plugin's hooks run for them only.
  await app.register(async (browser) => {
    await browser.register(cookie);
    await browser.register(authPublicRoutes(deps), { prefix: '/api/auth' });
    await browser.register(authSessionRoutes(deps), { prefix: '/api/auth' });
  });
  await app.register(authBackendRoutes(deps), { prefix: '/api/auth' });
  await app.register(projectsRoutes(deps), { prefix: '/api/projects' });
  await app.register(projectEventsRoutes({ ...deps, events: c.events }), { prefix: '/api/projects' });
  await app.register(usersRoutes(deps), { prefix: '/api/users' });
  await app.register(auditLogsRoutes(deps), { prefix: '/api/audit-logs' });
  await app.register(jwksRoutes(c.keys, c.config.jwksMaxAgeSec));
  await app.register(dashboardRoutes, { folder: options.dashboardFolder ?? fileURLToPath(new URL('../web/dist/', import.meta.url)) });
  await app.register(metricsRoutes({ metrics: c.metrics, token: config.metricsToken }));
  await app.register(
    healthRoutes({
      database: () =>
        c.store.ping().then(
          () => true,
          () => false,
        ),
      smtp: config.smtp ? () => c.mailer.check() : undefined,
      redis: c.redis ? () => c.redis!.ping() : undefined,
      stopping: options.stopping ?? (() => false),
    }),
  );
  return fastify;
}

/**
 * @fastify/swagger marks every request body required; a nullable body schema (refresh-token, logout,
 * validate-token: the cookie or the Bearer header may stand in for it) is documented as optional.
 */
function optionalBodies<T extends { paths?: object }>(document: T): T {
  type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: { nullable?: boolean } }> } };
  for (const item of Object.values(document.paths ?? {}) as Array<Record<string, Operation>>) {
    for (const operation of Object.values(item)) {
      const content = operation?.requestBody?.content;
      if (content && Object.values(content).every((media) => media.schema?.nullable === true)) operation.requestBody!.required = false;
    }
  }
  return document;
}

/**
 * JSON only: an empty body is "no body" (so a bodiless POST with a JSON content type works),
 * text/plain is refused with 415 like every other type.
 */
function registerJsonParser(app: FastifyInstance) {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('INVALID_JSON'), undefined);
    }
  });
}

/** 1–128 of [A-Za-z0-9._-]; anything else (spaces, newlines, a second header) is replaced by a fresh id. */
export function saneRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(value) ? value : undefined;
}
