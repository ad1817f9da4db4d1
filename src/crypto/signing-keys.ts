import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { KeyRing, SigningKey, SigningKeyRow, SigningKeyStore } from '../domain/keys.js';
import type { Clock } from '../domain/clock.js';
import type { Secrets } from './secrets.js';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface KeyRingDeps {
  store: SigningKeyStore;
  secrets: Secrets;
  clock: Clock;
  /** How long a retired key still verifies (and stays in the JWKS); pass the token lifetime. Default 1 day. */
  retiredKeyGraceSec?: number;
  /** Minimum time between two reloads by refresh(). Default 5 s. */
  refreshIntervalMs?: number;
}

/** A start-up failure of the key ring (the process should not serve without keys). */
export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

interface State {
  signing: SigningKey;
  publicKeys: Map<string, KeyObject>;
  jwks: { keys: JsonWebKey[] };
}

/** Loads the signing keys, creating the first one when the table has none. */
export async function loadKeyRing(deps: KeyRingDeps): Promise<KeyRing> {
  const { store, clock } = deps;
  const graceMs = (deps.retiredKeyGraceSec ?? 86_400) * 1000;
  const intervalMs = deps.refreshIntervalMs ?? 5_000;
  const privateKeys = new Map<string, KeyObject>();

  const load = async (): Promise<State> => {
    const since = () => new Date(clock.now().getTime() - graceMs);
    let rows = await store.listVerifiable(since());
    if (!rows.some((row) => row.retiredAt === null)) {
      await store.insertIfNoneActive(newKeyRow(deps));
      rows = await store.listVerifiable(since());
    }
    return buildState(rows, deps, privateKeys);
  };

  let state = await load();
  let loadedAt = clock.now().getTime();
  let inflight: Promise<void> | undefined;

  return {
    get signingKey() {
      return state.signing;
    },
    publicKey: (kid) => state.publicKeys.get(kid),
    jwks: () => state.jwks,
    refresh() {
      if (inflight) return inflight;
      if (clock.now().getTime() - loadedAt < intervalMs) return Promise.resolve();
      loadedAt = clock.now().getTime();
      inflight = load()
        .then((next) => {
          state = next;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
  };
}

function newKeyRow({ secrets, clock }: KeyRingDeps): SigningKeyRow {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return {
    id: thumbprint(jwk),
    algorithm: SIGNING_ALGORITHM,
    publicJwk: JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }),
    privateKeyEnc: secrets.encrypt(pem),
    createdAt: clock.now(),
    retiredAt: null,
  };
}

/** RFC 7638 thumbprint: the kid is a function of the key, so it never names two keys. */
function thumbprint(jwk: JsonWebKey): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
}

async function buildState(rows: SigningKeyRow[], deps: KeyRingDeps, privateKeys: Map<string, KeyObject>): Promise<State> {
  const active = rows.filter((row) => row.retiredAt === null);
  const oldest = active[0];
  if (!oldest) throw new KeyRingError('No active signing key after creating one; check the signing_keys table');

  const publicKeys = new Map<string, KeyObject>();
  const published: JsonWebKey[] = [];
  for (const row of rows) {
    if (row.algorithm !== SIGNING_ALGORITHM) continue;
    const key = createPublicKey({ key: JSON.parse(row.publicJwk) as JsonWebKey, format: 'jwk' });
    const jwk = key.export({ format: 'jwk' });
    if (jwk.crv !== 'Ed25519' || thumbprint(jwk) !== row.id)
      throw new KeyRingError(`Signing key ${row.id}: the stored public key does not match its kid`);
    publicKeys.set(row.id, key);
    published.push(Object.freeze({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: row.id, alg: SIGNING_ALGORITHM, use: 'sig' }));
  }

  // Every active key is opened (and re-encrypted if needed) so a rotation of JWT_SECRET
  // finishes on the first start with the new secret, not when each key comes into use.
  for (const row of active) {
    if (privateKeys.has(row.id)) continue;
    const pem = await openPrivateKey(row, deps);
    const privateKey = createPrivateKey({ key: pem, format: 'pem' });
    if (thumbprint(createPublicKey(privateKey).export({ format: 'jwk' })) !== row.id) {
      throw new KeyRingError(`Signing key ${row.id}: the private key does not match the public key`);
    }
    privateKeys.set(row.id, privateKey);
  }

  const privateKey = privateKeys.get(oldest.id);
  if (!privateKey || !publicKeys.has(oldest.id))
    throw new KeyRingError(`Signing key ${oldest.id} has an unsupported algorithm ${oldest.algorithm}`);
  return {
    signing: Object.freeze({ kid: oldest.id, privateKey }),
    publicKeys,
    jwks: Object.freeze({ keys: Object.freeze(published) as JsonWebKey[] }),
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
