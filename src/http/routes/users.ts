import { messageEnvelope, users as c } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UserProfileChanges } from '../../domain/models.js';
import { metaOf, pageMeta, principalOf } from '../helpers.js';
import { present } from '../present.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';

const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const tags = ['users'];
const administrators = { access: 'user', roles: ['SUPER_ADMIN', 'ADMIN'], tags } as const;

/**
 * /api/users (API.md): the Super Admin manages every user but itself, a Project Admin its own
 * sub-users, a Sub User nothing (403).
 */
export const usersRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const users = deps.admin.users;
    const one = <T>(user: T, message?: string) => ({ success: true as const, ...(message ? { message } : {}), data: present(user) });

    app.get(
      '/',
      route({ ...administrators, summary: "List the caller's users", querystring: c.listUsersQuery, response: { 200: c.responses.list } }),
      async (request) => {
        const { page, limit, ...filter } = request.query;
        const result = await users.list(principalOf(request), { page, limit, ...defined(filter) });
        return { success: true as const, data: present(result.users), meta: pageMeta(page, limit, result.total) };
      },
    );

    app.get(
      '/stats',
      route({ ...administrators, summary: 'User statistics and chart data, scoped by role', response: { 200: c.responses.stats } }),
      async (request) => ({
        success: true as const,
        data: present(await users.stats(principalOf(request))),
      }),
    );

    app.get(
      '/:id',
      route({
        ...administrators,
        summary: 'One user in scope',
        params: c.userIdParams,
        response: { 200: c.responses.user },
        errors: [404],
      }),
      async (request) => one(await users.get(principalOf(request), request.params.id)),
    );

    app.post(
      '/project-admin',
      route({
        ...administrators,
        roles: ['SUPER_ADMIN'],
        summary: 'Create a Project Admin (emails the activation OTP)',
        body: c.createProjectAdminBody,
        response: { 201: c.responses.user },
        errors: [409],
      }),
      async (request, reply) => {
        const user = await users.createProjectAdmin(principalOf(request), request.body, metaOf(request));
        reply.code(201);
        return one(user, 'Project Admin created: the activation code was emailed');
      },
    );

    app.post(
      '/sub-user',
      route({
        ...administrators,
        roles: ['ADMIN'],
        summary: 'Create a Sub User (emails the activation OTP)',
        body: c.createSubUserBody,
        response: { 201: c.responses.user },
        errors: [409],
      }),
      async (request, reply) => {
        const user = await users.createSubUser(principalOf(request), request.body, metaOf(request));
        reply.code(201);
        return one(user, 'Sub User created: the activation code was emailed');
      },
    );

    app.put(
      '/:id',
      route({
        ...administrators,
        summary: "Update a user's profile",
        params: c.userIdParams,
        body: c.updateUserBody,
        response: { 200: c.responses.user },
        errors: [404],
      }),
      async (request) =>
        one(
          await users.update(principalOf(request), request.params.id, defined(request.body) as UserProfileChanges, metaOf(request)),
          'User updated',
        ),
    );

    app.put(
      '/:id/projects',
      route({
        ...administrators,
        summary: "Replace a user's project assignments",
        params: c.userIdParams,
        body: c.setProjectsBody,
        response: { 200: c.responses.user },
        errors: [404],
      }),
      async (request) =>
        one(await users.setProjects(principalOf(request), request.params.id, request.body.projectIds, metaOf(request)), 'Projects updated'),
    );

    app.post(
      '/:id/suspend',
      route({
        ...administrators,
        summary: 'Suspend a user: sessions end, tokens fail at once',
        params: c.userIdParams,
        body: c.suspendBody,
        response: { 200: c.responses.user },
        errors: [404],
      }),
      async (request) => {
        const result = await users.suspend(principalOf(request), request.params.id, request.body.reason, metaOf(request));
        return one(result.user, result.changed ? 'User suspended' : 'The user was already suspended');
      },
    );

    app.post(
      '/:id/unsuspend',
      route({
        ...administrators,
        summary: 'Lift a suspension',
        params: c.userIdParams,
        body: c.noBody,
        response: { 200: c.responses.user },
        errors: [404],
      }),
      async (request) => {
        const result = await users.unsuspend(principalOf(request), request.params.id, metaOf(request));
        return one(result.user, result.changed ? 'Suspension lifted' : 'The user was not suspended');
      },
    );

    app.post(
      '/:id/resend-activation',
      route({
        ...administrators,
        // The per-IP budget of the calls that email an OTP (API.md "Limits"), besides the caller's own.
        limits: ['general', 'otp-request'],
        summary: 'Email a fresh activation OTP to a user who has not activated yet',
        params: c.userIdParams,
        body: c.noBody,
        response: { 200: messageEnvelope },
        errors: [404, 409],
      }),
      async (request) => {
        await users.resendActivation(principalOf(request), request.params.id, metaOf(request));
        return { success: true as const, message: 'A new activation code was emailed' };
      },
    );

    app.delete(
      '/:id',
      route({
        ...administrators,
        summary: 'Delete a user (an Admin with sub-users only with ?force=true)',
        params: c.userIdParams,
        querystring: c.deleteUserQuery,
        body: c.noBody,
        response: { 200: c.responses.deleted },
        errors: [404, 409],
      }),
      async (request) => {
        const deleted = await users.remove(principalOf(request), request.params.id, request.query.force ?? false, metaOf(request));
        return {
          success: true as const,
          message: deleted.length > 1 ? `User and ${deleted.length - 1} sub-user(s) deleted` : 'User deleted',
          data: { deletedUserIds: deleted },
        };
      },
    );
  };
