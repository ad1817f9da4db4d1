import type { ErrorCode, LoginPayload, RefreshAnswer } from '@xtown/contract';

/** The part of a login payload (or a refresh answer) the client keeps: never the refresh token. */
export type AccessGrant = Pick<LoginPayload, 'accessToken' | 'expiresIn'> & Pick<RefreshAnswer, 'accessToken' | 'expiresIn'>;

/**
 * Why the client is signed out. `SIGNED_OUT`: someone signed out in this or another tab; `UNAUTHENTICATED`: no
 * refresh cookie (never signed in here); the rest come from a refused refresh (API.md's `refresh-token` row):
 * the code `ACCOUNT_SUSPENDED`, or `TOKEN_INVALID`'s `details.reason`, `UNKNOWN` when it names none we know.
 */
export type SignedOutReason =
  | 'SIGNED_OUT'
  | 'UNAUTHENTICATED'
  | 'ACCOUNT_SUSPENDED'
  | 'LOGGED_OUT'
  | 'PASSWORD_CHANGED'
  | 'REUSE_DETECTED'
  | 'EXPIRED'
  | 'UNKNOWN';

/** A refresh the server refused for good: the session is over, and this says why. */
export interface RefreshRefusal {
  ok: false;
  reason: SignedOutReason;
  /** The answer's error code, when there was an answer. */
  code?: ErrorCode | (string & {});
}

/**
 * The injected refresh call's result. A refusal (401/403) ends the session; a transient failure (network, 429,
 * 5xx) must be thrown instead, so that a flaky network never signs anyone out.
 */
export type RefreshOutcome = ({ ok: true } & AccessGrant) | RefreshRefusal;

export type RefreshCall = () => Promise<RefreshOutcome>;

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedIn'; expiresAt: number }
  | { status: 'signedOut'; reason: SignedOutReason; code?: string };

export type SessionListener = (state: SessionState) => void;

/** The slice of the Web Locks API the client uses (`navigator.locks`), so tests can pass their own. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The slice of BroadcastChannel the client uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type OpenChannel = (name: string) => ChannelLike;

/** Schedules `callback` after `ms`; returns the cancel function. */
export type SetTimer = (callback: () => void, ms: number) => () => void;
