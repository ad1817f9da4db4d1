export type Role = 'SUPER_ADMIN' | 'ADMIN' | 'SUB_USER';
export type OtpPurpose = 'REGISTRATION' | 'ACCOUNT_ACTIVATION' | 'FORGOT_PASSWORD';

/** A project as an assignment shows it (inside a user, and in the access token). */
export interface ProjectSummary {
  id: number;
  customProjectId: string;
  name: string;
  projectUrl: string;
  icon: string | null;
  isActive: boolean;
}

/** A user as the API shows it (API.md "Users and projects as the API shows them"). */
export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  customRole: string | null;
  companyName: string | null;
  companyAddress: string | null;
  companyPhone: string | null;
  isActive: boolean;
  isSuspended: boolean;
  suspendedAt: Date | null;
  suspensionReason: string | null;
  suspendedBy: number | null;
  unsuspendedAt: Date | null;
  unsuspendedBy: number | null;
  subUserLimit: number;
  createdById: number | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithProjects extends User {
  projects: ProjectSummary[];
}

/** The user record with what only the services may see. */
export interface UserRecord extends User {
  passwordHash: string | null;
  isVerifiedSuperAdmin: boolean;
  failedLoginCount: number;
  lockedUntil: Date | null;
  /** The user's token generation: what its tokens carry as `gen` (API.md "Tokens"). */
  tokenGen: number;
}

export interface Project {
  id: number;
  customProjectId: string;
  name: string;
  icon: string | null;
  description: string | null;
  projectUrl: string;
  isActive: boolean;
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The profile fields an admin may change (API.md PUT /api/users/:id). */
export interface UserProfileChanges {
  name?: string;
  customRole?: string | null;
  companyName?: string | null;
  companyAddress?: string | null;
  companyPhone?: string | null;
  subUserLimit?: number;
}

/** Strips what only the services may see (hash, lockout counters) from a user record. */
export function toPublicUser(record: User): User {
  const {
    passwordHash: _hash,
    isVerifiedSuperAdmin: _slot,
    failedLoginCount: _count,
    lockedUntil: _lock,
    tokenGen: _gen,
    ...user
  } = record as UserRecord;
  return user;
}
