/** Why a session was revoked, as stored in `sessions.revokedReason`. */
export const SESSION_REVOKED = {
  logout: 'logout',
  logoutAll: 'logout-all',
  suspended: 'suspended',
  deleted: 'deleted',
  passwordChange: 'password-change',
  passwordReset: 'password-reset',
  reuse: 'rotated token presented again',
} as const;

export type SessionRevokedReason = (typeof SESSION_REVOKED)[keyof typeof SESSION_REVOKED];

/** A refused refresh's `details.reason` (the contract's REFRESH_REFUSAL_REASONS: AppError's type checks they agree). */
export type RefreshRefusalReason = 'LOGGED_OUT' | 'PASSWORD_CHANGED' | 'REUSE_DETECTED' | 'EXPIRED' | 'UNKNOWN';

/** How a refused refresh names each (API.md's `refresh-token` row); a suspension is its own 403 instead. */
export const REFUSAL_OF: Record<string, RefreshRefusalReason> = {
  [SESSION_REVOKED.logout]: 'LOGGED_OUT',
  [SESSION_REVOKED.logoutAll]: 'LOGGED_OUT',
  [SESSION_REVOKED.passwordChange]: 'PASSWORD_CHANGED',
  [SESSION_REVOKED.passwordReset]: 'PASSWORD_CHANGED',
  [SESSION_REVOKED.reuse]: 'REUSE_DETECTED',
};
