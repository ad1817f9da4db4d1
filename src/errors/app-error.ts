import { ERROR_CATALOGUE, type ErrorCode, type ErrorDetail, type ReasonDetail } from '@xtown/contract';

export interface AppErrorOptions {
  message?: string;
  details?: ErrorDetail[] | ReasonDetail;
  /** Seconds, sent as Retry-After (429, 503). */
  retryAfter?: number;
  /** Extra fields for the envelope's `data`, e.g. `{ valid: false }` from validate-token. */
  data?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type thrown below http/; the error handler turns it into the envelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: ErrorDetail[] | ReasonDetail;
  readonly retryAfter?: number;
  readonly data?: Record<string, unknown>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
    this.data = options.data;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
