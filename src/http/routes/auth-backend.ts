import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../../errors/index.js';
import type { ValidationResult } from '../../services/auth/validate.js';
import { errors } from '../schemas/common.js';
import * as s from '../schemas/auth.js';
import { bearerToken } from '../plugins/authenticate.js';
import { present } from '../present.js';
import { metaOf } from './auth-public.js';
import type { RouteDeps } from './deps.js';

/**
 * What the projects' backends call: token validation and the code exchange. Their own budget, and no
 * cookies (registered apart from the browser's routes, so they skip the cookie plugin's hooks).
 */
export const authBackendRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  const { auth } = deps;
  const tags = ['auth'];

  // Projects call this on every request of theirs: its per-request info lines are not logged (warnings
  // and errors are), and the answer for a token is serialized once, by the route's own response schema.
  const validateUrl = '/api/auth/validate-token';
  const serializeValidation = serializerCompiler({ schema: s.responses.validate, method: 'POST', url: validateUrl, httpStatus: '200' });
  const validationBodies = new WeakMap<ValidationResult, string>();
  app.post('/validate-token', { logLevel: 'warn', config: { limitGroup: 'backend' }, schema: { tags, summary: 'Validate an access or project token (for projects)', body: s.validateBody, response: { 200: s.responses.validate, ...errors(400, 401, 429) } } }, async (request, reply) => {
    const token = request.body?.token ?? bearerToken(request);
    try {
      if (!token) throw new AppError('TOKEN_INVALID', { message: 'A token is required' });
      const result = await auth.validation.validate(token, request.body?.projectId);
      let body = validationBodies.get(result);
      if (body === undefined) validationBodies.set(result, (body = serializeValidation({ success: true, data: present(result) })));
      // A string with a JSON content type is sent as it is.
      reply.type('application/json; charset=utf-8');
      return body as never;
    } catch (error) {
      if (isAppError(error) && (error.code === 'TOKEN_INVALID' || error.code === 'TOKEN_EXPIRED')) {
        throw new AppError(error.code, { message: error.message, data: { valid: false } });
      }
      throw error;
    }
  });

  app.post('/exchange-code', { config: { limitGroup: 'backend' }, schema: { tags, summary: "Exchange a one-time code for a project token (the project's backend)", body: s.exchangeBody, response: { 200: s.responses.exchange, ...errors(400, 401, 429) } } }, async (request) => {
    const { code, projectId, clientSecret } = request.body;
    const result = await auth.projectAccess.exchange(code, projectId, clientSecret, metaOf(request));
    return { success: true as const, data: present(result) as never };
  });
};
