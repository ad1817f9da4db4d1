import { z } from 'zod';

const common = { kid: z.string(), use: z.literal('sig') };

/** A public signing key of one of the three algorithms we sign with; the schemas have no room for a private part. */
export const jwk = z.discriminatedUnion('kty', [
  z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), alg: z.literal('ES256'), ...common }),
  z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), alg: z.literal('EdDSA'), ...common }),
  z.object({ kty: z.literal('RSA'), n: z.string(), e: z.string(), alg: z.literal('RS256'), ...common }),
]);

export const jwks = z.object({ keys: z.array(jwk) });
