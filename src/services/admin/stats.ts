import type { RecentUser } from '../../db/repositories/user-stats.js';
import type { AuthFlowDeps } from '../auth/deps.js';
import { loadActor, scopeOf, type Caller } from './users-scope.js';

export interface ChartDatum {
  name: string;
  value: number;
  color: string;
}

/** GET /api/users/stats: the seed's shape, plus the arrays the dashboard's bar and pie charts draw. */
export interface UserStats {
  totalUsers: number;
  projectAdmins: number;
  subUsers: number;
  verifiedUsers: number;
  unverifiedUsers: number;
  recentUsers: RecentUser[];
  systemOverview: ChartDatum[];
  verification: ChartDatum[];
}

export const RECENT_USERS = 5;

/** The seed's colours: blue, green, amber, red (its "Dashboard Analytics & Chart Data Support" section). */
export const CHART_COLORS = {
  users: '#3B82F6',
  projects: '#10B981',
  companies: '#F59E0B',
  subUsers: '#EF4444',
  verified: '#10B981',
  unverified: '#F59E0B',
} as const;

export function createUserStats(deps: Pick<AuthFlowDeps, 'store'>) {
  const { repos } = deps.store;

  return {
    /** The Super Admin sees every user but itself; an Admin only its own sub-users (and its own assignments). */
    async stats(caller: Caller): Promise<UserStats> {
      const actor = await loadActor(repos, caller);
      const scope = scopeOf(actor);
      const [counts, recentUsers] = await Promise.all([repos.userStats.counts(scope), repos.userStats.recent(scope, RECENT_USERS)]);
      let systemOverview: ChartDatum[];
      if (actor.role === 'SUPER_ADMIN') {
        const [projects, companies] = await Promise.all([repos.userStats.activeProjects(), repos.userStats.companies()]);
        systemOverview = [
          { name: 'Users', value: counts.total, color: CHART_COLORS.users },
          { name: 'Projects', value: projects, color: CHART_COLORS.projects },
          { name: 'Companies', value: companies, color: CHART_COLORS.companies },
        ];
      } else {
        systemOverview = [
          { name: 'Sub Users', value: counts.subUsers, color: CHART_COLORS.subUsers },
          { name: 'Assigned Projects', value: await repos.userStats.assignedProjects(actor.id), color: CHART_COLORS.projects },
        ];
      }
      const unverified = counts.total - counts.verified;
      return {
        totalUsers: counts.total,
        projectAdmins: counts.admins,
        subUsers: counts.subUsers,
        verifiedUsers: counts.verified,
        unverifiedUsers: unverified,
        recentUsers,
        systemOverview,
        verification: [
          { name: 'Verified', value: counts.verified, color: CHART_COLORS.verified },
          { name: 'Unverified', value: unverified, color: CHART_COLORS.unverified },
        ],
      };
    },
  };
}
