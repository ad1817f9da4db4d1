import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
  createSecretKey,
} from 'node:crypto';

/**
 * Everything derived from JWT_SECRET: the HMAC that stores OTPs, refresh tokens, codes and client
 * secrets as hashes, and the AES-256-GCM key that encrypts signing keys and outbox payloads.
 * Keys are derived once; with JWT_SECRET_PREVIOUS set, lookups also try the previous secret.
 */
export interface Secrets {
  /** HMAC-SHA256 (hex) under the current secret. */
  hash(purpose: string, value: string): string;
  /** The hashes under the current and the previous secret, for lookups during a rotation. */
  hashCandidates(purpose: string, value: string): string[];
  encrypt(plaintext: string): string;
  /** Decrypts with the current key, then the previous; throws if neither opens it. */
  decrypt(ciphertext: string): string;
  /** True when the ciphertext opens only with the previous secret (needs re-encryption). */
  needsReencryption(ciphertext: string): boolean;
  /** A value derived from the secret, the same on every instance (e.g. the default setup token). */
  derive(label: string, bytes: number): Buffer;
}

interface KeySet {
  hmac: KeyObject;
  aes: Buffer;
  raw: string;
}

function keysFor(secret: string): KeySet {
  const aes = Buffer.from(hkdfSync('sha256', secret, 'xtown-authenticator', 'aes-256-gcm/at-rest', 32));
  const hmac = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'xtown-authenticator', 'hmac-sha256/lookup', 32)));
  return { aes, hmac, raw: secret };
}

const VERSION = 'v1';

export function createSecrets(secret: string, previous?: string): Secrets {
  const current = keysFor(secret);
  const older = previous && previous !== secret ? keysFor(previous) : undefined;

  const hmacWith = (keys: KeySet, purpose: string, value: string) =>
    createHmac('sha256', keys.hmac).update(purpose).update('\0').update(value).digest('hex');

  const open = (keys: KeySet, ciphertext: string): string => {
    const [version, ivB64, tagB64, dataB64] = ciphertext.split('.');
    if (version !== VERSION || !ivB64 || !tagB64 || dataB64 === undefined) throw new Error('Unknown ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', keys.aes, Buffer.from(ivB64, 'base64url'));
    decipher.setAuthTag(Buffer.from(tagB64, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(dataB64, 'base64url')), decipher.final()]).toString('utf8');
  };

  return {
    hash: (purpose, value) => hmacWith(current, purpose, value),
    hashCandidates: (purpose, value) =>
      older ? [hmacWith(current, purpose, value), hmacWith(older, purpose, value)] : [hmacWith(current, purpose, value)],
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.aes, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    decrypt(ciphertext) {
      try {
        return open(current, ciphertext);
      } catch (error) {
        if (!older) throw error;
        return open(older, ciphertext);
      }
    },
    needsReencryption(ciphertext) {
      try {
        open(current, ciphertext);
        return false;
      } catch {
        return true;
      }
    },
    derive: (label, bytes) => Buffer.from(hkdfSync('sha256', secret, 'xtown-authenticator', label, bytes)),
  };
}

/** Constant-time comparison of two strings of possibly different length. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
