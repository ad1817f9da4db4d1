import type { ErrorCode, ErrorDetail } from '@xtown/contract';

/** A refused API call: its status, machine code, field errors and the seconds of `Retry-After`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK_ERROR' | (string & {}),
    readonly fieldErrors: ErrorDetail[] = [],
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server's message for one field (`VALIDATION_ERROR`'s details), if it named that field. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((detail) => detail.field === field)?.message;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
