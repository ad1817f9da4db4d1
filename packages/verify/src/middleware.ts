import { isVerifyError, refusalBody, VerifyError } from './errors.js';
import type { XtownUser } from './types.js';
import type { Verifier } from './verifier.js';

/*
 * The middlewares are typed structurally (what they use of Express, Fastify and the fetch API), so that the
 * kit imports neither framework, not even its types: a project installs only the one it runs.
 */

type Headers = Record<string, string | string[] | undefined>;

/** The token of `Authorization: Bearer <token>`, or a VerifyError UNAUTHENTICATED. */
export function bearerToken(authorization: string | string[] | null | undefined): string {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = typeof value === 'string' ? /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(value) : null;
  if (!match) throw new VerifyError('UNAUTHENTICATED');
  return match[1] as string;
}

/** RFC 6750's challenge: an error attribute only when a token was presented. */
function challenge(error: VerifyError): string {
  return error.code === 'UNAUTHENTICATED' || error.status !== 401 ? 'Bearer' : 'Bearer error="invalid_token"';
}

// ——— Express (and Connect, and plain node:http) ———

export interface NodeLikeRequest {
  headers: Headers;
  xtownUser?: XtownUser;
}
export interface NodeLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/** Express middleware: `req.xtownUser` for a valid project token, else the service's 401 envelope (503 if the hub is unreachable). */
export function expressAuth(verifier: Verifier) {
  return (req: NodeLikeRequest, res: NodeLikeResponse, next: (error?: unknown) => void): void => {
    let token: string;
    try {
      token = bearerToken(req.headers.authorization);
    } catch (error) {
      return refuse(res, error as VerifyError);
    }
    verifier.verify(token).then(
      (user) => {
        req.xtownUser = user;
        next();
      },
      (error: unknown) => (isVerifyError(error) ? refuse(res, error) : next(error)),
    );
  };
}

function refuse(res: NodeLikeResponse, error: VerifyError): void {
  res.statusCode = error.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('www-authenticate', challenge(error));
  res.end(JSON.stringify(refusalBody(error)));
}

// ——— Fastify ———

export interface FastifyRequestLike {
  headers: Headers;
  /** Declare it on FastifyRequest for typed access (README "Fastify"). */
  xtownUser?: XtownUser | null;
}
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload: unknown): FastifyReplyLike;
}
type FastifyHook = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>;
export interface FastifyLike {
  decorateRequest(name: 'xtownUser', value: null): unknown;
  decorate(name: 'xtownAuthenticate', value: FastifyHook): unknown;
  addHook(name: 'onRequest', hook: FastifyHook): unknown;
}

export interface FastifyAuthOptions {
  /** Check every route of the instance that registers the plugin (default); false: only routes that use `app.xtownAuthenticate`. */
  protectAll?: boolean;
}

/**
 * A Fastify plugin: decorates the request with `xtownUser` and the instance with `xtownAuthenticate` (an onRequest
 * hook for single routes); unless `protectAll: false`, every route of the registering instance requires a token.
 */
export function fastifyAuth(verifier: Verifier, options: FastifyAuthOptions = {}) {
  const authenticate: FastifyHook = async (request, reply) => {
    try {
      request.xtownUser = await verifier.verify(bearerToken(request.headers.authorization));
    } catch (error) {
      if (!isVerifyError(error)) throw error;
      return reply.code(error.status).header('www-authenticate', challenge(error)).send(refusalBody(error));
    }
    return undefined;
  };
  const plugin = async (fastify: FastifyLike): Promise<void> => {
    fastify.decorateRequest('xtownUser', null);
    fastify.decorate('xtownAuthenticate', authenticate);
    if (options.protectAll !== false) fastify.addHook('onRequest', authenticate);
  };
  // What fastify-plugin sets: the decorations and the hook apply to the registering instance, not a child scope.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: '@xtown/verify' });
  return plugin;
}

// ——— fetch (Hono, Next.js route handlers, Deno, Bun, workers) ———

/** `(request) => user`, throwing a VerifyError; turn the error into an answer with refusalResponse. */
export function fetchAuth(verifier: Verifier): (request: Request) => Promise<XtownUser> {
  return async (request) => verifier.verify(bearerToken(request.headers.get('authorization')));
}

/** The service's envelope for a refusal, as a Response (401, or 503 when the hub could not be asked). */
export function refusalResponse(error: VerifyError): Response {
  return new Response(JSON.stringify(refusalBody(error)), {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': challenge(error) },
  });
}

/** Wraps a fetch-style handler: it runs with the user, or the request is answered with the refusal. */
export function withXtownUser(
  verifier: Verifier,
  handler: (request: Request, user: XtownUser) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  const authenticate = fetchAuth(verifier);
  return async (request) => {
    let user: XtownUser;
    try {
      user = await authenticate(request);
    } catch (error) {
      if (isVerifyError(error)) return refusalResponse(error);
      throw error;
    }
    return handler(request, user);
  };
}
