import { passwordRuleProblem } from '@xtown/contract';
import type { z } from 'zod';
import { passwordProblem } from '../crypto/password-policy.js';

/**
 * The contract's new-password fields check the rules a browser can check too; the server also refuses
 * common passwords (a list too large to ship to a browser). Adds that check to a body's `field`.
 */
export function refusingCommonPasswords<T extends z.ZodType>(body: T, field: string): T {
  return body.superRefine((value, ctx) => {
    const candidate = (value as Record<string, unknown> | null | undefined)?.[field];
    if (typeof candidate !== 'string' || passwordRuleProblem(candidate) !== null) return;
    const problem = passwordProblem(candidate);
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  }) as T;
}
