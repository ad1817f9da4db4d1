import { auth as c } from '@xtown/contract';
import type { FastifyRequest } from 'fastify';
import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { AppError, isAppError } from '../../errors/index.js';
import type { ValidationResult } from '../../services/auth/validate.js';
import { bearerToken, metaOf } from '../helpers.js';
import { present } from '../present.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';

const tags = ['auth'];
const VALIDATE_URL = '/api/auth/validate-token';

/**
 * What the projects' backends call: token validation and the code exchange. Their own budget, and no
 * cookies (registered apart from the browser's routes, so they skip the cookie plugin's hooks).
 */
export const authBackendRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth, budgets } = deps;
    /** A failed call counts against its address (nobody burns a project's budget by naming it), then fails. */
    const failed = async (request: FastifyRequest, error: unknown): Promise<never> => {
      await budgets.backend(request, undefined);
      throw error;
    };

    // Projects call this on every request of theirs: its per-request info lines are not logged (warnings
    // and errors are), and the answer for a token is serialized once, by the route's own response schema.
    const serializeValidation = serializerCompiler({ schema: c.responses.validate, method: 'POST', url: VALIDATE_URL, httpStatus: '200' });
    const validationBodies = new WeakMap<ValidationResult, string>();
    app.post(
      '/validate-token',
      route({
        access: 'project-backend',
        logLevel: 'warn',
        tags,
        summary: 'Validate an access or project token (for projects)',
        body: c.validateBody,
        response: { 200: c.responses.validate },
        errors: [401],
      }),
      async (request, reply) => {
        const token = request.body?.token ?? bearerToken(request);
        try {
          if (!token) throw new AppError('TOKEN_INVALID', { message: 'A token is required' });
          const result = await auth.validation.validate(token, request.body?.projectId).catch((error) => failed(request, error));
          // Verified: the project's budget (a project token, or the project asked about), else the user's.
          await budgets.backend(request, result.project ? result.project.id : `user:${result.user.id}`);
          let body = validationBodies.get(result);
          if (body === undefined)
            validationBodies.set(
              result,
              (body = serializeValidation({ success: true, data: present(result) } satisfies z.input<typeof c.responses.validate>)),
            );
          // A string with a JSON content type is sent as it is (the schema typed the object it was made from).
          reply.type('application/json; charset=utf-8');
          return body as never;
        } catch (error) {
          if (isAppError(error) && (error.code === 'TOKEN_INVALID' || error.code === 'TOKEN_EXPIRED')) {
            throw new AppError(error.code, { message: error.message, data: { valid: false } });
          }
          throw error;
        }
      },
    );

    app.post(
      '/exchange-code',
      route({
        access: 'project-backend',
        tags,
        summary: "Exchange a one-time code for a project token (the project's backend)",
        body: c.exchangeBody,
        response: { 200: c.responses.exchange },
        errors: [401],
      }),
      async (request) => {
        const { code, projectId, clientSecret } = request.body;
        const exchanged = await auth.projectAccess
          .exchange(code, projectId, clientSecret, metaOf(request))
          .catch((error) => failed(request, error));
        await budgets.backend(request, exchanged.project.id);
        return { success: true as const, data: present(exchanged) };
      },
    );
  };
