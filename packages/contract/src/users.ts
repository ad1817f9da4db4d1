import { z } from 'zod';
import { listEnvelope, successEnvelope } from './envelopes.js';
import { pageQuery, queryBoolean } from './pagination.js';
import { email, isoDate, optionalText, projectRef, role, storedIdOrNone, text } from './primitives.js';
import { userView } from './views.js';

export { noBody } from './primitives.js';

/** A user id in the path: digits only (anything else is a 400; an unknown number, or one out of range, a 404). */
export const userIdParams = z.strictObject({
  id: z
    .string()
    .regex(/^\d{1,30}$/, 'must be a user id')
    .transform((digits) => storedIdOrNone(Number(digits))),
});

export const listUsersQuery = z.strictObject({
  ...pageQuery.shape,
  role: z.enum(['ADMIN', 'SUB_USER']).optional(),
  isActive: queryBoolean.optional(),
  isSuspended: queryBoolean.optional(),
  /** Users assigned to this project (its id or customProjectId), within the caller's scope. */
  projectId: projectRef.optional(),
  /** An Admin's sub-users, within the caller's scope. */
  createdById: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});

/** A project, by id (number or digits) or customProjectId (API.md). */
const projectIds = z.array(z.union([z.number().int().positive(), projectRef])).max(500);

const customRole = optionalText(100);
const company = {
  companyName: optionalText(255),
  companyAddress: optionalText(1000),
  companyPhone: optionalText(30),
};
const subUserLimit = z.number().int().min(0).max(10_000);

/** Strict objects: role, email, password, isActive, createdById and any other unknown field are a 400. */
export const createProjectAdminBody = z.strictObject({
  name: text(255),
  email,
  customRole,
  ...company,
  subUserLimit: subUserLimit.optional(),
  projectIds: projectIds.optional(),
});

export const createSubUserBody = z.strictObject({ name: text(255), email, customRole, projectIds: projectIds.optional() });

export const updateUserBody = z
  .strictObject({ name: text(255).optional(), customRole, ...company, subUserLimit: subUserLimit.optional() })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'at least one field is required' });

export const setProjectsBody = z.strictObject({ projectIds });

export const suspendBody = z.strictObject({ reason: text(500) });

export const deleteUserQuery = z.strictObject({ force: queryBoolean.optional() });

const chartDatum = z.object({ name: z.string(), value: z.number().int(), color: z.string() });

export const userStatsView = z.object({
  totalUsers: z.number().int(),
  projectAdmins: z.number().int(),
  subUsers: z.number().int(),
  verifiedUsers: z.number().int(),
  unverifiedUsers: z.number().int(),
  recentUsers: z.array(
    z.object({ id: z.number().int(), name: z.string(), email: z.string(), role, isActive: z.boolean(), createdAt: isoDate }),
  ),
  systemOverview: z.array(chartDatum),
  verification: z.array(chartDatum),
});

export const responses = {
  list: listEnvelope(userView),
  user: successEnvelope(userView),
  stats: successEnvelope(userStatsView),
  deleted: successEnvelope(z.object({ deletedUserIds: z.array(z.number().int()) })),
};
