import { createRequire } from 'node:module';

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

/**
 * zxcvbn's list of 49k common passwords, as its package ships it: 380 KB of compressed source that is
 * decompressed when it loads (about 90 ms of CPU and 2 MB of heap). Only setting a password needs it, so
 * it is loaded then, synchronously (passwordProblem is), and only its passwords file.
 */
const DICTIONARY = '@zxcvbn-ts/language-common/dist/passwords.json.cjs';

let common: Set<string> | undefined;

// Only list entries that pass the other rules can ever decide the answer (about 5k of 49k).
function commonPasswords(): Set<string> {
  if (common) return common;
  const require = createRequire(import.meta.url);
  const path = require.resolve(DICTIONARY);
  const kept = (require(path) as string[]).map((entry) => entry.toLowerCase()).filter((entry) => meetsRules(entry));
  // The entries are slices of the whole decompressed text and would keep it alive: copied into one flat
  // string of 48 KB, and the module dropped from the cache, the 49k entries can be collected.
  common = new Set(kept.join('\n').split('\n'));
  delete require.cache[path];
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
