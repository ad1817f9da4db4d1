import { z } from 'zod';
import { REFRESH_REFUSAL_REASONS } from './errors.js';

/** API.md "Envelope": every answer is one of these. */
export const successEnvelope = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), message: z.string().optional(), data });

export const messageEnvelope = z.object({ success: z.literal(true), message: z.string() });

export const errorDetail = z.object({ field: z.string(), message: z.string() });

/** Field errors, or (a refused refresh) the reason it was refused. */
export const errorDetails = z.union([z.array(errorDetail), z.object({ reason: z.enum(REFRESH_REFUSAL_REASONS) })]);

export const errorEnvelope = z.object({
  success: z.literal(false),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.string(), details: errorDetails.optional() }),
});

export const listMeta = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ success: z.literal(true), message: z.string().optional(), data: z.array(item), meta: listMeta });
