import { projects as c } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { metaOf, pageMeta, principalOf } from '../helpers.js';
import { present } from '../present.js';
import { route } from '../route.js';
import type { RouteDeps } from './deps.js';

const tags = ['projects'];
const superAdmin = { access: 'user', roles: ['SUPER_ADMIN'], tags } as const;

/** /api/projects: every signed-in user reads the projects in its scope; the Super Admin writes them. */
export const projectsRoutes =
  (deps: RouteDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { projects } = deps.admin;

    app.get(
      '/',
      route({
        access: 'user',
        tags,
        summary: "Projects in the caller's scope",
        querystring: c.listProjectsQuery,
        response: { 200: c.responses.list },
      }),
      async (request) => {
        const { page, limit, search } = request.query;
        const { items, total } = await projects.list(principalOf(request), { page, limit, search });
        return { success: true as const, data: present(items), meta: pageMeta(page, limit, total) };
      },
    );

    app.get(
      '/stats',
      route({
        access: 'user',
        roles: ['SUPER_ADMIN', 'ADMIN'],
        tags,
        summary: 'Project statistics for the dashboard',
        response: { 200: c.responses.stats },
      }),
      async (request) => ({
        success: true as const,
        data: await projects.stats(principalOf(request)),
      }),
    );

    app.get(
      '/:id',
      route({
        access: 'user',
        tags,
        summary: 'One project (by id or customProjectId)',
        params: c.projectParams,
        response: { 200: c.responses.project },
        errors: [404],
      }),
      async (request) => ({
        success: true as const,
        data: present(await projects.get(principalOf(request), request.params.id)),
      }),
    );

    app.post(
      '/',
      route({
        ...superAdmin,
        summary: 'Create a project; its client secret is shown this once',
        body: c.createProjectBody,
        response: { 201: c.responses.created },
        errors: [409],
      }),
      async (request, reply) => {
        const { project, clientSecret } = await projects.create(principalOf(request), request.body, metaOf(request));
        reply.code(201);
        return {
          success: true as const,
          message: 'Project created: store the client secret now, it is not shown again',
          data: present({ ...project, clientSecret }),
        };
      },
    );

    app.post(
      '/:id/rotate-secret',
      route({
        ...superAdmin,
        summary: 'Replace the client secret; the old one keeps working for the grace period (default 24 hours)',
        params: c.projectParams,
        body: c.rotateSecretBody,
        response: { 200: c.responses.secret },
        errors: [404],
      }),
      async (request) => {
        const graceHours = request.body?.graceHours ?? c.DEFAULT_GRACE_HOURS;
        const rotated = await projects.rotateSecret(principalOf(request), request.params.id, graceHours, metaOf(request));
        return {
          success: true as const,
          message: 'Client secret replaced: store it now, it is not shown again',
          data: { clientSecret: rotated.clientSecret, previousSecretValidUntil: rotated.previousSecretValidUntil?.toISOString() ?? null },
        };
      },
    );

    app.put(
      '/:id',
      route({
        ...superAdmin,
        summary: 'Update a project (partial)',
        params: c.projectParams,
        body: c.updateProjectBody,
        response: { 200: c.responses.project },
        errors: [404, 409],
      }),
      async (request) => ({
        success: true as const,
        message: 'Project updated',
        data: present(await projects.update(principalOf(request), request.params.id, request.body, metaOf(request))),
      }),
    );

    app.delete(
      '/:id',
      route({
        ...superAdmin,
        summary: 'Delete a project and its assignments',
        params: c.projectParams,
        body: c.noBody,
        response: { 200: c.responses.deleted },
        errors: [404],
      }),
      async (request) => {
        await projects.remove(principalOf(request), request.params.id, metaOf(request));
        return { success: true as const, message: 'Project deleted' };
      },
    );
  };
