import type { Repositories } from '../../db/repositories/index.js';
import { AppError } from '../../errors/index.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import { issueOtp } from '../auth/otp-sending.js';
import type { Role, UserWithProjects } from '../../domain/models.js';
import type { RequestMeta } from '../../domain/ports.js';
import { assertSubset, loadActor, resolveProjectIds, viewOf, type Actor, type Caller, type ProjectRefInput } from './users-scope.js';

export interface NewSubUserInput {
  name: string;
  email: string;
  customRole?: string | null;
  projectIds?: ProjectRefInput[];
}

export interface NewProjectAdminInput extends NewSubUserInput {
  companyName?: string | null;
  companyAddress?: string | null;
  companyPhone?: string | null;
  subUserLimit?: number;
}

/** EMAIL_TAKEN tells an Admin that an address exists somewhere: a few such answers per hour, then 429. */
export const EMAIL_TAKEN_RULE = { max: 10, windowMs: 60 * 60_000 };
export const DEFAULT_SUB_USER_LIMIT = 5;

type Created = { kind: 'created'; user: UserWithProjects } | { kind: 'taken' };

const blankToNull = (value: string | null | undefined) => (value ? value : null);

export function createUserCreation(deps: AuthFlowDeps) {
  const { store, clock, emails, limiter, audit } = deps;

  /** Inserts an inactive user without a password, its assignments, and the activation OTP email; in `tx`. */
  async function insertUser(
    tx: Repositories,
    actor: Actor,
    role: Exclude<Role, 'SUPER_ADMIN'>,
    input: NewProjectAdminInput,
    projectIds: number[],
    meta: RequestMeta,
  ): Promise<Created> {
    if (await tx.users.findByEmail(input.email)) return { kind: 'taken' };
    const now = clock.now();
    let id: number;
    try {
      id = await tx.users.insert({
        name: input.name,
        email: input.email,
        password: null,
        role,
        customRole: blankToNull(input.customRole),
        companyName: blankToNull(input.companyName),
        companyAddress: blankToNull(input.companyAddress),
        companyPhone: blankToNull(input.companyPhone),
        isActive: false,
        isSuspended: false,
        suspensionReason: null,
        suspendedBy: null,
        unsuspendedBy: null,
        // A Sub User cannot have sub-users of its own.
        subUserLimit: role === 'ADMIN' ? (input.subUserLimit ?? DEFAULT_SUB_USER_LIMIT) : 0,
        createdById: actor.id,
        createdAt: now,
        updatedAt: now,
        superAdminSlot: null,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'EMAIL_TAKEN') return { kind: 'taken' };
      throw error;
    }
    await tx.projects.assign(id, projectIds, now);
    await issueOtp(deps, tx, input.email, 'ACCOUNT_ACTIVATION', { name: input.name });
    await audit.record(
      {
        userId: actor.id,
        actorEmail: actor.email,
        targetUserId: id,
        action: 'USER_CREATE',
        resource: 'user',
        details: { role, email: input.email, projectIds },
        success: true,
      },
      meta,
      tx,
    );
    const created = await tx.users.findById(id);
    return { kind: 'created', user: await viewOf(tx, created!) };
  }

  /** A unique violation can still abort the transaction on PostgreSQL; the answer is the same. */
  async function run(work: (tx: Repositories) => Promise<Created>): Promise<Created> {
    try {
      return await store.transaction(work);
    } catch (error) {
      if (error instanceof AppError && error.code === 'EMAIL_TAKEN') return { kind: 'taken' };
      throw error;
    }
  }

  return {
    /** The Super Admin creates a Project Admin; it activates through the emailed OTP. */
    async createProjectAdmin(caller: Caller, input: NewProjectAdminInput, meta: RequestMeta): Promise<UserWithProjects> {
      const actor = await loadActor(store.repos, caller);
      if (actor.role !== 'SUPER_ADMIN') throw new AppError('FORBIDDEN');
      const result = await run(async (tx) =>
        insertUser(tx, actor, 'ADMIN', input, await resolveProjectIds(tx, actor, input.projectIds ?? []), meta),
      );
      if (result.kind === 'taken') throw new AppError('EMAIL_TAKEN');
      emails.nudge();
      return result.user;
    },

    /**
     * An Admin creates a Sub User with some of its own projects and its company. The Admin's row is
     * locked first, so that counting its sub-users and inserting one is atomic against a concurrent creation.
     */
    async createSubUser(caller: Caller, input: NewSubUserInput, meta: RequestMeta): Promise<UserWithProjects> {
      const actor = await loadActor(store.repos, caller);
      if (actor.role !== 'ADMIN') throw new AppError('FORBIDDEN');
      const result = await run(async (tx) => {
        const admin = await tx.userAdmin.findForUpdate(actor.id);
        if (!admin || admin.role !== 'ADMIN') throw new AppError('FORBIDDEN');
        if ((await tx.userAdmin.countSubUsers(admin.id)) >= admin.subUserLimit) throw new AppError('SUB_USER_LIMIT_REACHED');
        const projectIds = await resolveProjectIds(tx, actor, input.projectIds ?? []);
        assertSubset(projectIds, await tx.projects.assignedProjectIds(admin.id));
        const company = { companyName: admin.companyName, companyAddress: admin.companyAddress, companyPhone: admin.companyPhone };
        return insertUser(tx, admin as Actor, 'SUB_USER', { ...input, ...company }, projectIds, meta);
      });
      if (result.kind === 'created') {
        emails.nudge();
        return result.user;
      }
      const decision = await limiter.consume(`email-taken:${actor.id}`, EMAIL_TAKEN_RULE);
      await audit.record(
        {
          userId: actor.id,
          actorEmail: actor.email,
          action: 'USER_CREATE',
          resource: 'user',
          details: { role: 'SUB_USER', email: input.email, reason: 'email taken', rateLimited: !decision.allowed },
          success: false,
        },
        meta,
      );
      if (!decision.allowed) throw new AppError('RATE_LIMITED', { retryAfter: decision.retryAfterSec });
      throw new AppError('EMAIL_TAKEN');
    },
  };
}
