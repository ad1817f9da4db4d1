import type { User, UserWithProjects } from './models.js';

export type TokenType = 'ACCESS' | 'PROJECT_ACCESS';

/** The user fields both payloads share (the seed's "Access Token Payload" without projects), createdAt as ISO-8601. */
export type TokenUserClaims = Pick<
  User,
  'id' | 'email' | 'name' | 'role' | 'customRole' | 'companyName' | 'companyAddress' | 'companyPhone' | 'isActive' | 'isSuspended'
> & {
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
  /** The user's token generation at issue (API.md "Tokens"; migration 007). */
  gen: number;
}

export interface ProjectTokenProject {
  id: number;
  customProjectId: string;
  name: string;
}

export interface ProjectTokenClaims extends TokenUserClaims, RegisteredClaims {
  project: ProjectTokenProject;
  tokenType: 'PROJECT_ACCESS';
  /** The generation of the user's access to the project at issue (API.md "Tokens"; migration 004). */
  pgen: number;
  /** The user's token generation at issue (migration 007). */
  gen: number;
}

export type ExpectedTokenType = TokenType | 'ANY';

interface VerifiedBase {
  userId: number;
  sid: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}
export type VerifiedToken =
  | (VerifiedBase & { tokenType: 'ACCESS'; claims: AccessTokenClaims })
  | (VerifiedBase & { tokenType: 'PROJECT_ACCESS'; claims: ProjectTokenClaims });

export interface SignedToken {
  token: string;
  expiresAt: Date;
  jti: string;
}

/** Signs and verifies the service's tokens (crypto/jwt.ts); revocation is the authenticator's. */
export interface TokenService {
  /** `gen`: the user's token generation (UserRecord.tokenGen); left out, 0, which only errs towards revoked. */
  signAccessToken(user: UserWithProjects, sid: string, gen: number): SignedToken;
  signProjectToken(user: User, project: ProjectTokenProject, sid: string, pgen: number, gen: number): SignedToken;
  /** With the keys in memory only; throws AppError TOKEN_INVALID or TOKEN_EXPIRED, nothing else. */
  verifyTokenSync(token: string, expected: ExpectedTokenType): VerifiedToken;
  /** Like verifyTokenSync; a token naming an unknown kid triggers one rate-limited reload of the keys. */
  verifyToken(token: string, expected: ExpectedTokenType): Promise<VerifiedToken>;
}
