import { z } from 'zod';

/** ?page= (default 1) and ?limit= (default 20, above 100: 400), ?search= (API.md "Envelope"). */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  search: z
    .string()
    .trim()
    .max(255)
    .regex(/^[^\u0000]*$/, 'must not contain NUL bytes')
    .optional(),
});

/** A boolean query flag: "true"/"false" (and 1/0). */
export const queryBoolean = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
