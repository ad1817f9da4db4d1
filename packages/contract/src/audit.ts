import { z } from 'zod';
import { listEnvelope, successEnvelope } from './envelopes.js';
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

/** Whether the runtime knows the zone (Intl: Node's full ICU, every current browser). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `GET /api/audit-logs/stats` (API.md): the last `days` days, today included, in the time zone `tz`. */
export const auditStatsQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).default(30),
  tz: z
    .string()
    .trim()
    .max(64)
    // Names only (Europe/Paris, UTC, Etc/GMT+5): offsets such as +05:30 are not IANA zones and not every engine takes them.
    .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, 'must be an IANA time zone')
    .refine(isTimeZone, 'must be an IANA time zone')
    .default('UTC'),
});

/** One day of sign-in activity in the asked time zone; `date` is that zone's calendar day. */
export const signInDay = z.object({
  date: z.iso.date(),
  signIns: z.number().int(),
  failedSignIns: z.number().int(),
  lockouts: z.number().int(),
  /** Distinct users with a successful sign-in or token refresh that day. */
  activeUsers: z.number().int(),
});

/** Oldest day first, today last, days without activity included. */
export const auditStatsView = z.object({ days: z.array(signInDay) });

export const responses = { list: listEnvelope(auditLogView), stats: successEnvelope(auditStatsView) };
