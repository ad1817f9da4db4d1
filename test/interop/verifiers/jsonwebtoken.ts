import jwt, { type Algorithm, type GetPublicKeyOrSecret } from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { attempt, type VerifierSpec } from './types.js';

/**
 * jsonwebtoken's README ("verify using getKey callback", with jwks-rsa). jwks-rsa hands out Ed25519 keys too,
 * but jsonwebtoken (over jws/jwa) has no EdDSA: such a token is refused.
 */
export const jsonwebtoken: VerifierSpec = {
  name: 'jsonwebtoken + jwks-rsa',
  supports: ['ES256', 'RS256'],
  refuses: ['EdDSA'],
  async create({ jwksUri, issuer, audience, algorithm }) {
    const client = jwksRsa({ jwksUri });
    const getKey: GetPublicKeyOrSecret = (header, callback) => {
      client.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
    };
    // Its types list only the algorithms it implements; EdDSA is passed anyway to show it is refused.
    const algorithms = [algorithm as Algorithm];
    return {
      verify: (token) =>
        attempt(
          () =>
            new Promise((resolve, reject) =>
              jwt.verify(token, getKey, { algorithms, issuer, audience }, (error, payload) => (error ? reject(error) : resolve(payload))),
            ),
        ),
      close: async () => {},
    };
  },
};
