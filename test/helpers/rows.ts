import type { NewUser } from '../../src/db/schema.js';

/** A users row for repository-level tests: an active Admin without a password, unless `fields` say otherwise. */
export function newUserRow(fields: Pick<NewUser, 'email' | 'createdAt'> & Partial<NewUser>): NewUser {
  return {
    name: 'User',
    password: null,
    role: 'ADMIN',
    customRole: null,
    companyName: null,
    companyAddress: null,
    companyPhone: null,
    isActive: true,
    isSuspended: false,
    suspensionReason: null,
    suspendedBy: null,
    unsuspendedBy: null,
    subUserLimit: 5,
    createdById: null,
    updatedAt: fields.createdAt,
    superAdminSlot: null,
    ...fields,
  };
}
