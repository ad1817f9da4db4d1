import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import type { RateLimiter, RateRule } from '../domain/ports.js';
import { AppError } from '../errors/index.js';
import type { AuditLog } from '../services/audit.js';
import { addressKey } from './address-key.js';
import { metaOf } from './helpers.js';

const MINUTE = 60_000;

/** API.md's "Limits" table, from the configuration. */
export function limitRules(config: Pick<Config, 'rateLimit' | 'lockout'>) {
  const { rateLimit: r, lockout } = config;
  const window = r.windowMs;
  return {
    generalByIp: { max: r.maxRequests, windowMs: window },
    generalByUser: { max: r.maxAuthenticated, windowMs: window },
    loginByIpAndEmail: { max: r.loginMax, windowMs: window },
    loginFailuresByIp: { max: r.loginFailuresPerIp, windowMs: window },
    /** A browser that signed in to the account before: its own failures, as many as the lockout allows. */
    loginFailuresByDevice: { max: lockout.threshold, windowMs: lockout.durationSec * 1000 },
    refreshBySession: { max: r.refreshMax, windowMs: window },
    refreshFailuresByIp: { max: r.refreshFailuresPerIp, windowMs: window },
    otpRequestsByIp: { max: r.otpRequestsPerIp, windowMs: window },
    otpFailuresByIp: { max: r.otpFailuresPerIp, windowMs: window },
    backend: { max: r.backendMax, windowMs: MINUTE },
  } satisfies Record<string, RateRule>;
}

export type LimitRules = ReturnType<typeof limitRules>;
export type Bucket = keyof LimitRules;

declare module 'fastify' {
  interface FastifyRequest {
    /** Failure budgets this request took, given back if it succeeds (Budgets.takeFailure). */
    refunds?: string[];
  }
}

/**
 * Counting against API.md's budgets. `enforce` counts every call. `takeFailure` is for failure budgets:
 * it takes one before the password or OTP is checked (so that concurrent guesses cannot all pass the check
 * before the first failure is recorded) and gives it back when the request succeeds, or was refused unjudged
 * (503), which never resets the count. A refusal is 429 with Retry-After, logged each time and audited once per key and window (its
 * first refusal: a flood of refusals writes one row, not one per request).
 */
export function createBudgets(app: FastifyInstance, deps: { limiter: RateLimiter; rules: LimitRules; audit: AuditLog }) {
  const { limiter, rules, audit } = deps;

  // A 503 (the hash pool full, the database away) judged nothing: it is no failure, or a login storm behind one
  // address would spend that address's failure budget and turn into 429s for the window.
  app.addHook('onResponse', async (request, reply) => {
    if (!request.refunds || (reply.statusCode >= 400 && reply.statusCode !== 503)) return;
    await Promise.all(request.refunds.map((key) => limiter.reward(key)));
  });

  async function enforce(request: FastifyRequest, bucket: Bucket, scope: string): Promise<void> {
    const rule = rules[bucket];
    const decision = await limiter.consume(`${bucket}:${scope}`, rule);
    if (decision.allowed) return;
    request.log.warn({ event: 'rate_limited', bucket }, 'rate limit reached');
    if (decision.count === rule.max + 1) {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      await audit.record(
        {
          userId: request.principal?.userId ?? null,
          actorEmail: typeof email === 'string' ? email : null,
          action: 'RATE_LIMITED',
          resource: 'rate-limit',
          details: { bucket, route: request.routeOptions.url ?? null },
          success: false,
        },
        metaOf(request),
      );
    }
    throw new AppError('RATE_LIMITED', { retryAfter: decision.retryAfterSec });
  }

  return {
    enforce,
    async takeFailure(request: FastifyRequest, bucket: Bucket, scope: string): Promise<void> {
      await enforce(request, bucket, scope);
      (request.refunds ??= []).push(`${bucket}:${scope}`);
    },
    /** takeFailure without the refusal: false when the budget is used up (the caller falls back to another). */
    async tryTakeFailure(request: FastifyRequest, bucket: Bucket, scope: string): Promise<boolean> {
      const key = `${bucket}:${scope}`;
      if (!(await limiter.consume(key, rules[bucket])).allowed) return false;
      (request.refunds ??= []).push(key);
      return true;
    },
    /** The caller's address as budgets count it (IPv6 by its /64). */
    address: (request: FastifyRequest) => addressKey(request.ip),
    /** API.md: a project backend's budget is its project's once its secret or token verified, else its address's. */
    async backend(request: FastifyRequest, project: number | string | undefined): Promise<void> {
      await enforce(request, 'backend', project === undefined ? `ip:${addressKey(request.ip)}` : `project:${project}`);
    },
  };
}

export type Budgets = ReturnType<typeof createBudgets>;
