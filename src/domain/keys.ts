import type { JsonWebKey, KeyObject } from 'node:crypto';

/** A signing key as stored: the private part encrypted with a key derived from JWT_SECRET. */
export interface SigningKeyRow {
  id: string;
  algorithm: string;
  /** The public JWK as JSON text. */
  publicJwk: string;
  privateKeyEnc: string;
  createdAt: Date;
  retiredAt: Date | null;
}

/** Where the signing keys are kept (db/repositories/signing-keys.ts); the key ring computes, this stores. */
export interface SigningKeyStore {
  /** Active keys and those retired after `retiredAfter`, oldest first. */
  listVerifiable(retiredAfter: Date): Promise<SigningKeyRow[]>;
  /** Inserts `row` unless an active key exists (under a lock: two instances starting never make two). */
  insertIfNoneActive(row: SigningKeyRow): Promise<boolean>;
  updateEncrypted(id: string, privateKeyEnc: string): Promise<boolean>;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** The service's Ed25519 keys, loaded once; KeyObjects are built at load, never per request. */
export interface KeyRing {
  /** The key new tokens are signed with: the oldest active key (createdAt, then kid). */
  readonly signingKey: SigningKey;
  publicKey(kid: string): KeyObject | undefined;
  /** Public keys only; the same frozen object until the next reload. */
  jwks(): { keys: JsonWebKey[] };
  /** Reloads from the database; calls within `refreshIntervalMs` of the last load do nothing. */
  refresh(): Promise<void>;
}
