import { AppError } from '../../errors/index.js';
import { parseProjectRef } from '../../db/repositories/projects.js';
import type { ProjectAuthState } from '../auth-state.js';
import type { Authenticator, Principal } from '../authenticator.js';
import type { TokenType, VerifiedToken } from '../../domain/ports.js';
import type { AccessTokenProject, TokenUserClaims } from '../../domain/tokens.js';

export interface ValidationResult {
  valid: true;
  tokenType: TokenType;
  /** The user as the token carries it (the seed's payload). */
  user: TokenUserClaims & { projects: AccessTokenProject[] };
  project: { id: number; customProjectId: string; name: string; projectUrl: string } | null;
  expiresAt: Date;
}

/**
 * validate-token: the authentication step, plus the project binding. A project token is valid only
 * for the project it names; an access token is not valid for a project.
 */
export function createTokenValidation(deps: { authenticator: Authenticator }) {
  // Projects validate the same token on every request of theirs: its answer is built once per token
  // and project state (a new state object after every change), and is the same object each time, so
  // the route can keep its serialized form. Entries leave with the verified tokens they hang on.
  const answers = new WeakMap<VerifiedToken, { project: ProjectAuthState | null; result: ValidationResult }>();

  function answerFor(principal: Principal): ValidationResult {
    const known = answers.get(principal.token);
    if (known && known.project === principal.project) return known.result;
    const result = buildAnswer(principal);
    answers.set(principal.token, { project: principal.project, result });
    return result;
  }

  return {
    /** The same (frozen) object for the same token while nothing about it changed. */
    async validate(token: string, projectRef: string | undefined): Promise<ValidationResult> {
      const principal = await deps.authenticator.authenticate(token, 'ANY');
      if (principal.token.tokenType === 'ACCESS') {
        if (projectRef !== undefined) throw new AppError('TOKEN_INVALID', { message: 'An access token is not valid for a project' });
        return answerFor(principal);
      }
      if (projectRef === undefined) {
        throw new AppError('VALIDATION_ERROR', {
          details: [{ field: 'projectId', message: 'A project token needs the projectId it is presented to' }],
        });
      }
      const project = principal.project!;
      const ref = parseProjectRef(projectRef);
      const matches = 'id' in ref ? ref.id === project.id : ref.customProjectId === project.customProjectId;
      if (!matches) throw new AppError('TOKEN_INVALID', { message: 'The token is for another project' });
      return answerFor(principal);
    },
  };
}

function buildAnswer({ token, project }: Principal): ValidationResult {
  const { tokenType, expiresAt } = token;
  if (token.tokenType === 'ACCESS') return Object.freeze({ valid: true, tokenType, user: token.claims, project: null, expiresAt });
  // The authenticator has looked the project of a project token up.
  if (!project) throw new AppError('TOKEN_INVALID');
  const { claims } = token;
  const view = { id: project.id, customProjectId: project.customProjectId, name: project.name, projectUrl: project.projectUrl };
  return Object.freeze({
    valid: true,
    tokenType,
    user: { ...claims, projects: [{ ...view, isActive: project.isActive }] },
    project: view,
    expiresAt,
  });
}
