import { z } from 'zod';
import { listEnvelope } from './envelopes.js';
import { pageQuery, queryBoolean } from './pagination.js';
import { isoDate } from './primitives.js';

/** A day (2024-01-31) or an instant (2024-01-31T12:00:00Z). */
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const auditLogsQuery = z
  .strictObject({
    page: pageQuery.shape.page,
    limit: pageQuery.shape.limit,
    action: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an action name')
      .optional(),
    userId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
    from: dateOrInstant.optional(),
    to: dateOrInstant.optional(),
    success: queryBoolean.optional(),
  })
  .refine((q) => !q.from || !q.to || lowerBound(q.from) < upperBound(q.to), { message: '`from` must be before `to`', path: ['from'] });

/** `from` includes its day or instant. */
export const lowerBound = (value: string) => new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value);

/** `to` includes its whole day, or its instant: the exclusive bound is the next day, or the next millisecond. */
export function upperBound(value: string): Date {
  if (value.length === 10) return new Date(new Date(`${value}T00:00:00.000Z`).getTime() + 86_400_000);
  return new Date(new Date(value).getTime() + 1);
}

export const auditLogView = z.object({
  id: z.number().int(),
  userId: z.number().int().nullable(),
  actorEmail: z.string().nullable(),
  targetUserId: z.number().int().nullable(),
  action: z.string(),
  resource: z.string().nullable(),
  projectId: z.number().int().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  success: z.boolean(),
  createdAt: isoDate,
});

export const responses = { list: listEnvelope(auditLogView) };
