import { expressionBuilder, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from '../client.js';
import type { DB } from '../schema.js';
import { toBool } from '../values.js';
import type { RepoContext } from './executor.js';

/**
 * The width of the time buckets the activity is counted in. Every time zone in use today is offset from
 * UTC by a multiple of 15 minutes and changes its offset on such a boundary, so no local midnight falls
 * inside a bucket: the service can put each bucket in one local day, whatever the zone and its DST.
 */
export const ACTIVITY_BUCKET_MS = 15 * 60_000;
const BUCKET_SECONDS = ACTIVITY_BUCKET_MS / 1000;

export interface ActivityFilter {
  actions: readonly string[];
  /** Inclusive bounds. */
  from: Date;
  to: Date;
  /** Only rows whose actor or target is this Admin or one of its own sub-users. */
  teamOf?: number;
}

/** The rows of one bucket that share an action, an outcome and a user. */
export interface ActivityCount {
  bucketStart: Date;
  action: string;
  success: boolean;
  /** The actor, or else the target: the user the row is about (null for an unknown email). */
  userId: number | null;
  count: number;
}

/** Seconds since the epoch, divided into buckets: a literal expression, so that GROUP BY repeats the SELECT's text. */
function bucketOf(dialect: DialectName): RawBuilder<number> {
  const at = sql.ref('audit_logs.createdAt');
  const width = sql.lit(BUCKET_SECONDS);
  switch (dialect) {
    case 'postgres':
      return sql<number>`cast(floor(extract(epoch from ${at}) / ${width}) as bigint)`;
    // datetime(3) holds UTC wall time; timestampdiff ignores the session's time zone, unix_timestamp() would not.
    case 'mysql':
      return sql<number>`timestampdiff(second, '1970-01-01 00:00:00', ${at}) div ${width}`;
    // ISO-8601 text ending in Z, which strftime reads as UTC.
    case 'sqlite':
      return sql<number>`cast(strftime('%s', ${at}) as integer) / ${width}`;
  }
}

const eb = expressionBuilder<DB, 'audit_logs'>();

/** The same scope as the log's, widened to the target: an Admin sees the failed sign-ins against its sub-users. */
function teamCondition(adminId: number): Expression<SqlBool> {
  const subUsers = () =>
    eb.selectFrom('users').select('users.id').where('users.createdById', '=', adminId).where('users.role', '=', 'SUB_USER');
  return eb.or([
    eb('audit_logs.userId', '=', adminId),
    eb('audit_logs.targetUserId', '=', adminId),
    eb('audit_logs.userId', 'in', subUsers()),
    eb('audit_logs.targetUserId', 'in', subUsers()),
  ]);
}

/** Counting audit rows over time for the dashboard's activity chart: aggregated in SQL, never a scan in memory. */
export function auditStatsRepository({ exec, dialect }: RepoContext) {
  return {
    async activity(filter: ActivityFilter): Promise<ActivityCount[]> {
      if (filter.actions.length === 0) return [];
      const bucket = bucketOf(dialect);
      const who = eb.fn.coalesce('audit_logs.userId', 'audit_logs.targetUserId');
      const where: Expression<SqlBool>[] = [
        eb('audit_logs.action', 'in', [...filter.actions]),
        eb('audit_logs.createdAt', '>=', filter.from),
        eb('audit_logs.createdAt', '<=', filter.to),
      ];
      if (filter.teamOf !== undefined) where.push(teamCondition(filter.teamOf));
      const rows = await exec
        .selectFrom('audit_logs')
        .select((s) => [bucket.as('bucket'), 'audit_logs.action', 'audit_logs.success', who.as('who'), s.fn.countAll<number>().as('count')])
        .where(eb.and(where))
        .groupBy([bucket, 'audit_logs.action', 'audit_logs.success', who])
        .execute();
      return rows.map((row) => ({
        bucketStart: new Date(Number(row.bucket) * ACTIVITY_BUCKET_MS),
        action: row.action,
        success: toBool(row.success),
        userId: row.who === null ? null : Number(row.who),
        count: Number(row.count),
      }));
    },
  };
}
