export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** Characters as a person counts them: an emoji is one, not two UTF-16 units. */
export const passwordLength = (value: string) => Array.from(value).length;

/**
 * API.md's password rules that need no dictionary: the first problem as a short human message, or null.
 * The server adds the common-password check on top (its list stays on the server).
 */
export function passwordRuleProblem(password: string): string | null {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (!LETTER.test(password) || !DIGIT.test(password)) return 'Password must contain a letter and a digit';
  return null;
}
