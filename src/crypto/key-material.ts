import { createHash, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningAlgorithm } from '../domain/keys.js';
import { SIGNING_ALGORITHMS } from '../domain/keys.js';

const generate = promisify(generateKeyPair);

/** The public members of a JWK per algorithm, in RFC 7638's lexicographic order (its thumbprint input). */
const MEMBERS: Record<SigningAlgorithm, readonly string[]> = {
  ES256: ['crv', 'kty', 'x', 'y'],
  EdDSA: ['crv', 'kty', 'x'],
  RS256: ['e', 'kty', 'n'],
};
const SHAPE: Record<SigningAlgorithm, { kty: string; crv?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
};
const RSA_BITS = 2048;

export const isSigningAlgorithm = (value: string): value is SigningAlgorithm => (SIGNING_ALGORITHMS as readonly string[]).includes(value);

/** A fresh key pair of `algorithm` (async: RSA generation takes a while and must not block the loop). */
export async function generateSigningKey(algorithm: SigningAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (algorithm === 'ES256') return generate('ec', { namedCurve: 'P-256' });
  if (algorithm === 'EdDSA') return generate('ed25519');
  return generate('rsa', { modulusLength: RSA_BITS });
}

/** Only the public members of the key's JWK (nothing else can slip into the JWKS). */
export function publicMembers(algorithm: SigningAlgorithm, key: KeyObject): Record<string, string> {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as Record<string, string | undefined>;
  const members: Record<string, string> = {};
  for (const name of MEMBERS[algorithm]) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new Error(`The ${algorithm} key has no "${name}"`);
    members[name] = value;
  }
  return members;
}

/** RFC 7638 thumbprint: the kid is a function of the key, so it never names two keys. */
export function thumbprint(algorithm: SigningAlgorithm, members: Record<string, string>): string {
  const canonical = Object.fromEntries(MEMBERS[algorithm].map((name) => [name, members[name]]));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * The public key stored with a row, checked: of the algorithm's type and curve (an RSA key of at least
 * 2048 bits), and matching its kid. Returns undefined when it does not hold (the caller says why).
 */
export function openPublicKey(
  algorithm: SigningAlgorithm,
  kid: string,
  publicJwk: string,
): { key: KeyObject; jwk: JsonWebKey } | undefined {
  const key = createPublicKey({ key: JSON.parse(publicJwk) as JsonWebKey, format: 'jwk' });
  const members = publicMembers(algorithm, key);
  const shape = SHAPE[algorithm];
  if (members.kty !== shape.kty || (shape.crv !== undefined && members.crv !== shape.crv)) return undefined;
  if (algorithm === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < RSA_BITS) return undefined;
  if (thumbprint(algorithm, members) !== kid) return undefined;
  return { key, jwk: { ...members, kid, alg: algorithm, use: 'sig' } };
}
