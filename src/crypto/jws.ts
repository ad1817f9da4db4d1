import { sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../domain/keys.js';

/**
 * Compact JWS on node:crypto with prepared KeyObjects, for the three algorithms we sign with. Written by
 * hand because it measured fastest (bench/jwt-verify.ts). No alg confusion: the header's `alg` must be the
 * algorithm stored with the key its `kid` names, so a token can never choose how it is checked.
 */

/** Longer tokens are refused before any parsing (a user with hundreds of projects stays far below). */
export const MAX_TOKEN_LENGTH = 64 * 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;
const KID = /^[A-Za-z0-9_-]{1,128}$/;
const HEADER_KEYS = new Set(['alg', 'typ', 'kid']);

/** A key that verifies: the public key, its algorithm, and its signature length in bytes. */
export interface VerificationKey {
  algorithm: SigningAlgorithm;
  publicKey: KeyObject;
  signatureBytes: number;
}

/** The signature length of a key: 64 bytes for Ed25519 and P-256 (r‖s), the modulus for RSA. */
export function signatureBytesOf(algorithm: SigningAlgorithm, publicKey: KeyObject): number {
  if (algorithm !== 'RS256') return 64;
  return Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
}

/** The encoded protected header { alg, typ: JWT, kid }; callers cache it per kid. */
export const encodeHeader = (kid: string, algorithm: SigningAlgorithm): string =>
  Buffer.from(JSON.stringify({ alg: algorithm, typ: 'JWT', kid })).toString('base64url');

// ES256 signatures are the JOSE form (r‖s, RFC 7518 §3.4), not DER.
const digestOf = (algorithm: SigningAlgorithm) => (algorithm === 'EdDSA' ? null : 'sha256');
const keyFor = (algorithm: SigningAlgorithm, key: KeyObject) => (algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key);

/** Signs `payload` as a compact JWS under an encoded header from encodeHeader (same algorithm). */
export function signCompact(header: string, payload: object, privateKey: KeyObject, algorithm: SigningAlgorithm): string {
  const input = `${header}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  const signature = nodeSign(digestOf(algorithm), Buffer.from(input, 'latin1'), keyFor(algorithm, privateKey));
  return `${input}.${signature.toString('base64url')}`;
}

export type CompactResult =
  | { ok: true; kid: string; payload: Record<string, unknown> }
  | { ok: false; reason: 'malformed' | 'header' | 'unknown-kid' | 'signature' | 'payload' };

/**
 * Verifies the structure, header and signature and returns the parsed payload; never throws.
 * `lookup` returns the key of a kid, or undefined when it is unknown (or no longer published).
 */
export function verifyCompact(token: unknown, lookup: (kid: string) => VerificationKey | undefined): CompactResult {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const d1 = token.indexOf('.');
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
  if (d1 <= 0 || d2 < 0 || token.indexOf('.', d2 + 1) !== -1) return { ok: false, reason: 'malformed' };
  const h = token.slice(0, d1);
  const p = token.slice(d1 + 1, d2);
  const s = token.slice(d2 + 1);
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return { ok: false, reason: 'malformed' };

  const header = parseObject(h);
  if (!header) return { ok: false, reason: 'header' };
  for (const name of Object.keys(header)) if (!HEADER_KEYS.has(name)) return { ok: false, reason: 'header' };
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || (typ !== undefined && typ !== 'JWT') || typeof kid !== 'string' || !KID.test(kid))
    return { ok: false, reason: 'header' };

  const key = lookup(kid);
  if (!key) return { ok: false, reason: 'unknown-kid' };
  if (alg !== key.algorithm) return { ok: false, reason: 'header' };
  // Exact length first, then refuse non-canonical encodings (stray low bits), so a token has one spelling.
  if (s.length !== Math.ceil((key.signatureBytes * 4) / 3)) return { ok: false, reason: 'malformed' };
  const signature = Buffer.from(s, 'base64url');
  if (signature.length !== key.signatureBytes || signature.toString('base64url') !== s) return { ok: false, reason: 'malformed' };
  let valid = false;
  try {
    valid = nodeVerify(digestOf(key.algorithm), Buffer.from(token.slice(0, d2), 'latin1'), keyFor(key.algorithm, key.publicKey), signature);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'signature' };

  const payload = parseObject(p);
  if (!payload) return { ok: false, reason: 'payload' };
  return { ok: true, kid, payload };
}

function parseObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
