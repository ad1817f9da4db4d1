import { importJWK, type CryptoKey, type JWK } from 'jose';
import { VerifyError } from './errors.js';

/** The algorithms the service signs with (API.md "Tokens"); anything else, `none` included, is refused. */
export const ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519', 'RS256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A refetch for an unknown `kid` happens at most this often, so forged kids cannot make us hammer the service. */
export const UNKNOWN_KID_REFETCH_MS = 30_000;
const DEFAULT_MAX_AGE_SEC = 300;
/** After a failed fetch, wait this long before the next attempt (a verify does not pay a timeout each time). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface ResolvedKey {
  key: CryptoKey;
  alg: Algorithm;
}

export interface JwksDeps {
  url: string;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  onError: (error: Error) => void;
}

/**
 * The service's public keys, cached as the JWKS's Cache-Control max-age says; an unknown kid refetches
 * (at most once per 30 s), `keys.rotated` refetches at once. A kid that leaves the set (a compromised key
 * unpublished) stops verifying as soon as the new set is loaded.
 */
export class KeySet {
  private keys = new Map<string, ResolvedKey>();
  private loaded = false;
  private expiresAt = 0;
  private lastUnknownKidFetch = Number.NEGATIVE_INFINITY;
  private failedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(private readonly deps: JwksDeps) {}

  /** The key of a kid in memory, without fetching (the fast path). */
  peek(kid: string): ResolvedKey | undefined {
    return this.keys.get(kid);
  }

  /** The last failure to fetch the set, null once a fetch worked. */
  lastError: string | null = null;

  /** True when the cached set is past its max-age: callers refresh in the background and go on. */
  isStale(now: number): boolean {
    return now >= this.expiresAt;
  }

  /** Loads the set unless it was loaded once already. */
  async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.refresh(false);
  }

  /** The key of `kid`, loading the set first if it never was, and refetching once for an unknown kid. */
  async resolve(kid: string): Promise<ResolvedKey | undefined> {
    if (!this.loaded) await this.refresh(false);
    else if (this.isStale(this.deps.now())) void this.refresh(false).catch(() => {});
    const known = this.keys.get(kid);
    if (known) return known;
    const now = this.deps.now();
    if (now - this.lastUnknownKidFetch < UNKNOWN_KID_REFETCH_MS) return undefined;
    this.lastUnknownKidFetch = now;
    await this.refresh(true).catch(() => {});
    return this.keys.get(kid);
  }

  /**
   * Fetches the set (one request at a time). `force` skips the pause after a failure (keys.rotated, an unknown kid).
   * Throws SERVICE_UNAVAILABLE only while no set was ever loaded; later failures keep the last set.
   */
  refresh(force: boolean): Promise<void> {
    if (this.inflight) return this.inflight;
    if (!force && this.loaded && this.deps.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) return Promise.resolve();
    if (!force && !this.loaded && this.deps.now() - this.failedAt < RETRY_AFTER_FAILURE_MS) {
      return Promise.reject(new VerifyError('SERVICE_UNAVAILABLE', 'The JWKS could not be fetched'));
    }
    this.inflight = this.load()
      .catch((error: unknown) => {
        this.failedAt = this.deps.now();
        const failure = error instanceof Error ? error : new Error(String(error));
        this.lastError = `JWKS: ${failure.message}`;
        this.deps.onError(new Error(`JWKS ${this.deps.url}: ${failure.message}`, { cause: failure }));
        if (!this.loaded) throw new VerifyError('SERVICE_UNAVAILABLE', 'The JWKS could not be fetched', { cause: failure });
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async load(): Promise<void> {
    const response = await this.deps.fetch(this.deps.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.deps.timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('not a JWK Set');
    const next = new Map<string, ResolvedKey>();
    for (const jwk of body.keys as JWK[]) {
      const alg = algorithmOf(jwk);
      if (!alg || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      // A key this runtime cannot import is skipped; the others still verify.
      const key = await importJWK({ ...jwk, alg }, alg).catch(() => undefined);
      if (key && !(key instanceof Uint8Array)) next.set(jwk.kid, { key, alg });
    }
    this.keys = next;
    this.loaded = true;
    this.lastError = null;
    this.failedAt = Number.NEGATIVE_INFINITY;
    this.expiresAt = this.deps.now() + maxAgeSec(response.headers.get('cache-control')) * 1000;
  }
}

/** The key's algorithm: its `alg`, or the one its type implies; undefined for keys we never accept. */
function algorithmOf(jwk: JWK): Algorithm | undefined {
  if (jwk.alg !== undefined) return (ALGORITHMS as readonly string[]).includes(jwk.alg) ? (jwk.alg as Algorithm) : undefined;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  return undefined;
}

function maxAgeSec(cacheControl: string | null): number {
  if (!cacheControl) return DEFAULT_MAX_AGE_SEC;
  if (/(?:^|,)\s*(?:no-store|no-cache)\b/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return match ? Number(match[1]) : DEFAULT_MAX_AGE_SEC;
}
