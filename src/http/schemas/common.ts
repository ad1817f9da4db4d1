import { z } from 'zod';
import { passwordProblem } from '../../crypto/password-policy.js';

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

/** Checked exactly as received (no trimming): 8..128 characters, a letter and a digit, not a common password. */
export const password = z
  .string()
  .max(1024)
  .regex(NO_NUL, 'must not contain NUL bytes')
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The password a user types to prove who they are: only bounded, never judged (old passwords may predate the rules). */
export const presentedPassword = z.string().min(1).max(1024).regex(NO_NUL, 'must not contain NUL bytes');

/** A token, code or secret as received: bounded, never trimmed, no NUL (bcrypt would stop reading at one). */
export const opaque = (max: number) => z.string().min(1).max(max).regex(NO_NUL, 'must not contain NUL bytes');

export const otp = z.string().trim().regex(/^\d{4,10}$/, 'must be the digits from the email');
export const isoDate = z.iso.datetime({ offset: true });
export const projectRef = z.string().trim().min(1).max(50).regex(/^[A-Za-z0-9_-]+$/, 'must be a project id or customProjectId');

export const successEnvelope = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), message: z.string().optional(), data });

export const messageEnvelope = z.object({ success: z.literal(true), message: z.string() });

export const errorEnvelope = z.object({
  success: z.literal(false),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  error: z.object({
    code: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

/** The error answers a route documents; the handler produces them. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, errorEnvelope]));

export const projectSummary = z.object({
  id: z.number().int(),
  customProjectId: z.string(),
  name: z.string(),
  projectUrl: z.string(),
  icon: z.string().nullable(),
  isActive: z.boolean(),
});

export const userView = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['SUPER_ADMIN', 'ADMIN', 'SUB_USER']),
  customRole: z.string().nullable(),
  companyName: z.string().nullable(),
  companyAddress: z.string().nullable(),
  companyPhone: z.string().nullable(),
  isActive: z.boolean(),
  isSuspended: z.boolean(),
  suspendedAt: isoDate.nullable(),
  suspensionReason: z.string().nullable(),
  suspendedBy: z.number().int().nullable(),
  unsuspendedAt: isoDate.nullable(),
  unsuspendedBy: z.number().int().nullable(),
  subUserLimit: z.number().int(),
  createdById: z.number().int().nullable(),
  lastLoginAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  projects: z.array(projectSummary),
});
