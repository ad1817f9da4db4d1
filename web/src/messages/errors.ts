/** Every error code of API.md as a sentence a person understands. `seconds` comes from `Retry-After`. */
export const errors = {
  VALIDATION_ERROR: 'Some fields need attention.',
  INVALID_JSON: 'The request could not be read. Reload the page and try again.',
  UNAUTHENTICATED: 'Please sign in.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
  INVALID_CREDENTIALS: 'The email or password is not correct.',
  INVALID_OTP: 'This code is not correct or has expired. Check the latest email, or ask for a new code.',
  FORBIDDEN: 'You are not allowed to do this.',
  SETUP_TOKEN_INVALID: 'The setup token is not correct. Copy it again from the server console.',
  ACCOUNT_NOT_ACTIVATED: 'This account is not activated yet. Enter the code from the activation email first.',
  ACCOUNT_SUSPENDED: 'This account is suspended. Contact your administrator.',
  SUB_USER_LIMIT_REACHED: 'You have reached your sub-user limit. Delete a sub-user, or ask the Super Admin to raise the limit.',
  PROJECT_INACTIVE: 'This project is inactive and cannot be opened.',
  NOT_FOUND: 'It does not exist, or you cannot see it.',
  EMAIL_TAKEN: 'This email is already in use.',
  SUPER_ADMIN_EXISTS: 'A Super Admin already exists. Sign in instead.',
  PROJECT_ID_TAKEN: 'This project id is taken (ids are never reused, even after a deletion).',
  HAS_SUB_USERS: 'This admin still has sub-users.',
  ALREADY_ACTIVE: 'This account is already activated.',
  PAYLOAD_TOO_LARGE: 'What you sent is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request could not be read. Reload the page and try again.',
  RATE_LIMITED: (seconds?: number) =>
    seconds ? `Too many attempts. Try again in ${formatWait(seconds)}.` : 'Too many attempts. Try again later.',
  OTP_COOLDOWN: (seconds?: number) =>
    seconds ? `A code was sent moments ago. You can ask for another in ${formatWait(seconds)}.` : 'A code was sent moments ago.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Try again in a moment.',
  NETWORK_ERROR: 'The service cannot be reached. Check your connection and try again.',
} as const;

/** Why a session ended, for the sign-in page (the client's SignedOutReason). */
export const signedOutReasons: Record<string, string | undefined> = {
  ACCOUNT_SUSPENDED: 'You were signed out: your account has been suspended.',
  LOGGED_OUT: 'You were signed out.',
  PASSWORD_CHANGED: 'You were signed out because your password was changed.',
  REUSE_DETECTED: 'You were signed out for safety: this session was used from somewhere else.',
  EXPIRED: 'Your session has expired. Please sign in again.',
  UNKNOWN: 'Your session has ended. Please sign in again.',
};

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
