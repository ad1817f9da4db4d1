import { createRemoteJWKSet, jwtVerify } from 'jose';
import { attempt, type VerifierSpec } from './types.js';

/** jose's README: a remote JWKS (fetched on first use and on an unknown kid) and jwtVerify with issuer and audience. */
export const jose: VerifierSpec = {
  name: 'jose',
  supports: ['ES256', 'EdDSA', 'RS256'],
  async create({ jwksUri, issuer, audience }) {
    const jwks = createRemoteJWKSet(new URL(jwksUri));
    return {
      verify: (token) => attempt(async () => (await jwtVerify(token, jwks, { issuer, audience })).payload),
      close: async () => {},
    };
  },
};
