import { sql, type Selectable } from 'kysely';
import type { NewUser, Role, UsersTable } from '../schema.js';
import type { ProjectSummary, UserRecord } from '../../domain/models.js';
import { AppError } from '../../errors/index.js';
import { isUniqueViolation, toBool, toDate, toDateOrNull } from '../values.js';
import { affected, type RepoContext } from './executor.js';

export function mapUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    customRole: row.customRole,
    companyName: row.companyName,
    companyAddress: row.companyAddress,
    companyPhone: row.companyPhone,
    isActive: toBool(row.isActive),
    isSuspended: toBool(row.isSuspended),
    suspendedAt: toDateOrNull(row.suspendedAt),
    suspensionReason: row.suspensionReason,
    suspendedBy: row.suspendedBy,
    unsuspendedAt: toDateOrNull(row.unsuspendedAt),
    unsuspendedBy: row.unsuspendedBy,
    subUserLimit: row.subUserLimit,
    createdById: row.createdById,
    lastLoginAt: toDateOrNull(row.lastLoginAt),
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
    passwordHash: row.password,
    isVerifiedSuperAdmin: row.superAdminSlot === 1,
    failedLoginCount: row.failedLoginCount,
    lockedUntil: toDateOrNull(row.lockedUntil),
    tokenGen: Number(row.tokenGen ?? 0),
  };
}

/** 'locking': allowed, and this attempt reached the threshold (the lock holds unless the password is right). */
export type LoginReservation = 'allowed' | 'locking' | 'locked';

/** What validating a token needs of its user: the row's standing, its active assignments and its access cutoffs. */
export interface UserAuthRecord {
  role: Role;
  isActive: boolean;
  isSuspended: boolean;
  projectIds: number[];
  /** By project: the gen below which the user's project tokens were issued before an unassignment. */
  accessCutoffs: Map<number, number>;
}

export function usersRepository({ exec, dialect }: RepoContext) {
  const lockable = dialect !== 'sqlite';
  // PostgreSQL types a UNION's columns branch by branch, and two untyped NULLs make text: an integer column whose
  // first two branches are NULL must say so. MySQL casts to SIGNED, not INTEGER.
  const noInteger = sql<number | null>`cast(null as ${sql.raw(dialect === 'mysql' ? 'signed' : 'integer')})`;
  const none = sql<null>`null`;

  return {
    async findById(id: number): Promise<UserRecord | undefined> {
      const row = await exec.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && mapUser(row);
    },

    /**
     * The user's standing, assignments and cutoffs in one statement (three branches of a UNION ALL, told apart
     * by `kind`), read on every token's first validation after a restart or an invalidation. Three statements in
     * two round trips were most of a restarted instance's catch-up: offered 2,600 validations/s over 1,000 tokens
     * on PostgreSQL, it answered on time again after ~2.2 s; with one, after ~1.7 s (main-thread CPU per new
     * token about a fifth lower, PostgreSQL's a third).
     */
    async authState(id: number): Promise<UserAuthRecord | undefined> {
      const rows = await exec
        .selectFrom('users')
        .select((eb) => [
          sql<string>`'u'`.as('kind'),
          // Typed as the other branches give them (NULL there).
          eb.ref('role').$castTo<Role | null>().as('role'),
          eb.ref('isActive').$castTo<boolean | number | null>().as('isActive'),
          eb.ref('isSuspended').$castTo<boolean | number | null>().as('isSuspended'),
          noInteger.as('projectId'),
          noInteger.as('gen'),
        ])
        .where('id', '=', id)
        .unionAll(
          exec
            .selectFrom('user_projects')
            .select([
              sql<string>`'a'`.as('kind'),
              none.as('role'),
              none.as('isActive'),
              none.as('isSuspended'),
              'projectId',
              none.as('gen'),
            ])
            .where('userId', '=', id)
            .where('isActive', '=', true),
        )
        .unionAll(
          exec
            .selectFrom('access_cutoffs')
            .select([sql<string>`'c'`.as('kind'), none.as('role'), none.as('isActive'), none.as('isSuspended'), 'projectId', 'gen'])
            .where('userId', '=', id),
        )
        .execute();
      const user = rows.find((row) => row.kind === 'u');
      if (!user?.role) return undefined;
      const projectIds: number[] = [];
      const accessCutoffs = new Map<number, number>();
      for (const row of rows) {
        if (row.kind === 'a') projectIds.push(Number(row.projectId));
        else if (row.kind === 'c') accessCutoffs.set(Number(row.projectId), Number(row.gen));
      }
      return {
        role: user.role,
        isActive: toBool(user.isActive ?? false),
        isSuspended: toBool(user.isSuspended ?? true),
        projectIds,
        accessCutoffs,
      };
    },

    async findByEmail(email: string): Promise<UserRecord | undefined> {
      const row = await exec.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row && mapUser(row);
    },

    /** Throws EMAIL_TAKEN when the email exists: the unique index decides a race that a lookup cannot. */
    async insert(user: NewUser): Promise<number> {
      try {
        if (dialect === 'mysql') {
          const result = await exec.insertInto('users').values(user).executeTakeFirstOrThrow();
          return Number(result.insertId);
        }
        const row = await exec.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
        return row.id;
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('EMAIL_TAKEN');
        throw error;
      }
    },

    /** The projects a user may open: every active project for the Super Admin, the assigned ones otherwise. */
    async projectsOf(userId: number, role: Role): Promise<ProjectSummary[]> {
      const rows =
        role === 'SUPER_ADMIN'
          ? await exec
              .selectFrom('projects')
              .select(['id', 'customProjectId', 'name', 'projectUrl', 'icon', 'isActive'])
              .where('isActive', '=', true)
              .orderBy('id')
              .execute()
          : await exec
              .selectFrom('user_projects as up')
              .innerJoin('projects as p', 'p.id', 'up.projectId')
              .select(['p.id', 'p.customProjectId', 'p.name', 'p.projectUrl', 'p.icon', 'p.isActive'])
              .where('up.userId', '=', userId)
              .where('up.isActive', '=', true)
              .$if(role === 'SUB_USER', (q) => q.where('p.isActive', '=', true))
              .orderBy('p.id')
              .execute();
      return rows.map((r) => ({ ...r, isActive: toBool(r.isActive) }));
    },

    async superAdminExists(): Promise<boolean> {
      const row = await exec.selectFrom('users').select('id').where('superAdminSlot', '=', 1).executeTakeFirst();
      return row !== undefined;
    },

    /** Removes registrations that were never verified (a new register call replaces them). */
    async deletePendingSuperAdmins(): Promise<number> {
      const result = await exec
        .deleteFrom('users')
        .where('role', '=', 'SUPER_ADMIN')
        .where('superAdminSlot', 'is', null)
        .executeTakeFirst();
      return affected(result);
    },

    /** Takes the one Super Admin slot; false when another verification took it first (unique index). */
    async claimSuperAdminSlot(id: number, now: Date): Promise<boolean> {
      try {
        const result = await exec
          .updateTable('users')
          .set({ superAdminSlot: 1, isActive: true, updatedAt: now })
          .where('id', '=', id)
          .where('role', '=', 'SUPER_ADMIN')
          .executeTakeFirst();
        return affected(result) === 1;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    /**
     * Counts a login attempt before the password is checked, so parallel wrong passwords cannot
     * exceed the threshold. Call inside a transaction; the row is locked where the dialect allows.
     */
    async reserveLoginAttempt(id: number, now: Date, threshold: number, lockUntil: Date): Promise<LoginReservation> {
      const row = await exec
        .selectFrom('users')
        .select(['failedLoginCount', 'lockedUntil'])
        .where('id', '=', id)
        .$if(lockable, (q) => q.forUpdate())
        .executeTakeFirst();
      if (!row) return 'allowed';
      const lockedUntil = toDateOrNull(row.lockedUntil);
      if (lockedUntil && lockedUntil > now) return 'locked';
      const previous = lockedUntil ? 0 : row.failedLoginCount; // an expired lock starts a new run
      const count = previous + 1;
      await exec
        .updateTable('users')
        .set({ failedLoginCount: count, lockedUntil: count >= threshold ? lockUntil : null })
        .where('id', '=', id)
        .execute();
      return count >= threshold ? 'locking' : 'allowed';
    },

    async resetLoginFailures(id: number): Promise<void> {
      await exec.updateTable('users').set({ failedLoginCount: 0, lockedUntil: null }).where('id', '=', id).execute();
    },

    /** `endFailureRun`: the success ends the run of wrong passwords (not one from a trusted device: see login). */
    async recordLoginSuccess(id: number, now: Date, options: { endFailureRun: boolean }): Promise<void> {
      await exec
        .updateTable('users')
        .set(options.endFailureRun ? { lastLoginAt: now, failedLoginCount: 0, lockedUntil: null } : { lastLoginAt: now })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Raises the user's token generation (the `gen` claim) and answers the new one: every token issued before
     * carries a lower one. Inside the transaction of the revocation, which the row lock then orders.
     */
    async raiseTokenGen(id: number): Promise<number> {
      await exec
        .updateTable('users')
        .set((eb) => ({ tokenGen: eb('tokenGen', '+', 1) }))
        .where('id', '=', id)
        .execute();
      const row = await exec.selectFrom('users').select('tokenGen').where('id', '=', id).executeTakeFirst();
      return Number(row?.tokenGen ?? 0);
    },

    /** Sets a new password hash; also clears a lockout (a reset proves the owner). */
    async setPassword(id: number, hash: string, now: Date): Promise<void> {
      await exec
        .updateTable('users')
        .set({ password: hash, failedLoginCount: 0, lockedUntil: null, updatedAt: now })
        .where('id', '=', id)
        .execute();
    },

    /** Replaces a hash of an older kind after a successful login; no updatedAt change (nothing the user did). */
    async upgradePasswordHash(id: number, oldHash: string, newHash: string): Promise<void> {
      await exec.updateTable('users').set({ password: newHash }).where('id', '=', id).where('password', '=', oldHash).execute();
    },

    /** Activation: the user proved the address and chose a password. */
    async activate(id: number, hash: string, now: Date): Promise<number> {
      const result = await exec
        .updateTable('users')
        .set({ password: hash, isActive: true, failedLoginCount: 0, lockedUntil: null, updatedAt: now })
        .where('id', '=', id)
        .where('isActive', '=', false)
        .executeTakeFirst();
      return affected(result);
    },
  };
}
