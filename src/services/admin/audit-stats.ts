import type { ActivityCount } from '../../db/repositories/audit-stats.js';
import { AppError } from '../../errors/index.js';
import type { Principal } from '../authenticator.js';
import type { AuthFlowDeps } from '../auth/deps.js';

/** The audit actions the chart counts, as the sign-in, refresh and lockout flows write them. */
export const SIGN_IN_ACTIONS = {
  signIn: 'LOGIN',
  failedSignIn: 'LOGIN_FAILED',
  lockout: 'ACCOUNT_LOCKOUT',
  refresh: 'TOKEN_REFRESH',
} as const;

export interface SignInDay {
  /** YYYY-MM-DD in the asked time zone. */
  date: string;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
  activeUsers: number;
}

const DAY_MS = 86_400_000;
/** The furthest any zone is ahead of UTC (Pacific/Kiritimati, +14:00): no local midnight is earlier than this before UTC's. */
const MAX_AHEAD_MS = 14 * 3_600_000;

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayFormatter(timeZone: string): (instant: Date) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
}

/** The `count` calendar days that end with `today`, oldest first (pure calendar arithmetic: no zone, no DST). */
function daysEndingWith(today: string, count: number): string[] {
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  const todayUtc = Date.UTC(year, month - 1, day);
  return Array.from({ length: count }, (_, i) => new Date(todayUtc - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** Adds one bucket's counts to its day. */
function tally(day: SignInDay & { users: Set<number> }, row: ActivityCount): void {
  const { action, success, userId, count } = row;
  if (action === SIGN_IN_ACTIONS.signIn && success) day.signIns += count;
  else if (action === SIGN_IN_ACTIONS.failedSignIn) day.failedSignIns += count;
  else if (action === SIGN_IN_ACTIONS.lockout) day.lockouts += count;
  const active = success && (action === SIGN_IN_ACTIONS.signIn || action === SIGN_IN_ACTIONS.refresh);
  if (active && userId !== null) day.users.add(userId);
}

/** GET /api/audit-logs/stats: daily sign-in activity for the dashboard, in the reader's time zone. */
export function createAuditStats(deps: Pick<AuthFlowDeps, 'store' | 'clock'>) {
  return {
    /**
     * One row per day of the last `dayCount` days in `timeZone`, today included, oldest first, empty days
     * as zeros. Same scope as the log, widened to the target: the Super Admin counts every row, an Admin
     * the rows whose actor or target is itself or one of its sub-users.
     */
    async signInActivity(principal: Pick<Principal, 'userId' | 'role'>, dayCount: number, timeZone: string): Promise<SignInDay[]> {
      if (principal.role === 'SUB_USER') throw new AppError('FORBIDDEN');
      const now = deps.clock.now();
      const dayOf = dayFormatter(timeZone);
      const dates = daysEndingWith(dayOf(now), dayCount);
      // The first local midnight is at most 14 h before the UTC one: reading from there (and dropping what
      // falls before the first day) spares computing the zone's offset on that day.
      const from = new Date(Date.parse(`${dates[0]}T00:00:00.000Z`) - MAX_AHEAD_MS);
      const rows = await deps.store.repos.auditStats.activity({
        actions: Object.values(SIGN_IN_ACTIONS),
        from,
        to: now,
        teamOf: principal.role === 'ADMIN' ? principal.userId : undefined,
      });

      const days = new Map(
        dates.map((date) => [date, { date, signIns: 0, failedSignIns: 0, lockouts: 0, activeUsers: 0, users: new Set<number>() }]),
      );
      // A bucket never straddles a local midnight (ACTIVITY_BUCKET_MS), so its start names its day.
      const dayOfBucket = new Map<number, string>();
      for (const row of rows) {
        const start = row.bucketStart.getTime();
        let date = dayOfBucket.get(start);
        if (date === undefined) dayOfBucket.set(start, (date = dayOf(row.bucketStart)));
        const day = days.get(date);
        if (day) tally(day, row);
      }
      return [...days.values()].map(({ users, ...day }) => ({ ...day, activeUsers: users.size }));
    },
  };
}
