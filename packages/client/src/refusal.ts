import type { ErrorEnvelope } from '@xtown/contract';
import type { RefreshRefusal, SignedOutReason } from './types.js';

/** The `details.reason` values of a refused refresh (API.md's `refresh-token` row). */
const TOKEN_INVALID_REASONS: ReadonlySet<string> = new Set<SignedOutReason>([
  'LOGGED_OUT',
  'PASSWORD_CHANGED',
  'REUSE_DETECTED',
  'EXPIRED',
]);

/**
 * API.md puts the reason at `error.details.reason`, while the contract's envelope types `details` as field
 * errors; so read it defensively from either an object or an entry of the array.
 */
function detailsReason(details: unknown): string | undefined {
  const candidates = Array.isArray(details) ? details : [details];
  for (const candidate of candidates) {
    const reason = (candidate as { reason?: unknown } | null | undefined)?.reason;
    if (typeof reason === 'string') return reason;
  }
  return undefined;
}

/** Turns a refused refresh's error envelope into the reason a person can be told. */
export function refusalFrom(envelope: Partial<ErrorEnvelope> | undefined): RefreshRefusal {
  const code = envelope?.error?.code;
  if (code === 'ACCOUNT_SUSPENDED' || code === 'UNAUTHENTICATED') return { ok: false, reason: code, code };
  const reason = detailsReason(envelope?.error?.details);
  const known = code === 'TOKEN_INVALID' && reason !== undefined && TOKEN_INVALID_REASONS.has(reason);
  const refusal: RefreshRefusal = { ok: false, reason: known ? (reason as SignedOutReason) : 'UNKNOWN' };
  if (code !== undefined) refusal.code = code;
  return refusal;
}
