import type { JsonWebKey, KeyObject } from 'node:crypto';

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

/**
 * A signing key as stored: the private part encrypted with a key derived from JWT_SECRET, and its
 * lifecycle (API.md "Tokens"), so that every instance computes the same JWKS and the same signing key
 * from the rows and the clock: published from `createdAt`, signs from `signFrom` until `retiredAt`,
 * published until `unpublishAt` (after the last token it signed has expired; at once when compromised).
 */
export interface SigningKeyRow {
  id: string;
  algorithm: string;
  /** The public JWK as JSON text. */
  publicJwk: string;
  privateKeyEnc: string;
  createdAt: Date;
  signFrom: Date;
  retiredAt: Date | null;
  unpublishAt: Date | null;
}

/** What a rotation does to the stored keys, decided by the key ring, applied atomically by the store. */
export interface KeyRotationPlan {
  /** The new key (published now). */
  key: SigningKeyRow;
  /** Keys that stop signing (and when), and when they leave the JWKS. */
  retire: Array<{ id: string; retiredAt: Date; unpublishAt: Date }>;
}

/** Where the signing keys are kept (db/repositories/signing-keys.ts); the key ring computes, this stores. */
export interface SigningKeyStore {
  /** Keys still published at `at` or later (unpublishAt null or after it), oldest first. */
  listPublished(at: Date): Promise<SigningKeyRow[]>;
  /**
   * Under a lock shared by every instance: reads the published keys, lets `plan` decide (undefined: nothing
   * to do, e.g. another instance rotated first), applies the plan. Returns whether it applied one.
   */
  rotate(at: Date, plan: (keys: SigningKeyRow[]) => KeyRotationPlan | undefined): Promise<boolean>;
  updateEncrypted(id: string, privateKeyEnc: string): Promise<boolean>;
}

export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface PublishedKeys {
  keys: JsonWebKey[];
}

/** The service's signing keys; KeyObjects are built at load, never per request. */
export interface KeyRing {
  /** The key that signs now: the published key with the latest signFrom that has passed and is not retired. */
  readonly signingKey: SigningKey;
  /** The public key of a kid, while it is published. */
  publicKey(kid: string): { algorithm: SigningAlgorithm; publicKey: KeyObject; signatureBytes: number } | undefined;
  /** Public keys only; the same frozen object (and ETag) until the set changes. */
  jwks(): { body: PublishedKeys; etag: string };
  /** Reloads from the database; calls within `refreshIntervalMs` of the last load do nothing. */
  refresh(): Promise<void>;
  /**
   * Starts a rotation: a new key of `algorithm`, published now, signing after the JWKS cache lifetime; the
   * current key retires then and stays published until its last token expires. `compromised`: the new key
   * signs at once and the current one is unpublished at once. Does nothing when a rotation is already
   * pending (unless compromised). Returns whether it rotated.
   */
  rotate(options?: { compromised?: boolean; algorithm?: SigningAlgorithm }): Promise<boolean>;
  /** Rotates when the signing key is older than the rotation period, or of another algorithm than configured. */
  rotateIfDue(): Promise<boolean>;
}
