import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt';
import Fastify from 'fastify';
import buildGetJwks from 'get-jwks';
import { callProtectedRoute, type VerifierSpec } from './types.js';

/** The promise form of the plugin's `secret` (its union of forms leaves a bare arrow untyped). */
type SecretFetcher = Extract<FastifyJWTOptions['secret'], (request: never, token: never) => Promise<unknown>>;

/**
 * @fastify/jwt's README "Verifying with JWKS" (get-jwks with `domain: payload.iss`), in a Fastify app on a real
 * socket. Taking the domain from the unverified token is only safe with get-jwks' issuersWhitelist (or else a
 * forger's own JWKS is fetched), and allowedIss/allowedAud check the claims.
 */
export const fastifyJwtVerifier: VerifierSpec = {
  name: '@fastify/jwt',
  supports: ['ES256', 'RS256'],
  async create({ issuer, audience, algorithm }) {
    const getJwks = buildGetJwks({ issuersWhitelist: [issuer] });
    const app = Fastify();
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: ((_request, token) => {
        const {
          header: { kid, alg },
          payload: { iss },
        } = token as { header: { kid: string; alg: string }; payload: { iss: string } };
        return getJwks.getPublicKey({ kid, domain: iss, alg });
      }) satisfies SecretFetcher,
      verify: { allowedIss: issuer, allowedAud: audience, algorithms: [algorithm] },
    });
    app.addHook('onRequest', async (request, reply) => {
      try {
        await request.jwtVerify();
      } catch (error) {
        reply.send(error);
      }
    });
    app.get('/me', async (request) => request.user);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return { verify: (token) => callProtectedRoute(`${base}/me`, token), close: () => app.close() };
  },
};
