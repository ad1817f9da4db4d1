import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { KeyRing } from '../../crypto/signing-keys.js';

const jwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') });

/** The public keys that verify access and project tokens; never a private part (the schema drops it). */
export const jwksRoutes = (keys: KeyRing): FastifyPluginAsyncZod => async (app) => {
  app.get('/.well-known/jwks.json', { config: { limitGroup: 'backend' }, schema: { tags: ['tokens'], summary: 'JSON Web Key Set', response: { 200: z.object({ keys: z.array(jwk) }) } } }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return keys.jwks() as never;
  });
};
