import type { Role } from '../schema.js';
import { toBool, toDate } from '../values.js';
import type { RepoContext } from './executor.js';
import { scopeCondition, type UserScope } from './user-admin.js';

export interface UserCounts {
  total: number;
  admins: number;
  subUsers: number;
  verified: number;
}

export interface RecentUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  isActive: boolean;
  createdAt: Date;
}

/** Aggregates for the dashboard's charts: every figure is one SQL aggregate, never a scan in memory. */
export function userStatsRepository({ exec }: RepoContext) {
  // MySQL answers SUM() as a DECIMAL string, PostgreSQL as numeric; an empty set sums to null.
  const num = (value: unknown) => Number(value ?? 0);

  return {
    async counts(scope: UserScope): Promise<UserCounts> {
      const row = await exec
        .selectFrom('users')
        .select((eb) => [
          eb.fn.countAll().as('total'),
          eb.fn.sum(eb.case().when('role', '=', 'ADMIN').then(eb.lit(1)).else(eb.lit(0)).end()).as('admins'),
          eb.fn.sum(eb.case().when('role', '=', 'SUB_USER').then(eb.lit(1)).else(eb.lit(0)).end()).as('subUsers'),
          eb.fn.sum(eb.case().when('isActive', '=', true).then(eb.lit(1)).else(eb.lit(0)).end()).as('verified'),
        ])
        .where((eb) => eb.and(scopeCondition(eb, scope)))
        .executeTakeFirstOrThrow();
      return { total: num(row.total), admins: num(row.admins), subUsers: num(row.subUsers), verified: num(row.verified) };
    },

    /** The newest users of the scope (createdAt desc, then id desc). */
    async recent(scope: UserScope, limit: number): Promise<RecentUser[]> {
      const rows = await exec
        .selectFrom('users')
        .select(['id', 'name', 'email', 'role', 'isActive', 'createdAt'])
        .where((eb) => eb.and(scopeCondition(eb, scope)))
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, isActive: toBool(r.isActive), createdAt: toDate(r.createdAt) }));
    },

    async activeProjects(): Promise<number> {
      const row = await exec
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('isActive', '=', true)
        .executeTakeFirstOrThrow();
      return num(row.n);
    },

    /** Distinct company names of the Project Admins, ignoring case (MySQL's collation would anyway). */
    async companies(): Promise<number> {
      const row = await exec
        .selectFrom('users')
        .select((eb) =>
          eb.fn
            .count(eb.fn('lower', ['companyName']))
            .distinct()
            .as('n'),
        )
        .where('role', '=', 'ADMIN')
        .where('companyName', 'is not', null)
        .where('companyName', '<>', '')
        .executeTakeFirstOrThrow();
      return num(row.n);
    },

    /** A user's active assignments (the seed's "Assigned Projects"). */
    async assignedProjects(userId: number): Promise<number> {
      const row = await exec
        .selectFrom('user_projects')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('userId', '=', userId)
        .where('isActive', '=', true)
        .executeTakeFirstOrThrow();
      return num(row.n);
    },
  };
}
