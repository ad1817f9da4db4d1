/** The claims of a project token (API.md "Tokens": the seed's Project Token Payload plus the registered claims). */
export interface XtownUser {
  id: number;
  email: string;
  name: string;
  role: 'SUPER_ADMIN' | 'ADMIN' | 'SUB_USER';
  customRole: string | null;
  companyName: string | null;
  companyAddress: string | null;
  companyPhone: string | null;
  isActive: boolean;
  isSuspended: boolean;
  createdAt: string;
  project: { id: number; customProjectId: string; name: string };
  tokenType: 'PROJECT_ACCESS';
  /** The user's token generation and the generation of its access to the project (revocation cutoffs). */
  gen?: number;
  pgen?: number;
  /** The user id as a string. */
  sub: string;
  iss: string;
  aud: string;
  jti: string;
  /** The session (refresh chain) the token came from. */
  sid: string;
  iat: number;
  exp: number;
  nbf?: number;
}

export type ProjectEventType = 'user.revoked' | 'session.revoked' | 'access.revoked' | 'project.revoked' | 'keys.rotated' | 'resync';

/** The `data` of an event of the project's stream (API.md "Project events"); fields that do not apply are null. */
export interface ProjectEvent {
  id: string | number | null;
  type: ProjectEventType | string;
  at: string | null;
  userId: number | null;
  sessionId: string | null;
  projectId: number | null;
  gen: number | null;
  reason: string | null;
}

export type VerifyMode = 'offline' | 'online-fallback' | 'online';

export interface VerifierHealth {
  /** `offline`: tokens are checked here; `online-fallback`: the stream is not current, tokens go to validate-token; `online`: always. */
  mode: VerifyMode;
  /** The events stream is open (headers received). */
  connected: boolean;
  /** Connected, caught up (a heartbeat came after the replay) and not silent for two heartbeats. */
  current: boolean;
  lastEventId: string | null;
  /** Milliseconds since the stream last sent anything (event or heartbeat); null before the first byte. */
  sinceLastMessageMs: number | null;
  /** Tokens issued before this (a `resync` event's `at`) are checked online until they expire. */
  resyncBefore: Date | null;
  /** The last failure of the stream or the JWKS, for an alert; null once things work again. */
  lastError: string | null;
}

export interface VerifierOptions {
  /** The service's PUBLIC_URL: the tokens' `iss`, and where the JWKS, the stream and the routes are. */
  issuer: string;
  /** The project's customProjectId (the tokens' `aud`), or it with the numeric id to check as well. */
  project: string | { customProjectId: string; id?: number };
  /** Needed for the events stream (Basic authentication) and exchangeCode. */
  clientSecret?: string;
  /**
   * `offline` (default): signatures over the JWKS, revocations from the events stream, validate-token while the
   * stream is not current. `online`: every token through validate-token (cached for onlineCacheMs), no stream.
   */
  mode?: 'offline' | 'online';
  /** false: verify offline without the stream. Revocations are then only learnt when tokens expire: not for production. */
  events?: boolean;
  /** Allowed drift of `exp`/`nbf` against this machine's clock, in seconds. Default 5. */
  clockToleranceSec?: number;
  /** How long an online answer (valid or not) is reused. Default 5,000 ms. */
  onlineCacheMs?: number;
  /** Verified tokens kept for the fast path. Default 10,000; 0 disables the cache. */
  cacheSize?: number;
  /** Revoked sessions are forgotten this long after their event (no token outlives it). Default 24 h; raise it if JWT_EXPIRES_IN is longer. */
  maxTokenLifetimeSec?: number;
  /** The stream's heartbeat period; two missed make offline verification unsafe. Default 5,000 ms (API.md). */
  heartbeatMs?: number;
  /** Reconnection back-off of the stream. Default 1,000 ms doubling to 30,000 ms. */
  reconnect?: { minMs?: number; maxMs?: number };
  /** Timeout of each call to the service (JWKS, validate-token, exchange-code, stream headers). Default 5,000 ms. */
  requestTimeoutMs?: number;
  /** Where the stream is; default `${issuer}/api/projects/${customProjectId}/events`. */
  eventsUrl?: string;
  /** Called for every event of the stream after the kit applied it (e.g. to end the project's own sessions). */
  onEvent?: (event: ProjectEvent) => void;
  /** Called when the stream or the JWKS fails (the kit retries by itself). */
  onError?: (error: Error) => void;
  fetch?: typeof fetch;
  /** The clock of token times and caches (tests). */
  now?: () => number;
}
