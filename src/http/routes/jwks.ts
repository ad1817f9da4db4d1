import { jwks } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { KeyRing } from '../../domain/keys.js';
import { route } from '../route.js';

/** The public keys that verify access and project tokens; never a private part (the schema drops it). */
export const jwksRoutes =
  (keys: Pick<KeyRing, 'jwks'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/.well-known/jwks.json',
      route({ access: 'public', limits: [], tags: ['tokens'], summary: 'JSON Web Key Set', response: { 200: jwks.jwks } }),
      async (_request, reply) => {
        reply.header('Cache-Control', 'public, max-age=300');
        // Node's JsonWebKey type is wider than the schema; the response schema checks each key at run time.
        return keys.jwks() as z.input<typeof jwks.jwks>;
      },
    );
  };
