import { z } from 'zod';
import { listEnvelope, messageEnvelope, successEnvelope } from './envelopes.js';
import { pageQuery } from './pagination.js';
import { isoDate, optionalText, projectRef, text } from './primitives.js';

export { noBody } from './primitives.js';

/** 3–50 of a-z, 0-9, - and _, starting with a letter; "stats" would shadow GET /api/projects/stats. */
export const customProjectId = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_-]{2,49}$/, 'must be 3-50 characters of a-z, 0-9, - and _, starting with a letter')
  .refine((value) => value !== 'stats', 'is reserved');

/** An absolute http(s) URL with a host and no credentials (it becomes the redirect target of project-token). */
export const projectUrl = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((value) => {
    if (!/^https?:\/\//i.test(value)) return false;
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an http or https URL')
  .meta({ format: 'uri' });

const fields = {
  customProjectId,
  name: text(255),
  projectUrl,
  icon: optionalText(100),
  description: optionalText(2000),
  isActive: z.boolean(),
};

export const createProjectBody = z.strictObject({
  ...fields,
  isActive: fields.isActive.optional(),
  icon: fields.icon.optional(),
  description: fields.description.optional(),
});

export const updateProjectBody = z
  .strictObject({
    customProjectId: fields.customProjectId.optional(),
    name: fields.name.optional(),
    projectUrl: fields.projectUrl.optional(),
    icon: fields.icon.optional(),
    description: fields.description.optional(),
    isActive: fields.isActive.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'at least one field is required' });

export const projectParams = z.strictObject({ id: projectRef });

/** How long the replaced client secret keeps working, in hours (0: it stops at once). */
export const graceHours = z.number().int().min(0).max(168);
export const DEFAULT_GRACE_HOURS = 24;
/** Optional: no body, `{}` or `{ graceHours }`; the default grace is 24 hours. */
export const rotateSecretBody = z.strictObject({ graceHours: graceHours.optional() }).nullish();
export const listProjectsQuery = z.strictObject(pageQuery.shape);

export const projectView = z.object({
  id: z.number().int(),
  customProjectId: z.string(),
  name: z.string(),
  icon: z.string().nullable(),
  description: z.string().nullable(),
  projectUrl: z.string(),
  isActive: z.boolean(),
  createdBy: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
  assignedUsers: z.number().int().optional(),
});

export const projectStats = z.object({
  totalProjects: z.number().int(),
  activeProjects: z.number().int(),
  inactiveProjects: z.number().int(),
  projectsByUser: z.record(z.string(), z.number().int()),
});

export const responses = {
  list: listEnvelope(projectView),
  stats: successEnvelope(projectStats),
  project: successEnvelope(projectView),
  created: successEnvelope(projectView.extend({ clientSecret: z.string() })),
  secret: successEnvelope(
    z.object({
      clientSecret: z.string(),
      /** Until when the replaced secret keeps working; null when it stopped at once. */
      previousSecretValidUntil: isoDate.nullable(),
    }),
  ),
  deleted: messageEnvelope,
};
