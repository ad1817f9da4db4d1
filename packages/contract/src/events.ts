import { z } from 'zod';
import { isoDate } from './primitives.js';

/** API.md "Project events": the `event:` of each message; `resync` when the requested id is older than the retention. */
export const PROJECT_EVENT_TYPES = [
  'user.revoked',
  'session.revoked',
  'access.revoked',
  'project.revoked',
  'keys.rotated',
  'resync',
] as const;

export const PROJECT_EVENT_REASONS = [
  'SUSPENDED',
  'DELETED',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET',
  'LOGOUT',
  'LOGOUT_ALL',
  'REUSE_DETECTED',
  'UNASSIGNED',
  'DEACTIVATED',
  'PROJECT_DELETED',
  'KEY_ROTATED',
] as const;

/**
 * The `data:` of each message of `GET /api/projects/:id/events`, as JSON; fields that do not apply are null.
 * A token of the event's scope whose `gen` (user.revoked) or `pgen` (access.revoked, project.revoked) is below
 * `gen` is revoked; session.revoked revokes the tokens whose `sid` is `sessionId`.
 */
export const projectEventData = z
  .object({
    id: z.number().int().positive(),
    type: z.enum(PROJECT_EVENT_TYPES),
    at: isoDate,
    userId: z.number().int().nullable(),
    sessionId: z.string().nullable(),
    projectId: z.number().int().nullable().describe('null: an event for every project'),
    gen: z.number().int().nullable(),
    reason: z.enum(PROJECT_EVENT_REASONS).nullable(),
  })
  .meta({
    description:
      'Sent as Server-Sent Events: `id: <id>`, `event: <type>`, `data: <this object as JSON>`; a comment line every 5 s as a heartbeat.',
  });
