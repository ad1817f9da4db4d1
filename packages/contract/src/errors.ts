/** Every machine code the API answers with, its HTTP status and default message (API.md "Envelope"). */
export const ERROR_CATALOGUE = {
  VALIDATION_ERROR: { status: 400, message: 'The request is not valid' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication required' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired' },
  TOKEN_INVALID: { status: 401, message: 'The token is not valid' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid email or password' },
  INVALID_OTP: { status: 401, message: 'The code is not valid or has expired' },
  FORBIDDEN: { status: 403, message: 'You may not do this' },
  SETUP_TOKEN_INVALID: { status: 403, message: 'The setup token is not valid' },
  ACCOUNT_NOT_ACTIVATED: { status: 403, message: 'The account is not activated' },
  ACCOUNT_SUSPENDED: { status: 403, message: 'The account is suspended' },
  SUB_USER_LIMIT_REACHED: { status: 403, message: 'The sub-user limit is reached' },
  PROJECT_INACTIVE: { status: 403, message: 'The project is inactive' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  EMAIL_TAKEN: { status: 409, message: 'The email is already in use' },
  SUPER_ADMIN_EXISTS: { status: 409, message: 'A Super Admin already exists' },
  PROJECT_ID_TAKEN: { status: 409, message: 'The project id is already in use' },
  HAS_SUB_USERS: { status: 409, message: 'The user still has sub-users' },
  ALREADY_ACTIVE: { status: 409, message: 'The account is already activated' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be application/json' },
  RATE_LIMITED: { status: 429, message: 'Too many requests, try again later' },
  OTP_COOLDOWN: { status: 429, message: 'Please wait before requesting another code' },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export interface ErrorDetail {
  field: string;
  message: string;
}

/** API.md's `refresh-token` row: why a refresh was refused (`error.details.reason` of a 401 TOKEN_INVALID). */
export const REFRESH_REFUSAL_REASONS = ['LOGGED_OUT', 'PASSWORD_CHANGED', 'REUSE_DETECTED', 'EXPIRED', 'UNKNOWN'] as const;
export type RefreshRefusalReason = (typeof REFRESH_REFUSAL_REASONS)[number];

/** The `details` of a refused refresh: an object, where every other error has a list of field errors. */
export interface ReasonDetail {
  reason: RefreshRefusalReason;
}
