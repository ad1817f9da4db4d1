import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UserProfileChanges } from '../../db/repositories/user-admin.js';
import { errors } from '../schemas/common.js';
import { pageMeta } from '../schemas/pagination.js';
import * as s from '../schemas/users.js';
import { requireRole } from '../plugins/guards.js';
import { present } from '../present.js';
import { metaOf } from './auth-public.js';
import type { RouteDeps } from './deps.js';

const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/**
 * /api/users (API.md): the Super Admin manages every user but itself, a Project Admin its own
 * sub-users, a Sub User nothing (403). The token and the role are checked on request, before the
 * body is even parsed, so that a refused caller learns nothing from validation errors.
 */
export const usersRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  const users = deps.admin.users;
  const tags = ['users'];
  const security = [{ bearerAuth: [] }];
  const config = { requiresAuth: true };
  const administrators = [deps.requireAccessToken, requireRole('SUPER_ADMIN', 'ADMIN')];
  const caller = (request: FastifyRequest) => request.principal!;
  const one = (user: unknown, message?: string) => ({ success: true as const, ...(message ? { message } : {}), data: present(user) as never });

  app.get('/', { config, onRequest: administrators, schema: { tags, security, summary: "List the caller's users", querystring: s.listUsersQuery, response: { 200: s.responses.list, ...errors(400, 401, 403, 429) } } }, async (request) => {
    const { page, limit, ...filter } = request.query;
    const result = await users.list(caller(request), { page, limit, ...defined(filter) });
    return { success: true as const, data: present(result.users) as never, meta: pageMeta(page, limit, result.total) };
  });

  app.get('/stats', { config, onRequest: administrators, schema: { tags, security, summary: 'User statistics and chart data, scoped by role', response: { 200: s.responses.stats, ...errors(401, 403, 429) } } }, async (request) => ({
    success: true as const,
    data: present(await users.stats(caller(request))) as never,
  }));

  app.get('/:id', { config, onRequest: administrators, schema: { tags, security, summary: 'One user in scope', params: s.userIdParams, response: { 200: s.responses.user, ...errors(400, 401, 403, 404, 429) } } }, async (request) =>
    one(await users.get(caller(request), request.params.id)),
  );

  app.post(
    '/project-admin',
    { config, onRequest: [deps.requireAccessToken, requireRole('SUPER_ADMIN')], schema: { tags, security, summary: 'Create a Project Admin (emails the activation OTP)', body: s.createProjectAdminBody, response: { 201: s.responses.user, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const user = await users.createProjectAdmin(caller(request), request.body, metaOf(request));
      reply.code(201);
      return one(user, 'Project Admin created: the activation code was emailed');
    },
  );

  app.post(
    '/sub-user',
    { config, onRequest: [deps.requireAccessToken, requireRole('ADMIN')], schema: { tags, security, summary: 'Create a Sub User (emails the activation OTP)', body: s.createSubUserBody, response: { 201: s.responses.user, ...errors(400, 401, 403, 409, 429) } } },
    async (request, reply) => {
      const user = await users.createSubUser(caller(request), request.body, metaOf(request));
      reply.code(201);
      return one(user, 'Sub User created: the activation code was emailed');
    },
  );

  app.put('/:id', { config, onRequest: administrators, schema: { tags, security, summary: "Update a user's profile", params: s.userIdParams, body: s.updateUserBody, response: { 200: s.responses.user, ...errors(400, 401, 403, 404, 429) } } }, async (request) =>
    one(await users.update(caller(request), request.params.id, defined(request.body) as UserProfileChanges, metaOf(request)), 'User updated'),
  );

  app.put(
    '/:id/projects',
    { config, onRequest: administrators, schema: { tags, security, summary: "Replace a user's project assignments", params: s.userIdParams, body: s.setProjectsBody, response: { 200: s.responses.user, ...errors(400, 401, 403, 404, 429) } } },
    async (request) => one(await users.setProjects(caller(request), request.params.id, request.body.projectIds, metaOf(request)), 'Projects updated'),
  );

  app.post(
    '/:id/suspend',
    { config, onRequest: administrators, schema: { tags, security, summary: 'Suspend a user: sessions end, tokens fail at once', params: s.userIdParams, body: s.suspendBody, response: { 200: s.responses.user, ...errors(400, 401, 403, 404, 429) } } },
    async (request) => {
      const result = await users.suspend(caller(request), request.params.id, request.body.reason, metaOf(request));
      return one(result.user, result.changed ? 'User suspended' : 'The user was already suspended');
    },
  );

  app.post(
    '/:id/unsuspend',
    { config, onRequest: administrators, schema: { tags, security, summary: 'Lift a suspension', params: s.userIdParams, body: s.emptyBody, response: { 200: s.responses.user, ...errors(400, 401, 403, 404, 429) } } },
    async (request) => {
      const result = await users.unsuspend(caller(request), request.params.id, metaOf(request));
      return one(result.user, result.changed ? 'Suspension lifted' : 'The user was not suspended');
    },
  );

  app.delete(
    '/:id',
    { config, onRequest: administrators, schema: { tags, security, summary: 'Delete a user (an Admin with sub-users only with ?force=true)', params: s.userIdParams, querystring: s.deleteUserQuery, body: s.emptyBody, response: { 200: s.responses.deleted, ...errors(400, 401, 403, 404, 409, 429) } } },
    async (request) => {
      const deleted = await users.remove(caller(request), request.params.id, request.query.force ?? false, metaOf(request));
      return { success: true as const, message: deleted.length > 1 ? `User and ${deleted.length - 1} sub-user(s) deleted` : 'User deleted', data: { deletedUserIds: deleted } };
    },
  );
};
