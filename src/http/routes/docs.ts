import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { route } from '../route.js';

/**
 * Swagger UI over the OpenAPI document. The plugin of @fastify/swagger-ui loads @fastify/static, send, mime
 * and glob at every start (60–70 ms of a 600 ms cold start) for a page an operator opens now and then: only
 * its copy of Swagger UI's files is used (swagger-ui-dist, the original, installs a telemetry package), and
 * nothing is read before the first request for them.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// A file, not an inline script: the CSP allows scripts from 'self' only. The document's address is
// relative to this script's own, so the page works behind a proxy that adds a path prefix.
const INITIALIZER = `(function () {
  var spec = new URL('../json', document.currentScript.src).href;
  window.addEventListener('load', function () {
    window.ui = SwaggerUIBundle({ url: spec, dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  });
})();
`;

/** From /api/docs/ the page links its assets relatively (static/), from /api/docs by their absolute path, as @fastify/swagger-ui did. */
const page = (staticPath: string) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>Xtown Authenticator API</title>
<link rel="stylesheet" type="text/css" href="${staticPath}swagger-ui.css">
<link rel="stylesheet" type="text/css" href="${staticPath}index.css">
<link rel="icon" type="image/png" href="${staticPath}favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="${staticPath}favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${staticPath}swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="${staticPath}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="${staticPath}swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`;

let assetsFolder: string | undefined;
const assetPath = (file: string) => {
  assetsFolder ??= join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json')), 'static');
  return join(assetsFolder, file);
};

/** Registered with the prefix /api/docs; the document itself comes from @fastify/swagger. */
export async function docsRoutes(app: FastifyInstance) {
  const hidden = route({ access: 'public', hide: true, summary: 'Swagger UI' });
  app.get('/', hidden, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    return reply.type('text/html; charset=utf-8').send(page(path.endsWith('/') ? './static/' : '/api/docs/static/'));
  });
  app.get('/json', hidden, async () => app.swagger());
  app.get('/yaml', hidden, async (_request, reply) => reply.type('application/x-yaml').send(app.swagger({ yaml: true })));
  app.get('/static/swagger-initializer.js', hidden, async (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').send(INITIALIZER),
  );
  app.get<{ Params: { file: string } }>('/static/:file', hidden, async (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (!type) return reply.callNotFound();
    return reply.type(type).send(createReadStream(assetPath(request.params.file)));
  });
}
