import { createRequire } from 'node:module';
import { passwordRuleProblem } from '@xtown/contract';
import type { z } from 'zod';

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
  const kept = (require(path) as string[]).map((entry) => entry.toLowerCase()).filter((entry) => passwordRuleProblem(entry) === null);
  // The entries are slices of the whole decompressed text and would keep it alive: copied into one flat
  // string of 48 KB, and the module dropped from the cache, the 49k entries can be collected.
  common = new Set(kept.join('\n').split('\n'));
  delete require.cache[path];
  return common;
}

/** API.md's password rule: the contract's rules, then the common-password list; the first problem, or null. */
export function passwordProblem(password: string): string | null {
  const problem = passwordRuleProblem(password);
  if (problem) return problem;
  return commonPasswords().has(password.toLowerCase()) ? 'This password is too common' : null;
}

/**
 * The contract's new-password fields check the rules a browser can check too; the server also refuses
 * common passwords (a list too large to ship to a browser). Adds that check to a body's `field`.
 */
export function refusingCommonPasswords<T extends z.ZodType>(body: T, field: string): T {
  return body.superRefine((value, ctx) => {
    const candidate = (value as Record<string, unknown> | null | undefined)?.[field];
    // A password that breaks the rules already has its issue from the contract's schema.
    if (typeof candidate !== 'string' || passwordRuleProblem(candidate) !== null) return;
    const problem = passwordProblem(candidate);
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  }) as T;
}
