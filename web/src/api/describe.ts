import { t } from '../messages';
import { isApiError } from './errors';

/** The sentence a person is shown for a failed call. */
export function describeError(error: unknown): string {
  if (!isApiError(error)) return t.errors.INTERNAL_ERROR;
  const entry = (t.errors as Record<string, string | ((seconds?: number) => string) | undefined>)[error.code];
  if (typeof entry === 'function') return entry(error.retryAfter);
  return entry ?? error.message;
}

interface FormLike {
  setFieldError(field: string, message: string): void;
}

/**
 * Puts a failed call's errors where they belong: field errors (VALIDATION_ERROR) and the codes that concern one
 * field (`atField`: e.g. INVALID_OTP → otp) at that field; returns what is left for the form's own alert, or null.
 */
export function showAtFields(form: FormLike, error: unknown, atField: Record<string, string> = {}): string | null {
  if (!isApiError(error)) return describeError(error);
  const field = atField[error.code];
  if (field) {
    form.setFieldError(field, describeError(error));
    return null;
  }
  if (error.code === 'VALIDATION_ERROR' && error.fieldErrors.length) {
    for (const detail of error.fieldErrors) form.setFieldError(detail.field, capitalize(detail.message));
    return null;
  }
  return describeError(error);
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
