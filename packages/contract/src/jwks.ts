import { z } from 'zod';

/** A public signing key; the schema has no room for a private part. */
export const jwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

export const jwks = z.object({ keys: z.array(jwk) });
