import { toDate } from '../values.js';
import { affected, type RepoContext } from './executor.js';

export interface JobLease {
  name: string;
  holder: string;
  leasedUntil: Date;
}

/**
 * job_leases: which instance runs a scheduled job. Taking a lease is one guarded UPDATE (the row
 * exists and has run out) or one INSERT that ignores a conflict (it did not exist yet); of several
 * instances racing, the database lets exactly one of them change or create the row.
 */
export function jobLeasesRepository({ exec, dialect }: RepoContext) {
  return {
    /** True when this call now holds `name` until `until`; false while someone else's lease runs. */
    async tryAcquire(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
      const updated = await exec
        .updateTable('job_leases')
        .set({ holder, leasedUntil: until })
        .where('name', '=', name)
        .where('leasedUntil', '<=', now)
        .executeTakeFirst();
      if (affected(updated) === 1) return true;
      const insert = exec.insertInto('job_leases').values({ name, holder, leasedUntil: until });
      const query = dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('name').doNothing());
      const result = await query.executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /** Ends this holder's lease early (another instance may take it at once); a lease someone else took since is left alone. */
    async release(name: string, holder: string, now: Date): Promise<void> {
      await exec.updateTable('job_leases').set({ leasedUntil: now }).where('name', '=', name).where('holder', '=', holder).execute();
    },

    /**
     * Holds the row `name` locked until the transaction ends, so that transactions serializing on one name
     * run one after the other (creating the row the first time; it holds no lease). Call inside a
     * transaction. SQLite needs nothing: its transactions already run one at a time.
     */
    async serialize(name: string): Promise<void> {
      if (dialect === 'sqlite') return;
      const insert = exec.insertInto('job_leases').values({ name, holder: 'lock', leasedUntil: new Date(0) });
      await (dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('name').doNothing())).execute();
      await exec.selectFrom('job_leases').select('name').where('name', '=', name).forUpdate().execute();
    },

    async find(name: string): Promise<JobLease | undefined> {
      const row = await exec.selectFrom('job_leases').select(['name', 'holder', 'leasedUntil']).where('name', '=', name).executeTakeFirst();
      return row && { name: row.name, holder: row.holder, leasedUntil: toDate(row.leasedUntil) };
    },
  };
}

export type JobLeasesRepository = ReturnType<typeof jobLeasesRepository>;
