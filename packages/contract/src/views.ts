import { z } from 'zod';
import { isoDate, role } from './primitives.js';

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
  role,
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
