/** Why a token or a call was refused; the middlewares answer with this code in the service's envelope. */
export type VerifyErrorCode =
  | 'UNAUTHENTICATED'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  /** The hub could not be asked (JWKS, validate-token, exchange-code): the kit fails closed. */
  | 'SERVICE_UNAVAILABLE';

const MESSAGES: Record<VerifyErrorCode, string> = {
  UNAUTHENTICATED: 'Authentication required',
  TOKEN_INVALID: 'Invalid token',
  TOKEN_EXPIRED: 'Token expired',
  TOKEN_REVOKED: 'Token revoked',
  SERVICE_UNAVAILABLE: 'The authentication service is unavailable',
};

export class VerifyError extends Error {
  override name = 'VerifyError';
  readonly code: VerifyErrorCode;
  /** The HTTP status a middleware answers with: 503 when the hub could not be asked, 401 otherwise. */
  readonly status: 401 | 503;

  constructor(code: VerifyErrorCode, message: string = MESSAGES[code], options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = code === 'SERVICE_UNAVAILABLE' ? 503 : 401;
  }
}

export const isVerifyError = (error: unknown): error is VerifyError => error instanceof VerifyError;

/** The service's error envelope (API.md "Envelope"). */
export function refusalBody(error: VerifyError): { success: false; message: string; error: { code: VerifyErrorCode } } {
  return { success: false, message: error.message, error: { code: error.code } };
}
