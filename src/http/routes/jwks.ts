import { jwks } from '@xtown/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyRing } from '../../domain/keys.js';
import { route } from '../route.js';

/**
 * The public keys that verify access and project tokens; never a private part (the schema drops it). Cached by
 * verifiers for JWKS_MAX_AGE: a new key is published that long before it signs (crypto/signing-keys.ts).
 */
export const jwksRoutes =
  (keys: Pick<KeyRing, 'jwks'>, maxAgeSec: number): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/.well-known/jwks.json',
      route({
        access: 'public',
        limits: [],
        tags: ['tokens'],
        summary: 'JSON Web Key Set',
        description: 'Cached for \`JWKS_MAX_AGE\` (Cache-Control max-age), with an ETag;',
        response: { 200: jwks.jwks, 304: z.null().describe('Not modified: the set is unchanged') },
      }),
      async (request, reply) => {
        const { body, etag } = keys.jwks();
        reply.header('Cache-Control', `public, max-age=${maxAgeSec}`).header('ETag', etag);
        if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
        // Node's JsonWebKey type is wider than the schema; the response schema checks each key at run time.
        return body as z.input<typeof jwks.jwks>;
      },
    );
  };

/** If-None-Match holds a list of (possibly weak) ETags, or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}
