import { randomBytes } from 'node:crypto';
import type { Repositories } from '../../db/repositories/index.js';
import type { AssigneeScope, ProjectScope } from '../../db/repositories/project-admin.js';
import { parseProjectRef, type ProjectRecord } from '../../db/repositories/projects.js';
import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import { CLIENT_SECRET_PURPOSE } from '../auth/project-access.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import type { Project } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import { recordProjectRevoked } from '../events/record.js';

/** A project as the API shows it; `assignedUsers` is absent for Sub Users. */
export interface ProjectView extends Project {
  assignedUsers?: number;
}

export interface ProjectInput {
  customProjectId: string;
  name: string;
  projectUrl: string;
  icon?: string | null;
  description?: string | null;
  isActive?: boolean;
}

export type ProjectPatch = Partial<ProjectInput>;

export interface ProjectStats {
  totalProjects: number;
  activeProjects: number;
  inactiveProjects: number;
  projectsByUser: Record<string, number>;
}

const CUSTOM_ID = /^[a-z][a-z0-9_-]{2,49}$/;

/** What a caller sees: the Super Admin everything, an Admin its projects, a Sub User its active ones. */
function scopeOf(principal: Principal): { projects: ProjectScope; assignees: AssigneeScope | null } {
  if (principal.role === 'SUPER_ADMIN') return { projects: { kind: 'all' }, assignees: { kind: 'all' } };
  if (principal.role === 'ADMIN')
    return {
      projects: { kind: 'assigned', userId: principal.userId, activeOnly: false },
      assignees: { kind: 'team', adminId: principal.userId },
    };
  return { projects: { kind: 'assigned', userId: principal.userId, activeOnly: true }, assignees: null };
}

function requireSuperAdmin(principal: Principal) {
  if (principal.role !== 'SUPER_ADMIN') throw new AppError('FORBIDDEN');
}

const notFound = () => new AppError('NOT_FOUND', { message: 'Project not found' });
const taken = () => new AppError('PROJECT_ID_TAKEN');
const newSecret = () => randomBytes(32).toString('base64url');
const blankToNull = (value: string | null | undefined) => (value ? value : null);

function publicProject(record: ProjectRecord): Project {
  const { clientSecretHash: _hash, previousSecretHash: _previous, previousSecretValidUntil: _until, ...project } = record;
  return project;
}

const HOUR_MS = 3_600_000;

/** Projects: listing and statistics in the caller's scope; creation, changes and deletion by the Super Admin. */
export function createProjectAdmin(deps: AuthFlowDeps) {
  const { store, clock, secrets, audit, authState } = deps;

  async function withCounts(records: ProjectRecord[], assignees: AssigneeScope | null): Promise<ProjectView[]> {
    if (!assignees) return records.map(publicProject);
    const counts = await store.repos.projectAdmin.assignedUserCounts(
      records.map((r) => r.id),
      assignees,
    );
    return records.map((r) => ({ ...publicProject(r), assignedUsers: counts.get(r.id) ?? 0 }));
  }

  /** A reference that cannot name a project (not digits, not a valid customProjectId) finds nothing on any dialect. */
  async function find(repos: Repositories, ref: string, scope: ProjectScope): Promise<ProjectRecord> {
    const key = parseProjectRef(ref);
    if ('customProjectId' in key && !CUSTOM_ID.test(key.customProjectId)) throw notFound();
    const project = await repos.projectAdmin.findInScope(key, scope);
    if (!project) throw notFound();
    return project;
  }

  async function actorEmail(repos: Repositories, principal: Principal) {
    return (await repos.users.findById(principal.userId))?.email ?? null;
  }

  return {
    async list(principal: Principal, query: { page: number; limit: number; search?: string }) {
      const scope = scopeOf(principal);
      const { rows, total } = await store.repos.projectAdmin.list(scope.projects, {
        search: query.search || undefined,
        offset: (query.page - 1) * query.limit,
        limit: query.limit,
      });
      return { items: await withCounts(rows, scope.assignees), total };
    },

    async stats(principal: Principal): Promise<ProjectStats> {
      if (principal.role === 'SUB_USER') throw new AppError('FORBIDDEN');
      const scope = scopeOf(principal);
      const stats = await store.repos.projectAdmin.stats(scope.projects, scope.assignees!);
      return { totalProjects: stats.total, activeProjects: stats.active, inactiveProjects: stats.inactive, projectsByUser: stats.byUser };
    },

    async get(principal: Principal, ref: string): Promise<ProjectView> {
      const scope = scopeOf(principal);
      const [view] = await withCounts([await find(store.repos, ref, scope.projects)], scope.assignees);
      return view!;
    },

    /** Creates a project; its client secret is returned this once and stored only as an HMAC. */
    async create(principal: Principal, input: ProjectInput, meta: RequestMeta): Promise<{ project: ProjectView; clientSecret: string }> {
      requireSuperAdmin(principal);
      const now = clock.now();
      const clientSecret = newSecret();
      const project = await store.transaction(async (tx) => {
        const id = await tx.projectAdmin.create({
          customProjectId: input.customProjectId,
          name: input.name,
          projectUrl: input.projectUrl,
          icon: blankToNull(input.icon),
          description: blankToNull(input.description),
          isActive: input.isActive ?? true,
          createdBy: principal.userId,
          createdAt: now,
          updatedAt: now,
          clientSecretHash: secrets.hash(CLIENT_SECRET_PURPOSE, clientSecret),
        });
        if (id === 'taken') throw taken();
        const details = { customProjectId: input.customProjectId, name: input.name, isActive: input.isActive ?? true };
        await audit.record(
          {
            userId: principal.userId,
            actorEmail: await actorEmail(tx, principal),
            action: 'PROJECT_CREATE',
            resource: 'project',
            projectId: id,
            details,
            success: true,
          },
          meta,
          tx,
        );
        return find(tx, String(id), { kind: 'all' });
      });
      return { project: { ...publicProject(project), assignedUsers: 0 }, clientSecret };
    },

    /** Partial update of everything but the customProjectId. Any change invalidates the cached project, so deactivation takes effect at once. */
    async update(principal: Principal, ref: string, patch: ProjectPatch, meta: RequestMeta): Promise<ProjectView> {
      requireSuperAdmin(principal);
      const now = clock.now();
      const updated = await store.transaction(async (tx) => {
        const before = await find(tx, ref, { kind: 'all' });
        // Project tokens name their project by it (their aud), so it never changes (API.md).
        if (patch.customProjectId !== undefined && patch.customProjectId !== before.customProjectId) {
          throw new AppError('VALIDATION_ERROR', {
            details: [{ field: 'customProjectId', message: 'is fixed once the project exists' }],
          });
        }
        const { customProjectId: _fixed, ...rest } = patch;
        const values = {
          ...rest,
          ...('icon' in patch ? { icon: blankToNull(patch.icon) } : {}),
          ...('description' in patch ? { description: blankToNull(patch.description) } : {}),
        };
        await tx.projectAdmin.update(before.id, { ...values, updatedAt: now });
        // Its project tokens and codes die with the deactivation, and stay dead after a re-activation.
        if (before.isActive && patch.isActive === false)
          await recordProjectRevoked(tx, before.id, await tx.projects.revokeAllAccess(before.id), 'DEACTIVATED', now);
        const after = await find(tx, String(before.id), { kind: 'all' });
        const changes: Record<string, unknown> = {};
        for (const field of ['customProjectId', 'name', 'projectUrl', 'icon', 'isActive'] as const) {
          if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
        }
        if (before.description !== after.description) changes.description = 'changed';
        await audit.record(
          {
            userId: principal.userId,
            actorEmail: await actorEmail(tx, principal),
            action: 'PROJECT_UPDATE',
            resource: 'project',
            projectId: before.id,
            details: { customProjectId: after.customProjectId, changes },
            success: true,
          },
          meta,
          tx,
        );
        return after;
      });
      authState.invalidateProject(updated.id);
      const [view] = await withCounts([updated], { kind: 'all' });
      return view!;
    },

    /**
     * A new client secret. The replaced one keeps working for exchange-code until `previousSecretValidUntil`
     * (null: it stopped at once); a secret replaced earlier stops now. Read from the database on every exchange.
     */
    async rotateSecret(
      principal: Principal,
      ref: string,
      graceHours: number,
      meta: RequestMeta,
    ): Promise<{ clientSecret: string; previousSecretValidUntil: Date | null }> {
      requireSuperAdmin(principal);
      const clientSecret = newSecret();
      const now = clock.now();
      const previousSecretValidUntil = graceHours > 0 ? new Date(now.getTime() + graceHours * HOUR_MS) : null;
      await store.transaction(async (tx) => {
        const project = await find(tx, ref, { kind: 'all' });
        await tx.projects.rotateClientSecret(project.id, secrets.hash(CLIENT_SECRET_PURPOSE, clientSecret), previousSecretValidUntil, now);
        await audit.record(
          {
            userId: principal.userId,
            actorEmail: await actorEmail(tx, principal),
            action: 'PROJECT_SECRET_ROTATE',
            resource: 'project',
            projectId: project.id,
            details: { customProjectId: project.customProjectId, graceHours },
            success: true,
          },
          meta,
          tx,
        );
      });
      return { clientSecret, previousSecretValidUntil };
    },

    /** Deletes the project with its assignments and codes; its project tokens stop validating at once. */
    async remove(principal: Principal, ref: string, meta: RequestMeta): Promise<void> {
      requireSuperAdmin(principal);
      const { id, userIds } = await store.transaction(async (tx) => {
        const project = await find(tx, ref, { kind: 'all' });
        const assignees = await tx.projectAdmin.assigneeIds(project.id);
        // A generation above every pgen ever issued for it: its tokens are dead for an offline verifier too.
        const gen = await tx.projects.revokeAllAccess(project.id);
        if (!(await tx.projectAdmin.remove(project.id))) throw notFound();
        await recordProjectRevoked(tx, project.id, gen, 'PROJECT_DELETED', clock.now());
        const details = { customProjectId: project.customProjectId, name: project.name, assignmentsRemoved: assignees.length };
        await audit.record(
          {
            userId: principal.userId,
            actorEmail: await actorEmail(tx, principal),
            action: 'PROJECT_DELETE',
            resource: 'project',
            projectId: project.id,
            details,
            success: true,
          },
          meta,
          tx,
        );
        return { id: project.id, userIds: assignees };
      });
      authState.invalidateProject(id);
      // The users' cached rights still list the project: drop them too.
      userIds.forEach((userId) => authState.invalidateUser(userId));
    },
  };
}

export type ProjectAdmin = ReturnType<typeof createProjectAdmin>;
