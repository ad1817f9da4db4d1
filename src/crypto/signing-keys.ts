import { createHash, createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { KeyRing, KeyRotationPlan, SigningAlgorithm, SigningKey, SigningKeyRow, SigningKeyStore } from '../domain/keys.js';
import { signatureBytesOf, type VerificationKey } from './jws.js';
import { generateSigningKey, isSigningAlgorithm, openPublicKey, publicMembers, thumbprint } from './key-material.js';
import type { Secrets } from './secrets.js';

export interface KeyRingDeps {
  store: SigningKeyStore;
  secrets: Secrets;
  clock: Clock;
  /** The algorithm of new keys (JWT_SIGNING_ALG). Default ES256. */
  algorithm?: SigningAlgorithm;
  /** The JWKS cache lifetime: a new key is published this long before it signs. Default 300 s. */
  jwksMaxAgeSec?: number;
  /** The token lifetime: a retired key stays published this long (plus the allowed clock skew). Default 1 day. */
  tokenTtlSec?: number;
  /** Scheduled rotation (JWT_KEY_ROTATION_DAYS). Default 90. */
  rotationDays?: number;
  /** Minimum time between two reloads by refresh(). Default 5 s. */
  refreshIntervalMs?: number;
  /** Told after this ring applied a rotation (the keys.rotated event, a log line). */
  onRotated?: (rotation: { kid: string; algorithm: SigningAlgorithm; compromised: boolean }) => void | Promise<void>;
}

/** A start-up failure of the key ring (the process should not serve without keys). */
export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

/** Tokens may be signed this far ahead of a verifier's clock (crypto/jwt.ts refuses more), so keys stay this much longer. */
const CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;

interface Loaded {
  rows: SigningKeyRow[];
  publicKeys: Map<string, VerificationKey & { jwk: JsonWebKey }>;
}

interface View {
  signing: SigningKey;
  published: Map<string, VerificationKey>;
  jwks: { body: { keys: JsonWebKey[] }; etag: string };
  /** The view holds until this time (the next publish, sign-from, retire or unpublish time). */
  until: number;
}

/** Loads the signing keys, creating the first one when none can sign, and rotating when due. */
export async function loadKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  const { store, clock } = deps;
  const algorithm = deps.algorithm ?? 'ES256';
  const maxAgeMs = (deps.jwksMaxAgeSec ?? 300) * 1000;
  const ttlMs = (deps.tokenTtlSec ?? 86_400) * 1000;
  const rotationMs = (deps.rotationDays ?? 90) * DAY_MS;
  const intervalMs = deps.refreshIntervalMs ?? 5_000;
  const privateKeys = new Map<string, KeyObject>();

  let loaded: Loaded = { rows: [], publicKeys: new Map() };
  let view: View | undefined;
  let loadedAt = 0;
  let inflight: Promise<void> | undefined;

  const load = async () => {
    loaded = await open(await store.listPublished(clock.now()), deps, privateKeys);
    loadedAt = clock.now().getTime();
    view = undefined;
  };
  const current = (): View => {
    const now = clock.now().getTime();
    if (!view || now >= view.until) view = viewAt(loaded, privateKeys, now);
    return view;
  };

  const rotate = async (options: {
    compromised?: boolean;
    algorithm?: SigningAlgorithm;
    onlyIf?: (signing: SigningKeyRow) => boolean;
    /** The first key of an empty table: nobody holds a JWKS to refresh. */
    first?: boolean;
  }) => {
    const compromised = options.compromised ?? false;
    const keyAlgorithm = options.algorithm ?? algorithm;
    const planOptions = { compromised, maxAgeMs, ttlMs, onlyIf: options.onlyIf };
    // Decided again under the store's lock; this only spares generating a key when nothing is due.
    if (!planRotation(loaded.rows, clock.now().getTime(), planOptions)) return false;
    const material = await generateSigningKey(keyAlgorithm);
    const members = publicMembers(keyAlgorithm, material.publicKey);
    const kid = thumbprint(keyAlgorithm, members);
    const pem = material.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const at = clock.now();
    const applied = await store.rotate(at, (rows) => {
      const plan = planRotation(rows, at.getTime(), planOptions);
      if (!plan) return undefined;
      const key: SigningKeyRow = {
        id: kid,
        algorithm: keyAlgorithm,
        publicJwk: JSON.stringify(members),
        privateKeyEnc: deps.secrets.encrypt(pem),
        createdAt: at,
        signFrom: new Date(plan.signFrom),
        retiredAt: null,
        unpublishAt: null,
      };
      return { key, retire: plan.retire } satisfies KeyRotationPlan;
    });
    await load();
    if (applied && !options.first) await deps.onRotated?.({ kid, algorithm: keyAlgorithm, compromised });
    return applied;
  };

  await load();
  if (!signingRowAt(loaded.rows, clock.now().getTime())) await rotate({ onlyIf: () => false, first: loaded.rows.length === 0 });
  const ring: KeyRing = {
    get signingKey() {
      return current().signing;
    },
    publicKey: (kid) => current().published.get(kid),
    jwks: () => current().jwks,
    refresh() {
      if (inflight) return inflight;
      if (clock.now().getTime() - loadedAt < intervalMs) return Promise.resolve();
      inflight = load().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    rotate: (options = {}) => rotate(options),
    rotateIfDue: () =>
      rotate({ onlyIf: (signing) => signing.algorithm !== algorithm || signing.signFrom.getTime() + rotationMs <= clock.now().getTime() }),
  };
  await ring.rotateIfDue();
  current();
  return ring;
}

/** The key that signs at `now`: the latest signFrom that has passed, among keys published and not retired. */
function signingRowAt(rows: SigningKeyRow[], now: number): SigningKeyRow | undefined {
  let best: SigningKeyRow | undefined;
  for (const row of rows) {
    if (!isSigningAlgorithm(row.algorithm) || !publishedAt(row, now)) continue;
    if (row.signFrom.getTime() > now || (row.retiredAt && row.retiredAt.getTime() <= now)) continue;
    if (
      !best ||
      row.signFrom.getTime() > best.signFrom.getTime() ||
      (row.signFrom.getTime() === best.signFrom.getTime() && row.id < best.id)
    )
      best = row;
  }
  return best;
}

const publishedAt = (row: SigningKeyRow, now: number) =>
  row.createdAt.getTime() <= now && (!row.unpublishAt || row.unpublishAt.getTime() > now);

/**
 * What a rotation at `now` does, given the published keys (read under the store's lock):
 * - no key signs (an empty table, or every key retired): a new key that signs at once;
 * - compromised: a new key that signs at once; the current and any pending key are unpublished at once;
 * - otherwise, unless a new key is already pending or `onlyIf` declines: a new key published now that
 *   signs after the JWKS cache lifetime, when the current key retires; it stays published until its
 *   last token has expired.
 */
export function planRotation(
  rows: SigningKeyRow[],
  now: number,
  options: { compromised: boolean; maxAgeMs: number; ttlMs: number; onlyIf?: ((signing: SigningKeyRow) => boolean) | undefined },
): { signFrom: number; retire: KeyRotationPlan['retire'] } | undefined {
  const signing = signingRowAt(rows, now);
  if (!signing) return { signFrom: now, retire: [] };
  const pending = rows.filter((row) => row.signFrom.getTime() > now && !row.retiredAt && publishedAt(row, now));
  if (options.compromised) {
    return {
      signFrom: now,
      retire: [signing, ...pending].map((row) => ({ id: row.id, retiredAt: new Date(now), unpublishAt: new Date(now) })),
    };
  }
  if (pending.length > 0 || (options.onlyIf && !options.onlyIf(signing))) return undefined;
  const signFrom = now + options.maxAgeMs;
  return {
    signFrom,
    retire: [{ id: signing.id, retiredAt: new Date(signFrom), unpublishAt: new Date(signFrom + options.ttlMs + CLOCK_SKEW_MS) }],
  };
}

/** Opens every published row's public key, and the private keys of those that sign now or will. */
async function open(rows: SigningKeyRow[], deps: KeyRingDeps, privateKeys: Map<string, KeyObject>): Promise<Loaded> {
  const now = deps.clock.now().getTime();
  const publicKeys: Loaded['publicKeys'] = new Map();
  for (const row of rows) {
    if (!isSigningAlgorithm(row.algorithm)) continue;
    const opened = openPublicKey(row.algorithm, row.id, row.publicJwk);
    if (!opened) throw new KeyRingError(`Signing key ${row.id}: the stored public key does not match its kid and algorithm`);
    publicKeys.set(row.id, {
      algorithm: row.algorithm,
      publicKey: opened.key,
      signatureBytes: signatureBytesOf(row.algorithm, opened.key),
      jwk: Object.freeze(opened.jwk),
    });
    // Every key that may sign is opened (and re-encrypted if needed) now, so a rotation of JWT_SECRET
    // finishes on the first start with the new secret, and signing never waits on a decryption.
    if (privateKeys.has(row.id) || (row.retiredAt && row.retiredAt.getTime() <= now)) continue;
    const privateKey = createPrivateKey({ key: await openPrivateKey(row, deps), format: 'pem' });
    if (thumbprint(row.algorithm, publicMembers(row.algorithm, privateKey)) !== row.id) {
      throw new KeyRingError(`Signing key ${row.id}: the private key does not match the public key`);
    }
    privateKeys.set(row.id, privateKey);
  }
  return { rows, publicKeys };
}

function viewAt(loaded: Loaded, privateKeys: Map<string, KeyObject>, now: number): View {
  const row = signingRowAt(loaded.rows, now);
  const privateKey = row && privateKeys.get(row.id);
  if (!row || !privateKey) throw new KeyRingError('No signing key can sign now; check the signing_keys table');
  const published = new Map<string, VerificationKey>();
  const keys: JsonWebKey[] = [];
  let until = Number.POSITIVE_INFINITY;
  for (const candidate of loaded.rows) {
    for (const time of [candidate.createdAt, candidate.signFrom, candidate.retiredAt, candidate.unpublishAt]) {
      if (time && time.getTime() > now) until = Math.min(until, time.getTime());
    }
    const key = loaded.publicKeys.get(candidate.id);
    if (!key || !publishedAt(candidate, now)) continue;
    published.set(candidate.id, key);
    keys.push(key.jwk);
  }
  const body = Object.freeze({ keys: Object.freeze(keys) as JsonWebKey[] });
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  return {
    signing: Object.freeze({ kid: row.id, algorithm: row.algorithm as SigningAlgorithm, privateKey }),
    published,
    jwks: { body, etag },
    until,
  };
}

async function openPrivateKey(row: SigningKeyRow, { store, secrets }: KeyRingDeps): Promise<string> {
  if (!secrets.needsReencryption(row.privateKeyEnc)) return secrets.decrypt(row.privateKeyEnc);
  let pem: string;
  try {
    pem = secrets.decrypt(row.privateKeyEnc);
  } catch {
    throw new KeyRingError(
      `Signing key ${row.id} cannot be decrypted with JWT_SECRET. If JWT_SECRET was changed, set JWT_SECRET_PREVIOUS to the old secret ` +
        'for the first start after the change; the key is then re-encrypted with the new secret.',
    );
  }
  await store.updateEncrypted(row.id, secrets.encrypt(pem));
  return pem;
}
