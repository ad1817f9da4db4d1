import { z } from 'zod';
import { passwordRuleProblem } from './password-rules.js';

const NO_NUL = /^[^\u0000]*$/;

/** A string without NUL bytes, trimmed, 1..max characters. */
export const text = (max: number) => z.string().regex(NO_NUL, 'must not contain NUL bytes').trim().min(1).max(max);
export const optionalText = (max: number) => z.string().regex(NO_NUL, 'must not contain NUL bytes').trim().max(max).nullish();

/** Emails are trimmed and lower-cased before they are stored or compared. */
export const email = z
  .string()
  .max(254)
  .regex(NO_NUL, 'must not contain NUL bytes')
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email({ message: 'must be a valid email address' }));

/**
 * A new password, checked exactly as received (no trimming): 8..128 characters, a letter and a digit.
 * The server also refuses common passwords; that list is too large for a browser and stays there.
 */
export const password = z
  .string()
  .max(1024)
  .regex(NO_NUL, 'must not contain NUL bytes')
  .superRefine((value, ctx) => {
    const problem = passwordRuleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The password a user types to prove who they are: only bounded, never judged (old passwords may predate the rules). */
export const presentedPassword = z.string().min(1).max(1024).regex(NO_NUL, 'must not contain NUL bytes');

/** A token, code or secret as received: bounded, never trimmed, no NUL (bcrypt would stop reading at one). */
export const opaque = (max: number) => z.string().min(1).max(max).regex(NO_NUL, 'must not contain NUL bytes');

export const otp = z
  .string()
  .trim()
  .regex(/^\d{4,10}$/, 'must be the digits from the email');
export const isoDate = z.iso.datetime({ offset: true });

/** The largest id a row can have on every dialect (a signed 32-bit INTEGER column). */
export const MAX_STORED_ID = 2_147_483_647;
/** An id outside 1..MAX_STORED_ID names nothing (API.md): it becomes 0, which no row has on any dialect. */
export const storedIdOrNone = (value: number) => (Number.isInteger(value) && value >= 1 && value <= MAX_STORED_ID ? value : 0);
export const projectRef = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a project id or customProjectId');

export const ROLES = ['SUPER_ADMIN', 'ADMIN', 'SUB_USER'] as const;
export const role = z.enum(ROLES);

/** Routes that take no body accept none or `{}`, and still refuse one with fields in it. */
export const noBody = z.strictObject({}).nullish();
