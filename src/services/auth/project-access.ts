import { randomBytes } from 'node:crypto';
import { safeEqual } from '../../crypto/secrets.js';
import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import { toPublicUser, type UserWithProjects } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import type { AuthFlowDeps } from './deps.js';
import type { ProjectRecord } from '../../db/repositories/projects.js';

const CODE_TTL_MS = 60_000;
export const CODE_PURPOSE = 'project-code';
export const CLIENT_SECRET_PURPOSE = 'project-client-secret';

const CUSTOM_ID = /^[a-z][a-z0-9_-]{2,49}$/;

/** Whether the secret stored as `hash` still opens the project: its current one, or the replaced one within its grace. */
export function secretHashWorks(project: ProjectRecord, hash: string, now: Date): boolean {
  if (project.clientSecretHash === hash) return true;
  const until = project.previousSecretValidUntil;
  return project.previousSecretHash === hash && until !== null && now.getTime() < until.getTime();
}

export interface ProjectRef {
  id: number;
  customProjectId: string;
  name: string;
  projectUrl: string;
}

export function createProjectAccess(deps: Pick<AuthFlowDeps, 'store' | 'clock' | 'config' | 'secrets' | 'tokens' | 'authState' | 'audit'>) {
  const { store, clock, config, secrets, tokens, authState, audit } = deps;
  // Compared against when the project does not exist, so both paths do the same work.
  const dummyHash = secrets.hash(CLIENT_SECRET_PURPOSE, 'no-such-project');

  /**
   * The project's current secret, or the one its last rotation replaced until that grace ends (API.md
   * rotate-secret): the stored HMAC it matched, else undefined. Both comparisons always run, against a dummy
   * where there is nothing to compare.
   */
  function acceptedSecretHash(project: ProjectRecord | undefined, clientSecret: string, now: Date): string | undefined {
    const candidates = secrets.hashCandidates(CLIENT_SECRET_PURPOSE, clientSecret);
    const matches = (stored: string | null | undefined) => {
      const equal = candidates.some((candidate) => safeEqual(candidate, stored ?? dummyHash));
      return equal && stored != null;
    };
    const current = matches(project?.clientSecretHash);
    const previous = matches(project?.previousSecretHash);
    if (current) return project!.clientSecretHash!;
    return previous && secretHashWorks(project!, project!.previousSecretHash!, now) ? project!.previousSecretHash! : undefined;
  }
  const clientSecretAccepted = (project: ProjectRecord | undefined, clientSecret: string, now: Date) =>
    acceptedSecretHash(project, clientSecret, now) !== undefined;

  return {
    /**
     * A project's backend by its customProjectId and client secret (the events stream's Basic credentials):
     * the project and the stored HMAC the secret matched (to check later that it still works), or undefined.
     */
    async authenticateBackend(customProjectId: string, clientSecret: string) {
      const found = CUSTOM_ID.test(customProjectId) ? await store.repos.projects.findByRef(customProjectId) : undefined;
      const secretHash = acceptedSecretHash(found, clientSecret, clock.now());
      return found && secretHash ? { project: found, secretHash } : undefined;
    },

    /** A project token for the caller's session, and a one-time code for the project's backend. */
    async issue(principal: Principal, ref: string, meta: RequestMeta) {
      const project = await store.repos.projects.findByRef(ref);
      const assigned = project && (principal.role === 'SUPER_ADMIN' || (await authState.user(principal.userId)).projectIds.has(project.id));
      if (!project || !assigned) throw new AppError('NOT_FOUND', { message: 'Project not found' });
      if (!project.isActive) throw new AppError('PROJECT_INACTIVE');
      const user = await store.repos.users.findById(principal.userId);
      if (!user) throw new AppError('TOKEN_INVALID');

      const now = clock.now();
      const code = randomBytes(32).toString('base64url');
      const signed = await tokens.signProjectToken(user, project, principal.sid, project.accessGen, user.tokenGen);
      await store.transaction(async (tx) => {
        await tx.projectCodes.insert({
          codeHash: secrets.hash(CODE_PURPOSE, code),
          userId: user.id,
          projectId: project.id,
          sessionId: principal.sid,
          pgen: project.accessGen,
          expiresAt: new Date(now.getTime() + CODE_TTL_MS),
          usedAt: null,
          createdAt: now,
        });
        await tx.projects.touchLastAccessed(user.id, project.id, now);
        await audit.record(
          { userId: user.id, actorEmail: user.email, action: 'PROJECT_TOKEN', resource: 'project', projectId: project.id, success: true },
          meta,
          tx,
        );
      });
      const redirect = new URL(project.projectUrl);
      redirect.searchParams.set('xtown_code', code);
      return {
        projectToken: signed.token,
        expiresIn: config.accessTokenTtlSec,
        project: { id: project.id, customProjectId: project.customProjectId, name: project.name, projectUrl: project.projectUrl },
        redirectUrl: redirect.toString(),
      };
    },

    /** The project's backend trades a one-time code and its client secret for the project token. */
    async exchange(code: string, ref: string, clientSecret: string, meta: RequestMeta) {
      const project = await store.repos.projects.findByRef(ref);
      const now = clock.now();
      const secretOk = clientSecretAccepted(project, clientSecret, now);
      const fail = async (reason: string): Promise<never> => {
        await audit.record(
          {
            userId: null,
            actorEmail: null,
            action: 'CODE_EXCHANGE',
            resource: 'project',
            projectId: project?.id ?? null,
            details: { reason },
            success: false,
          },
          meta,
        );
        throw new AppError('TOKEN_INVALID');
      };
      if (!project || !secretOk) return fail('client secret invalid');

      const record = await store.repos.projectCodes.consume(secrets.hashCandidates(CODE_PURPOSE, code), project.id, now);
      if (!record) return fail('code invalid, used or expired');
      const [session, userState, user] = await Promise.all([
        authState.session(record.sessionId),
        authState.user(record.userId),
        store.repos.users.findById(record.userId),
      ]);
      const stillAllowed = userState.role === 'SUPER_ADMIN' || userState.projectIds.has(project.id);
      if (
        !user ||
        !session.exists ||
        session.revoked ||
        userState.isSuspended ||
        !userState.isActive ||
        !project.isActive ||
        !stillAllowed ||
        // Issued before a deactivation or an unassignment since: dead, even once undone.
        record.pgen < project.revokedGen ||
        record.pgen < (userState.accessCutoffs.get(project.id) ?? 0)
      ) {
        return fail('session, user or project no longer valid');
      }
      const signed = await tokens.signProjectToken(user, project, record.sessionId, record.pgen, user.tokenGen);
      const projectView: ProjectRef = {
        id: project.id,
        customProjectId: project.customProjectId,
        name: project.name,
        projectUrl: project.projectUrl,
      };
      const fullUser: UserWithProjects = {
        ...toPublicUser(user),
        projects: [{ ...projectView, icon: project.icon, isActive: project.isActive }],
      };
      await audit.record(
        { userId: user.id, actorEmail: user.email, action: 'CODE_EXCHANGE', resource: 'project', projectId: project.id, success: true },
        meta,
      );
      return { projectToken: signed.token, expiresIn: config.accessTokenTtlSec, user: fullUser, project: projectView };
    },
  };
}
