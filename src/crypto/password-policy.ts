import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

// Characters as a person counts them: an emoji is one, not two UTF-16 units.
const lengthOf = (value: string) => Array.from(value).length;

const meetsRules = (value: string) => {
  const length = lengthOf(value);
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH && LETTER.test(value) && DIGIT.test(value);
};

let common: Set<string> | undefined;

// Only list entries that pass the other rules can ever decide the answer (about 5k of 49k).
function commonPasswords(): Set<string> {
  common ??= new Set(
    dictionary['passwords-common'].map((entry) => entry.toLowerCase()).filter((entry) => meetsRules(entry)),
  );
  return common;
}

/** API.md's password rule; the first problem found as a short human message, or null when the password is fine. */
export function passwordProblem(password: string): string | null {
  const length = lengthOf(password);
  if (length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (!LETTER.test(password) || !DIGIT.test(password)) return 'Password must contain a letter and a digit';
  if (commonPasswords().has(password.toLowerCase())) return 'This password is too common';
  return null;
}
