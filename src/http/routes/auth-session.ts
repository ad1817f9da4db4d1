import { auth as c, messageEnvelope } from '@xtown/contract';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/index.js';
import { cookieRefreshToken } from '../cookie-call.js';
import { bearerToken, clearRefreshCookie, metaOf, principalOf, setRefreshCookie } from '../helpers.js';
import { refusingCommonPasswords } from '../password-policy.js';
import { present } from '../present.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';
import { signedIn } from './signed-in.js';

const tags = ['auth'];

/** Sessions and tokens: refresh, logout, project access, the caller's account. */
export const authSessionRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { auth, budgets } = deps;
    const answer = signedIn(deps);
    const cookieOrigins = new Set(deps.config.cookieOrigins);
    const refreshTokenOf = (request: FastifyRequest, inBody: string | undefined) => inBody ?? cookieRefreshToken(request, cookieOrigins);

    app.post(
      '/refresh-token',
      route({
        access: 'public',
        limits: ['refresh'],
        // A hot route whose every outcome is already an audit row (and a refusal a warning): no info lines per request.
        logLevel: 'warn',
        tags,
        summary: 'Rotate a refresh token (body or cookie)',
        body: c.refreshBody,
        response: { 200: c.responses.refresh },
        errors: [401, 403],
      }),
      async (request, reply) => {
        const refreshToken = refreshTokenOf(request, request.body?.refreshToken);
        // Counts against nothing: a dashboard loaded without a session asks this first.
        if (!refreshToken) throw new AppError('UNAUTHENTICATED', { message: 'A refresh token is required' });
        // Per session (a live one, whatever its address), then a failure budget per address, given back
        // when the rotation succeeds: an office of users refreshing together uses none of it.
        const presented = await auth.sessions.present(refreshToken);
        if (presented.token) await budgets.enforce(request, 'refreshBySession', presented.token.sessionId);
        await budgets.takeFailure(request, 'refreshFailuresByIp', budgets.address(request));
        const result = await auth.sessions.refresh(presented, metaOf(request));
        setRefreshCookie(reply, deps.config.secureCookies, result);
        return { success: true as const, data: result };
      },
    );

    // Public: the refresh token (body or cookie) or the access token says which session ends.
    app.post(
      '/logout',
      route({
        access: 'public',
        tags,
        summary: 'End this session, or every session with allDevices',
        body: c.logoutBody,
        response: { 200: messageEnvelope },
        errors: [401, 403],
      }),
      async (request, reply) => {
        const meta = metaOf(request);
        const accessToken = bearerToken(request);
        if (request.body?.allDevices) {
          clearRefreshCookie(reply);
          if (!accessToken) throw new AppError('UNAUTHENTICATED', { message: 'Signing out of every device needs the access token' });
          const principal = await auth.authenticator.authenticate(accessToken, 'ACCESS');
          await auth.sessions.logoutAllDevices(principal.userId, meta);
          return { success: true as const, message: 'Signed out of every device' };
        }
        // Refused before the cookie is cleared: a forged call leaves the browser's session as it was.
        const refreshToken = refreshTokenOf(request, request.body?.refreshToken);
        clearRefreshCookie(reply);
        if (refreshToken) {
          await auth.sessions.logoutByRefreshToken(refreshToken, meta);
        } else if (accessToken) {
          const principal = await auth.authenticator.authenticate(accessToken, 'ACCESS');
          await auth.sessions.revokeSession(principal.sid, principal.userId, meta);
        } else {
          throw new AppError('VALIDATION_ERROR', {
            details: [{ field: 'refreshToken', message: 'A refresh token (body or cookie) or an access token is required' }],
          });
        }
        return { success: true as const, message: 'Signed out' };
      },
    );

    app.post(
      '/project-token/:projectId',
      route({
        access: 'user',
        tags,
        summary: 'Open a project: a project token and a one-time code',
        params: c.projectTokenParams,
        response: { 200: c.responses.projectToken },
        errors: [403, 404],
      }),
      async (request) => ({
        success: true as const,
        data: await auth.projectAccess.issue(principalOf(request), request.params.projectId, metaOf(request)),
      }),
    );

    app.get(
      '/me',
      route({ access: 'user', tags, summary: 'The caller, fresh from the database', response: { 200: c.responses.me } }),
      async (request) => ({
        success: true as const,
        data: present(await auth.account.me(principalOf(request))),
      }),
    );

    app.post(
      '/change-password',
      route({
        access: 'user',
        tags,
        summary: 'Change the password; every other session ends',
        body: refusingCommonPasswords(c.changePasswordBody, 'newPassword'),
        response: { 200: c.responses.loginPayload },
      }),
      async (request, reply) => {
        const { currentPassword, newPassword } = request.body;
        return answer(
          request,
          reply,
          await auth.account.changePassword(principalOf(request), currentPassword, newPassword, metaOf(request)),
          'Password changed',
        );
      },
    );
  };
