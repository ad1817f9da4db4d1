import { AppError } from '../errors/index.js';
import type { AuthStateCache, ProjectAuthState } from './auth-state.js';
import type { Role } from '../domain/models.js';
import type { TokenService, TokenType, VerifiedToken } from '../domain/ports.js';

/** Who is calling, once the token has passed every check. */
export interface Principal {
  userId: number;
  role: Role;
  sid: string;
  token: VerifiedToken;
  /** For project tokens: the project, as it is now. */
  project: ProjectAuthState | null;
}

/**
 * The one authentication step behind every route and validate-token: signature, expiry and type
 * (TokenService), then revocation from memory: the session still live, the user still there,
 * active and not suspended, and for a project token the project active and still assigned.
 */
export function createAuthenticator(deps: { tokens: TokenService; authState: AuthStateCache }) {
  const { tokens, authState } = deps;

  return {
    async authenticate(rawToken: string, expected: TokenType | 'ANY'): Promise<Principal> {
      const token = await tokens.verifyToken(rawToken, expected);
      const [session, user] = await Promise.all([authState.session(token.sid), authState.user(token.userId)]);
      if (!session.exists || session.revoked || session.userId !== token.userId) throw new AppError('TOKEN_INVALID');
      if (!user.exists || user.isSuspended || !user.isActive) throw new AppError('TOKEN_INVALID');

      let project: ProjectAuthState | null = null;
      if (token.tokenType === 'PROJECT_ACCESS') {
        const claimed = token.claims.project;
        if (!claimed) throw new AppError('TOKEN_INVALID');
        project = await authState.project(claimed.id);
        if (!project.exists || !project.isActive || project.customProjectId !== claimed.customProjectId)
          throw new AppError('TOKEN_INVALID');
        if (user.role !== 'SUPER_ADMIN' && !user.projectIds.has(project.id)) throw new AppError('TOKEN_INVALID');
        // Bound to the state it was issued under: not after a deactivation or an unassignment, even once undone.
        const pgen = typeof token.claims.pgen === 'number' ? token.claims.pgen : 0;
        if (pgen < project.revokedGen || pgen < (user.accessCutoffs.get(project.id) ?? 0)) throw new AppError('TOKEN_INVALID');
      }
      return { userId: token.userId, role: user.role, sid: token.sid, token, project };
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
