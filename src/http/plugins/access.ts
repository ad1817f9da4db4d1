import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.js';
import { AppError } from '../../errors/index.js';
import type { Authenticator } from '../../services/authenticator.js';
import type { RateLimiter, RateRule } from '../../domain/ports.js';
import { bearerToken } from '../helpers.js';
import { UNDECLARED, type RouteRules } from '../route.js';

const MINUTE = 60_000;

/** API.md's "Limits" table, from the configuration. */
export function limitRules(config: Config) {
  const window = config.rateLimit.windowMs;
  return {
    generalByIp: { max: config.rateLimit.maxRequests, windowMs: window },
    generalByUser: { max: config.rateLimit.maxAuthenticated, windowMs: window },
    loginByIpAndEmail: { max: config.rateLimit.loginMax, windowMs: window },
    loginByIp: { max: config.rateLimit.loginMaxPerIp, windowMs: window },
    verification: { max: 10, windowMs: 15 * MINUTE },
    backend: { max: 6000, windowMs: MINUTE },
  } satisfies Record<string, RateRule>;
}

export type LimitRules = ReturnType<typeof limitRules>;

interface AccessDeps {
  authenticator: Authenticator;
  limiter: RateLimiter;
  rules: LimitRules;
}

const rulesOf = (request: FastifyRequest): RouteRules => request.routeOptions.config?.rules ?? UNDECLARED;

/**
 * Enforces each route's declaration (http/route.ts). At onRequest: the general or backend budget, and
 * for `user` routes the one authentication step and the roles, before the body is parsed. Once the body
 * is valid: the login and verification budgets, which are keyed by what it holds.
 */
export function registerAccess(app: FastifyInstance, deps: AccessDeps) {
  const { limiter, rules } = deps;
  const enforce = async (request: FastifyRequest, key: string, rule: RateRule) => {
    const decision = await limiter.consume(key, rule);
    if (!decision.allowed) {
      request.log.warn({ event: 'rate_limited', bucket: key.split(':')[0] }, 'rate limit reached');
      throw new AppError('RATE_LIMITED', { retryAfter: decision.retryAfterSec });
    }
  };

  app.addHook('onRequest', async (request) => {
    const route = rulesOf(request);
    if (route.limits.includes('backend')) await enforce(request, `backend:${request.ip}`, rules.backend);
    if (route.access === 'user') return authenticate(request, route);
    if (route.limits.includes('general')) await enforce(request, `ip:${request.ip}`, rules.generalByIp);
  });

  // A signed-in caller's general budget is its own, not its office's address; a refused token counts per IP.
  async function authenticate(request: FastifyRequest, route: RouteRules) {
    const general = route.limits.includes('general');
    const token = bearerToken(request);
    try {
      if (!token) throw new AppError('UNAUTHENTICATED');
      request.principal = await deps.authenticator.authenticate(token, 'ACCESS');
    } catch (error) {
      if (general) await enforce(request, `ip:${request.ip}`, rules.generalByIp);
      throw error;
    }
    if (general) await enforce(request, `user:${request.principal.userId}`, rules.generalByUser);
    if (route.roles && !route.roles.includes(request.principal.role)) throw new AppError('FORBIDDEN');
  }

  const verification = async (request: FastifyRequest) => enforce(request, `verify:${request.ip}`, rules.verification);
  const login = async (request: FastifyRequest) => {
    await enforce(request, `login-ip:${request.ip}`, rules.loginByIp);
    await enforce(request, `login:${request.ip}:${(request.body as { email: string }).email}`, rules.loginByIpAndEmail);
  };
  // Only the routes that declare these budgets get the hook: the others (validate-token) run no extra step.
  app.addHook('onRoute', (options) => {
    const limits = options.config?.rules?.limits ?? [];
    const hooks = [...(limits.includes('verification') ? [verification] : []), ...(limits.includes('login') ? [login] : [])];
    if (hooks.length) options.preHandler = [...[options.preHandler ?? []].flat(), ...hooks];
  });
}
