import { errorEnvelope, type Role } from '@xtown/contract';
import type { LogLevel } from 'fastify';
import type { z } from 'zod';

/**
 * Who may call a route. `public`: anyone. `user`: a valid access token (and one of `roles` when given),
 * checked at onRequest, before the body is parsed, so that a refused caller learns nothing from
 * validation errors. `project-backend`: a project's server, which proves itself inside the handler (a
 * token or the client secret).
 */
export type Access = 'public' | 'user' | 'project-backend';

/**
 * The budgets a request draws on (API.md "Limits"). `general`: per IP, per user once the token is known;
 * `otp-request`: the calls that send an OTP, per IP. Both are counted at onRequest. `login` (failures per
 * IP or per device, attempts per IP and email) and `verification` (failed OTP checks per IP) need the body,
 * so they are counted once it is valid. `refresh` (per session, failures per IP) and `backend` (per project
 * once verified, else per IP) need what the handler verifies: the handler counts them (http/budgets.ts).
 */
export type Budget = 'general' | 'otp-request' | 'login' | 'verification' | 'refresh' | 'backend';

/** What the hooks read from a route's config; only route() writes it. */
export interface RouteRules {
  access: Access;
  roles?: readonly Role[];
  limits: readonly Budget[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rules?: RouteRules;
  }
}

/** Routes without a declaration (an unknown URL's 404) are public and draw on the general budget. */
export const UNDECLARED: RouteRules = { access: 'public', limits: ['general'] };

type Schema = z.ZodType;

interface Declaration<P, Q, B, R> {
  access: Access;
  roles?: readonly Role[];
  /** Defaults to `backend` for project backends and `general` otherwise; `[]`: outside every limit. */
  limits?: readonly Budget[];
  summary: string;
  /** Longer OpenAPI text, for what the schemas cannot say (headers, caching, streaming). */
  description?: string;
  tags?: readonly string[];
  /** Left out of the OpenAPI document. */
  hide?: boolean;
  logLevel?: LogLevel;
  params?: P;
  querystring?: Q;
  body?: B;
  /** The success answers (none for a page or a file); the standard error answers are added from the rest of the declaration. */
  response?: R;
  /** Error statuses the handler itself may answer with, beyond those the declaration implies. */
  errors?: readonly number[];
  /** A 200 that is a `text/event-stream`: the schema of each message's data, for the OpenAPI document. */
  eventStream?: { schema: Schema; description: string };
}

/**
 * The one declaration of a route: its access, its budgets, its schemas, its OpenAPI security and its
 * error answers, as Fastify route options. The schemas validate the request and filter the response
 * (an undeclared field never leaves the service); the hooks in plugins/access.ts enforce the rules.
 */
export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Record<number, Schema> = {},
>(declaration: Declaration<P, Q, B, R>) {
  const { access, roles, summary, description, tags, hide, logLevel, params, querystring, body, response, eventStream } = declaration;
  const limits = declaration.limits ?? [access === 'project-backend' ? 'backend' : 'general'];
  const statuses = new Set(declaration.errors ?? []);
  if (params || querystring || body) statuses.add(400);
  if (access === 'user') statuses.add(401);
  if (roles) statuses.add(403);
  if (limits.length) statuses.add(429);
  const errors = Object.fromEntries([...statuses].sort().map((status) => [status, errorEnvelope]));
  const rules: RouteRules = { access, limits, ...(roles ? { roles } : {}) };
  return {
    config: { rules },
    ...(logLevel ? { logLevel } : {}),
    schema: {
      summary,
      ...(description ? { description } : {}),
      ...(tags ? { tags: [...tags] } : {}),
      ...(hide ? { hide } : {}),
      ...(access === 'user' ? { security: [{ bearerAuth: [] }] } : {}),
      ...(params ? { params } : {}),
      ...(querystring ? { querystring } : {}),
      ...(body ? { body } : {}),
      response: {
        ...errors,
        ...response,
        ...(eventStream
          ? { 200: { description: eventStream.description, content: { 'text/event-stream': { schema: eventStream.schema } } } }
          : {}),
      },
      // Typed by the success answers only: the handlers throw errors, they never return them.
    } as unknown as { summary: string; params: P; querystring: Q; body: B; response: R },
  };
}
