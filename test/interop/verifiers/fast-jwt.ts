import { createVerifier, type DecodedJwt } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import { attempt, type VerifierSpec } from './types.js';

/**
 * get-jwks' README "fast-jwt" example (the issuer's domain fixed), with fast-jwt's allowedIss and allowedAud.
 * fast-jwt verifies EdDSA, but get-jwks turns JWKs into PEM with jwk-to-pem, which knows no OKP key: refused.
 */
export const fastJwt: VerifierSpec = {
  name: 'fast-jwt + get-jwks',
  supports: ['ES256', 'RS256'],
  refuses: ['EdDSA'],
  async create({ issuer, audience, algorithm }) {
    const getJwks = buildGetJwks();
    const verify = createVerifier({
      key: async ({ header }: DecodedJwt) => getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: issuer }),
      allowedIss: issuer,
      allowedAud: audience,
      algorithms: [algorithm],
    });
    return { verify: (token) => attempt(() => verify(token)), close: async () => {} };
  },
};
