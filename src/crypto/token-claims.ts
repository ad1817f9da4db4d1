import type { User, UserWithProjects } from '../services/models.js';

export type TokenType = 'ACCESS' | 'PROJECT_ACCESS';

/** The user fields both payloads share (the seed's "Access Token Payload" without projects), createdAt as ISO-8601. */
export type TokenUserClaims = Pick<User, 'id' | 'email' | 'name' | 'role' | 'customRole' | 'companyName' | 'companyAddress' | 'companyPhone' | 'isActive' | 'isSuspended'> & {
  createdAt: string;
};

export interface RegisteredClaims {
  /** The user id as a string. */
  sub: string;
  iss: string;
  aud: string;
  jti: string;
  /** The session (refresh chain) the token came from. */
  sid: string;
  iat: number;
  exp: number;
}

export interface AccessTokenProject {
  id: number;
  customProjectId: string;
  name: string;
  projectUrl: string;
  isActive: boolean;
}

export interface AccessTokenClaims extends TokenUserClaims, RegisteredClaims {
  projects: AccessTokenProject[];
  tokenType: 'ACCESS';
}

export interface ProjectTokenProject {
  id: number;
  customProjectId: string;
  name: string;
}

export interface ProjectTokenClaims extends TokenUserClaims, RegisteredClaims {
  project: ProjectTokenProject;
  tokenType: 'PROJECT_ACCESS';
}

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
  return user.projects.map((p) => ({ id: p.id, customProjectId: p.customProjectId, name: p.name, projectUrl: p.projectUrl, isActive: p.isActive }));
}
