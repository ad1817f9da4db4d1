import type { FastifyInstance } from 'fastify';

export interface ServedRoute {
  method: string;
  /** In OpenAPI's spelling: `/api/users/{id}`. */
  path: string;
}

/**
 * Every method and path the app serves, read off fastify's printRoutes() tree (each line is a
 * node: its depth is its indentation, its label the part of the path it adds, then its methods).
 * HEAD (fastify adds it to every GET) is left out.
 */
export function servedRoutes(app: FastifyInstance): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1]!.length / 4;
    stack.length = depth;
    stack.push(node[2]!);
    const path = stack.join('').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of (node[3] ?? '').split(', ').filter(Boolean)) if (method !== 'HEAD') routes.push({ method, path });
  }
  return routes;
}
