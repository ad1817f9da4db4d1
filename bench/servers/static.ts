/**
 * The reference for the dashboard's static files: Fastify with @fastify/static over the same web/dist, with the
 * same cache policy (index.html never cached, hashed assets immutable) and the build's .br/.gz served as they are
 * (preCompressed). The product answers from memory; this one, as @fastify/static does, from the disk per request.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

const root = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
await app.register(fastifyStatic, {
  root,
  preCompressed: true,
  cacheControl: false,
  setHeaders(reply, path) {
    reply.header('cache-control', path.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable');
  },
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
