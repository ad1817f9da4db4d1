import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { route } from '../route.js';

/** API.md "Outside /api": the dashboard's client-side routes, each answered with the same index.html. */
export const DASHBOARD_PREFIXES = ['/login', '/setup', '/activate', '/reset-password', '/projects', '/users', '/audit', '/profile'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// Vite's output is flat and hashed: a name outside this never names a file (no '..', no folders, no dotfiles).
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

interface Asset {
  type: string;
  identity: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

const readIfPresent = (path: string) => (existsSync(path) ? readFileSync(path) : undefined);

/**
 * Serves the built dashboard (web/dist): index.html, never cached, for `/` and the client-route prefixes; the
 * hashed files under /assets/, immutable for a year, whatever the Accept, with the .br/.gz the build wrote
 * beside them (read once, then served from memory: the whole bundle is a few hundred KB). Outside every limit.
 * Without a build, these paths keep the JSON 404.
 */
export async function dashboardRoutes(app: FastifyInstance, { folder }: { folder: string }) {
  const index = readIfPresent(join(folder, 'index.html'));
  const assets = new Map<string, Asset | null>();
  // A page or an asset is not worth an info line per request (a browser fetches several per visit): errors still log.
  const declaration = route({ access: 'public', limits: [], hide: true, summary: 'The web dashboard', logLevel: 'warn' });

  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!index) return reply.callNotFound();
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(index);
  };
  app.get('/', declaration, page);
  for (const prefix of DASHBOARD_PREFIXES) {
    app.get(prefix, declaration, page);
    app.get(`${prefix}/*`, declaration, page);
  }

  const load = (name: string): Asset | null => {
    if (assets.has(name)) return assets.get(name)!;
    const path = join(folder, 'assets', name);
    const identity = ASSET_NAME.test(name) ? readIfPresent(path) : undefined;
    const asset: Asset | null = identity
      ? {
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          identity,
          gzip: readIfPresent(`${path}.gz`),
          br: readIfPresent(`${path}.br`),
        }
      : null;
    // Only files are remembered; a miss is not, so that a scan of random names cannot grow the map.
    if (asset) assets.set(name, asset);
    return asset;
  };

  app.get<{ Params: { '*': string } }>('/assets/*', declaration, async (request, reply) => {
    const asset = load(request.params['*']);
    if (!asset) return reply.callNotFound();
    const accepted = String(request.headers['accept-encoding'] ?? '');
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding').type(asset.type);
    if (asset.br && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(asset.br);
    if (asset.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.identity);
  });
}
