import { AppError } from '../../errors/index.js';
import { parseProjectRef } from '../../db/repositories/projects.js';
import type { Authenticator } from '../authenticator.js';
import type { TokenType } from '../ports.js';

export interface ValidationResult {
  valid: true;
  tokenType: TokenType;
  /** The user as the token carries it (the seed's payload). */
  user: object;
  project: { id: number; customProjectId: string; name: string; projectUrl: string } | null;
  expiresAt: Date;
}

/**
 * validate-token: the authentication step, plus the project binding. A project token is valid only
 * for the project it names; an access token is not valid for a project.
 */
export function createTokenValidation(deps: { authenticator: Authenticator }) {
  return {
    async validate(token: string, projectRef: string | undefined): Promise<ValidationResult> {
      const principal = await deps.authenticator.authenticate(token, 'ANY');
      const { claims, tokenType, expiresAt } = principal.token;
      if (tokenType === 'ACCESS') {
        if (projectRef !== undefined) throw new AppError('TOKEN_INVALID', { message: 'An access token is not valid for a project' });
        return { valid: true, tokenType, user: claims, project: null, expiresAt };
      }
      if (projectRef === undefined) {
        throw new AppError('VALIDATION_ERROR', { details: [{ field: 'projectId', message: 'A project token needs the projectId it is presented to' }] });
      }
      const project = principal.project!;
      const ref = parseProjectRef(projectRef);
      const matches = 'id' in ref ? ref.id === project.id : ref.customProjectId === project.customProjectId;
      if (!matches) throw new AppError('TOKEN_INVALID', { message: 'The token is for another project' });
      const view = { id: project.id, customProjectId: project.customProjectId, name: project.name, projectUrl: project.projectUrl };
      return { valid: true, tokenType, user: { ...claims, projects: [{ ...view, isActive: project.isActive }] }, project: view, expiresAt };
    },
  };
}
