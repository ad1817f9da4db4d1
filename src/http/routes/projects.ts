import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireRole } from '../plugins/guards.js';
import { pageMeta } from '../schemas/pagination.js';
import { errors } from '../schemas/common.js';
import * as s from '../schemas/projects.js';
import { present } from '../present.js';
import { metaOf } from './auth-public.js';
import type { RouteDeps } from './deps.js';

/**
 * /api/projects. Authentication and the role check run at onRequest, before the body is parsed or
 * validated: an anonymous caller gets 401 and a forbidden one 403 whatever they send.
 */
export const projectsRoutes = (deps: RouteDeps): FastifyPluginAsyncZod => async (app) => {
  const { projects } = deps.admin;
  const tags = ['projects'];
  const security = [{ bearerAuth: [] }];
  const config = { requiresAuth: true };
  const signedIn = [deps.requireAccessToken];
  const superAdminOnly = [deps.requireAccessToken, requireRole('SUPER_ADMIN')];

  app.get('/', { config, onRequest: signedIn, schema: { tags, security, summary: 'Projects in the caller\'s scope', querystring: s.listProjectsQuery, response: { 200: s.responses.list, ...errors(400, 401, 429) } } }, async (request) => {
    const { page, limit, search } = request.query;
    const { items, total } = await projects.list(request.principal!, { page, limit, search });
    return { success: true as const, data: present(items) as never, meta: pageMeta(page, limit, total) };
  });

  app.get('/stats', { config, onRequest: [deps.requireAccessToken, requireRole('SUPER_ADMIN', 'ADMIN')], schema: { tags, security, summary: 'Project statistics for the dashboard', response: { 200: s.responses.stats, ...errors(401, 403, 429) } } }, async (request) => ({
    success: true as const,
    data: await projects.stats(request.principal!),
  }));

  app.get('/:id', { config, onRequest: signedIn, schema: { tags, security, summary: 'One project (by id or customProjectId)', params: s.projectParams, response: { 200: s.responses.project, ...errors(400, 401, 404, 429) } } }, async (request) => ({
    success: true as const,
    data: present(await projects.get(request.principal!, request.params.id)) as never,
  }));

  app.post('/', { config, onRequest: superAdminOnly, schema: { tags, security, summary: 'Create a project; its client secret is shown this once', body: s.createProjectBody, response: { 201: s.responses.created, ...errors(400, 401, 403, 409, 429) } } }, async (request, reply) => {
    const { project, clientSecret } = await projects.create(request.principal!, request.body, metaOf(request));
    reply.code(201);
    return { success: true as const, message: 'Project created: store the client secret now, it is not shown again', data: present({ ...project, clientSecret }) as never };
  });

  app.post('/:id/rotate-secret', { config, onRequest: superAdminOnly, schema: { tags, security, summary: 'Replace the client secret; the old one stops working', params: s.projectParams, body: s.noBody, response: { 200: s.responses.secret, ...errors(400, 401, 403, 404, 429) } } }, async (request) => ({
    success: true as const,
    message: 'Client secret replaced: store it now, it is not shown again',
    data: await projects.rotateSecret(request.principal!, request.params.id, metaOf(request)),
  }));

  app.put('/:id', { config, onRequest: superAdminOnly, schema: { tags, security, summary: 'Update a project (partial)', params: s.projectParams, body: s.updateProjectBody, response: { 200: s.responses.project, ...errors(400, 401, 403, 404, 409, 429) } } }, async (request) => ({
    success: true as const,
    message: 'Project updated',
    data: present(await projects.update(request.principal!, request.params.id, request.body, metaOf(request))) as never,
  }));

  app.delete('/:id', { config, onRequest: superAdminOnly, schema: { tags, security, summary: 'Delete a project and its assignments', params: s.projectParams, body: s.noBody, response: { 200: s.responses.deleted, ...errors(400, 401, 403, 404, 429) } } }, async (request) => {
    await projects.remove(request.principal!, request.params.id, metaOf(request));
    return { success: true as const, message: 'Project deleted' };
  });
};
