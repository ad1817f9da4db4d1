import { z } from 'zod';
import { successEnvelope } from './envelopes.js';

const status = z.enum(['healthy', 'unhealthy']);
export const readiness = z.object({ database: status, redis: status.optional(), smtp: status.optional() });

export const responses = {
  live: successEnvelope(z.object({ status: z.literal('ok') })),
  ready: successEnvelope(readiness),
  notReady: z.object({ success: z.literal(false), message: z.string(), data: readiness, error: z.object({ code: z.string() }) }),
};
