import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ValidationResult } from '../../services/auth/validate.js';
import { AppError, isAppError } from '../../errors/index.js';
import { messageEnvelope, errors } from '../schemas/common.js';
import * as s from '../schemas/auth.js';
import { bearerToken } from '../plugins/authenticate.js';
import { present } from '../present.js';
import { loginAnswer, metaOf, REFRESH_COOKIE, withRefreshCookie } from './auth-public.js';
import type { RouteDeps } from './deps.js';

/** Sessions and tokens: refresh, logout, validation, project access, the caller's account. */
export const authSessionRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  const { auth } = deps;
  const tags = ['auth'];
  const bearer = [{ bearerAuth: [] }];

  app.post('/refresh-token', { schema: { tags, summary: 'Rotate a refresh token (body or cookie)', body: s.refreshBody, response: { 200: s.responses.refresh, ...errors(400, 401, 429) } } }, async (request, reply) => {
    const refreshToken = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
    if (!refreshToken) throw new AppError('UNAUTHENTICATED', { message: 'A refresh token is required' });
    const result = await auth.sessions.refresh(refreshToken, metaOf(request));
    withRefreshCookie(reply, deps, result);
    return { success: true as const, data: result };
  });

  app.post('/logout', { schema: { tags, summary: 'End this session, or every session with allDevices', body: s.logoutBody, response: { 200: messageEnvelope, ...errors(400, 401, 429) } } }, async (request, reply) => {
    const refreshToken = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
    const meta = metaOf(request);
    const accessToken = bearerToken(request);
    reply.clearCookie(REFRESH_COOKIE, { path: '/api/auth' });
    if (request.body?.allDevices) {
      if (!accessToken) throw new AppError('UNAUTHENTICATED', { message: 'Signing out of every device needs the access token' });
      const principal = await auth.authenticator.authenticate(accessToken, 'ACCESS');
      await auth.sessions.logoutAllDevices(principal.userId, meta);
      return { success: true as const, message: 'Signed out of every device' };
    }
    if (refreshToken) {
      await auth.sessions.logoutByRefreshToken(refreshToken, meta);
    } else if (accessToken) {
      const principal = await auth.authenticator.authenticate(accessToken, 'ACCESS');
      await auth.sessions.revokeSession(principal.sid, principal.userId, meta);
    } else {
      throw new AppError('VALIDATION_ERROR', { details: [{ field: 'refreshToken', message: 'A refresh token (body or cookie) or an access token is required' }] });
    }
    return { success: true as const, message: 'Signed out' };
  });

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

  app.post('/project-token/:projectId', { config: { requiresAuth: true }, preHandler: deps.requireAccessToken, schema: { tags, security: bearer, summary: 'Open a project: a project token and a one-time code', params: s.projectTokenParams, response: { 200: s.responses.projectToken, ...errors(401, 403, 404, 429) } } }, async (request) => {
    const result = await auth.projectAccess.issue(request.principal!, request.params.projectId, metaOf(request));
    return { success: true as const, data: result };
  });

  app.post('/exchange-code', { config: { limitGroup: 'backend' }, schema: { tags, summary: "Exchange a one-time code for a project token (the project's backend)", body: s.exchangeBody, response: { 200: s.responses.exchange, ...errors(400, 401, 429) } } }, async (request) => {
    const { code, projectId, clientSecret } = request.body;
    const result = await auth.projectAccess.exchange(code, projectId, clientSecret, metaOf(request));
    return { success: true as const, data: present(result) as never };
  });

  app.get('/me', { config: { requiresAuth: true }, preHandler: deps.requireAccessToken, schema: { tags, security: bearer, summary: 'The caller, fresh from the database', response: { 200: s.responses.me, ...errors(401, 429) } } }, async (request) => ({
    success: true as const,
    data: present(await auth.account.me(request.principal!)) as never,
  }));

  app.post('/change-password', { config: { requiresAuth: true }, preHandler: deps.requireAccessToken, schema: { tags, security: bearer, summary: 'Change the password; every other session ends', body: s.changePasswordBody, response: { 200: s.responses.loginPayload, ...errors(400, 401, 429) } } }, async (request, reply) => {
    const { currentPassword, newPassword } = request.body;
    const payload = await auth.account.changePassword(request.principal!, currentPassword, newPassword, metaOf(request));
    return loginAnswer(reply, deps, payload, 'Password changed');
  });

};
