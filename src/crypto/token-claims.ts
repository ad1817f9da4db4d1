import type { User, UserWithProjects } from '../domain/models.js';
import type { AccessTokenProject, TokenUserClaims } from '../domain/tokens.js';

export function userClaims(user: User): TokenUserClaims {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    customRole: user.customRole,
    companyName: user.companyName,
    companyAddress: user.companyAddress,
    companyPhone: user.companyPhone,
    isActive: user.isActive,
    isSuspended: user.isSuspended,
    createdAt: user.createdAt.toISOString(),
  };
}

export function accessProjects(user: UserWithProjects): AccessTokenProject[] {
  return user.projects.map((p) => ({
    id: p.id,
    customProjectId: p.customProjectId,
    name: p.name,
    projectUrl: p.projectUrl,
    isActive: p.isActive,
  }));
}
