import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.js';
import { AppError } from '../../errors/index.js';
import type { RateLimiter, RateRule } from '../../services/ports.js';

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

/** Counts one request against a budget; refuses with 429 and Retry-After when it is spent. */
export async function enforce(limiter: RateLimiter, key: string, rule: RateRule, log?: FastifyRequest['log']): Promise<void> {
  const decision = await limiter.consume(key, rule);
  if (!decision.allowed) {
    log?.warn({ event: 'rate_limited', bucket: key.split(':')[0] }, 'rate limit reached');
    throw new AppError('RATE_LIMITED', { retryAfter: decision.retryAfterSec });
  }
}

/**
 * The general budget, by client IP, for every route but the project backends' (their own budget)
 * and the authenticated ones (counted per user once the token is known, see authenticate.ts).
 */
export function registerLimits(app: FastifyInstance, deps: { limiter: RateLimiter; rules: LimitRules }) {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const group = config?.limitGroup ?? 'general';
    if (group === 'none') return;
    if (group === 'backend') return enforce(deps.limiter, `backend:${request.ip}`, deps.rules.backend, request.log);
    if (config?.requiresAuth && request.headers.authorization) return;
    return enforce(deps.limiter, `ip:${request.ip}`, deps.rules.generalByIp, request.log);
  });
}
