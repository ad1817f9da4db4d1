import { errors, jwtVerify, type JWTPayload } from 'jose';
import { projectClaims, type ProjectRef, type Verified } from './claims.js';
import { VerifyError } from './errors.js';
import { exchangeCode, type ExchangeResult } from './exchange.js';
import { ALGORITHMS, KeySet, type Algorithm } from './jwks.js';
import { OnlineChecker } from './online.js';
import { Revocations } from './revocations.js';
import { EventStream } from './stream.js';
import type { ProjectEvent, VerifierHealth, VerifierOptions, XtownUser } from './types.js';

export interface Verifier {
  /** The user of a project token for this project, or a VerifyError (TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, SERVICE_UNAVAILABLE). */
  verify(token: string): Promise<XtownUser>;
  /** Exchanges a `?xtown_code=` for a project token (needs clientSecret). */
  exchangeCode(code: string): Promise<ExchangeResult>;
  /** For a project's alerting: the stream's state and the mode verify is in. */
  health(): VerifierHealth;
  /** Resolves once the JWKS is loaded (offline mode); verify works before, its first call just waits for it. */
  ready(): Promise<void>;
  /** Stops the stream and the timers. */
  close(): void;
}

/** Tokens issued up to this long after a resync's `at` are still checked online (the service's instances' clocks differ). */
const RESYNC_SLACK_MS = 60_000;
/** A token issued further in the future than this is refused (a clock far off, or a forgery's claim). */
const MAX_FUTURE_IAT_MS = 60_000;
const SWEEP_MS = 60_000;

const revoked = () => new VerifyError('TOKEN_REVOKED');
const EDDSA = new Set<string>(['EdDSA', 'Ed25519']);
const sameFamily = (header: string, key: Algorithm) => header === key || (EDDSA.has(header) && EDDSA.has(key));

export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const project: ProjectRef = typeof options.project === 'string' ? { customProjectId: options.project } : { ...options.project };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.requestTimeoutMs ?? 5_000;
  const toleranceSec = options.clockToleranceSec ?? 5;
  const cacheSize = options.cacheSize ?? 10_000;
  const onError = options.onError ?? (() => {});
  const onlineOnly = options.mode === 'online';
  const eventsOff = !onlineOnly && options.events === false;

  const online = new OnlineChecker({
    url: `${issuer}/api/auth/validate-token`,
    project,
    fetch: fetchImpl,
    timeoutMs,
    now,
    cacheMs: options.onlineCacheMs ?? 5_000,
    maxEntries: Math.max(cacheSize, 1_000),
  });
  const keys = new KeySet({ url: `${issuer}/.well-known/jwks.json`, fetch: fetchImpl, now, timeoutMs, onError });
  // Loaded at once, so that the first request does not wait for it (a failure is retried by the first verify).
  if (!onlineOnly) void keys.ensureLoaded().catch(() => {});
  const revocations = new Revocations(() => project.id);
  const cache = new Map<string, Verified>();
  let resyncBeforeMs = Number.NEGATIVE_INFINITY;

  const applyEvent = (event: ProjectEvent) => {
    if (event.type === 'keys.rotated') void keys.refresh(true).catch(() => {});
    else if (event.type === 'resync') {
      const at = typeof event.at === 'string' ? Date.parse(event.at) : Number.NaN;
      resyncBeforeMs = Math.max(resyncBeforeMs, (Number.isNaN(at) ? now() : at) + RESYNC_SLACK_MS);
    } else revocations.apply(event, Date.now());
    options.onEvent?.(event);
  };

  let stream: EventStream | undefined;
  if (!onlineOnly && !eventsOff) {
    if (!options.clientSecret) throw new TypeError('createVerifier: the events stream needs clientSecret (or events: false)');
    stream = new EventStream({
      url: options.eventsUrl ?? `${issuer}/api/projects/${encodeURIComponent(project.customProjectId)}/events`,
      authorization: basicAuthorization(project.customProjectId, options.clientSecret),
      fetch: fetchImpl,
      heartbeatMs: options.heartbeatMs ?? 5_000,
      minDelayMs: options.reconnect?.minMs ?? 1_000,
      maxDelayMs: options.reconnect?.maxMs ?? 30_000,
      timeoutMs,
      onEvent: applyEvent,
      onError,
    });
  }

  const horizonMs = (options.maxTokenLifetimeSec ?? 86_400) * 1000;
  const sweeper = setInterval(() => {
    revocations.prune(Date.now(), horizonMs);
    const limit = now() - toleranceSec * 1000;
    for (const [token, entry] of cache) if (entry.expMs <= limit) cache.delete(token);
  }, SWEEP_MS);
  sweeper.unref?.();

  /** Whether the revocations known here are complete for this token. */
  const trusted = (v: Verified) => eventsOff || (stream !== undefined && stream.current && v.iatMs > resyncBeforeMs);

  const confirmOnline = async (token: string, v: Verified): Promise<XtownUser> => {
    await online.check(token);
    return v.user;
  };

  const keyFor = async (header: { kid?: unknown; alg?: unknown }) => {
    const { kid, alg } = header;
    if (typeof kid !== 'string' || typeof alg !== 'string') throw new VerifyError('TOKEN_INVALID', 'Invalid token: no key id');
    const resolved = await keys.resolve(kid);
    if (!resolved) throw new VerifyError('TOKEN_INVALID', 'Invalid token: unknown key');
    if (!sameFamily(alg, resolved.alg)) throw new VerifyError('TOKEN_INVALID', 'Invalid token: algorithm and key differ');
    return resolved.key;
  };

  /** The full check: signature over the JWKS, claims, revocations; the result joins the cache. */
  const verifyUncached = async (token: string): Promise<XtownUser> => {
    let payload: JWTPayload;
    let kid: string;
    try {
      const result = await jwtVerify(token, keyFor, {
        issuer,
        audience: project.customProjectId,
        algorithms: [...ALGORITHMS],
        clockTolerance: toleranceSec,
        currentDate: new Date(now()),
      });
      payload = result.payload;
      kid = result.protectedHeader.kid as string;
    } catch (error) {
      if (error instanceof VerifyError) throw error;
      if (error instanceof errors.JWTExpired) throw new VerifyError('TOKEN_EXPIRED');
      throw new VerifyError('TOKEN_INVALID', undefined, { cause: error });
    }
    const v = projectClaims(payload, kid, project);
    if (v.iatMs > now() + MAX_FUTURE_IAT_MS) throw new VerifyError('TOKEN_INVALID', 'Invalid token: issued in the future');
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(token, v);
    }
    if (revocations.revokes(v)) throw revoked();
    return trusted(v) ? v.user : confirmOnline(token, v);
  };

  const verify = async (token: string): Promise<XtownUser> => {
    if (typeof token !== 'string' || token.length === 0 || token.length > 64 * 1024) throw new VerifyError('TOKEN_INVALID');
    if (onlineOnly) {
      const answer = await online.check(token);
      // A reused answer never outlives the token.
      if (now() >= answer.expMs + toleranceSec * 1000) throw new VerifyError('TOKEN_EXPIRED');
      return answer.user;
    }
    const hit = cache.get(token);
    if (hit !== undefined) {
      const t = now();
      // Still within its lifetime and signed by a key still published (an unpublished key stops its tokens at once).
      if (t < hit.expMs + toleranceSec * 1000 && keys.peek(hit.kid) !== undefined) {
        if (keys.isStale(t)) void keys.refresh(false).catch(() => {});
        if (revocations.revokes(hit)) throw revoked();
        return trusted(hit) ? hit.user : confirmOnline(token, hit);
      }
      cache.delete(token);
    }
    return verifyUncached(token);
  };

  return {
    verify,
    exchangeCode: (code) => exchangeCode({ fetch: fetchImpl, timeoutMs }, issuer, project, options.clientSecret, code),
    health(): VerifierHealth {
      const mode = onlineOnly ? 'online' : eventsOff || stream?.current ? 'offline' : 'online-fallback';
      return {
        mode,
        connected: stream?.connected ?? false,
        current: stream?.current ?? false,
        lastEventId: stream?.lastEventId ?? null,
        sinceLastMessageMs: stream?.lastMessageAt == null ? null : Date.now() - stream.lastMessageAt,
        resyncBefore: Number.isFinite(resyncBeforeMs) ? new Date(resyncBeforeMs) : null,
        lastError: stream?.lastError ?? keys.lastError,
      };
    },
    ready: () => (onlineOnly ? Promise.resolve() : keys.ensureLoaded()),
    close() {
      clearInterval(sweeper);
      stream?.close();
    },
  };
}

/** `Basic base64(user:password)` over UTF-8, without Buffer (edge runtimes have none). */
function basicAuthorization(user: string, password: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(`${user}:${password}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
