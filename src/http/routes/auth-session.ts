import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/index.js';
import { messageEnvelope, errors } from '../schemas/common.js';
import * as s from '../schemas/auth.js';
import { bearerToken } from '../plugins/authenticate.js';
import { present } from '../present.js';
import { loginAnswer, metaOf, REFRESH_COOKIE, withRefreshCookie } from './auth-public.js';
import type { RouteDeps } from './deps.js';

/** Sessions and tokens: refresh, logout, project access, the caller's account. */
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

  app.post('/project-token/:projectId', { config: { requiresAuth: true }, preHandler: deps.requireAccessToken, schema: { tags, security: bearer, summary: 'Open a project: a project token and a one-time code', params: s.projectTokenParams, response: { 200: s.responses.projectToken, ...errors(401, 403, 404, 429) } } }, async (request) => {
    const result = await auth.projectAccess.issue(request.principal!, request.params.projectId, metaOf(request));
    return { success: true as const, data: result };
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
