import type { RevocationEventsTable } from '../schema.js';
import { affected, type RepoContext } from './executor.js';

export type RevocationKind = RevocationEventsTable['kind'];

export interface RevocationEventRow {
  id: number;
  kind: RevocationKind;
  targetId: string;
}

/** revocation_events: an append-only signal log that every instance reads forward by id. */
export function revocationEventsRepository({ exec }: RepoContext) {
  return {
    async append(events: ReadonlyArray<{ kind: RevocationKind; targetId: string }>, createdAt: Date): Promise<void> {
      if (events.length === 0) return;
      await exec
        .insertInto('revocation_events')
        .values(events.map((event) => ({ kind: event.kind, targetId: event.targetId, createdAt })))
        .execute();
    },

    /** The newest id, 0 when empty: an instance starts reading after it (its cache is empty anyway). */
    async latestId(): Promise<number> {
      const row = await exec
        .selectFrom('revocation_events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      return Number(row?.id ?? 0);
    },

    /**
     * Rows after `afterId`, and the rows among `gapIds` that have appeared since: ids are handed out
     * at insert but become visible at commit, so a smaller id can show up after a larger one.
     */
    async after(afterId: number, gapIds: readonly number[], limit: number): Promise<RevocationEventRow[]> {
      const rows = await exec
        .selectFrom('revocation_events')
        .select(['id', 'kind', 'targetId'])
        .where((eb) => (gapIds.length > 0 ? eb.or([eb('id', '>', afterId), eb('id', 'in', [...gapIds])]) : eb('id', '>', afterId)))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ id: Number(row.id), kind: row.kind, targetId: row.targetId }));
    },

    /** Deletes up to `limit` rows created before `before`, oldest first; answers how many went. */
    async deleteOlderThan(before: Date, limit: number): Promise<number> {
      const ids = await exec
        .selectFrom('revocation_events')
        .select('id')
        .where('createdAt', '<', before)
        .orderBy('id')
        .limit(limit)
        .execute();
      if (ids.length === 0) return 0;
      const result = await exec
        .deleteFrom('revocation_events')
        .where(
          'id',
          'in',
          ids.map((row) => row.id),
        )
        .executeTakeFirst();
      return affected(result);
    },
  };
}
