import type { PoolClient } from 'pg';

/** Distinct SQL texts named per connection; past this a new text runs unnamed (an IN list is a new text for each length). */
const MAX_PREPARED_PER_CONNECTION = 500;

/** PostgreSQL's answer when a table's columns changed under a prepared `select *` (another instance migrated). */
const isStalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * Kysely's driver sends every query unnamed, so PostgreSQL parses and plans it at each execution: for the
 * refresh rotation's statement that was about half of the database's CPU (pgbench on this schema: 1,130
 * rotations/s unnamed, 2,110 prepared). Named, a text is parsed once per connection and its plan can be
 * kept. Queries without parameters stay unnamed: they use the simple protocol, which also runs several
 * statements at once. Kysely calls `query(text, values)` only, so every other form passes through.
 */
export function prepareOncePerConnection(client: PoolClient) {
  // A text's statement name; null once its plan went stale (it runs unnamed from then on).
  const names = new Map<string, string | null>();
  const query = client.query.bind(client) as Query;
  // Kysely opens and ends its transactions through this same method, with these texts.
  let inTransaction = false;
  client.query = (async (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (typeof text !== 'string' || !Array.isArray(values) || rest.length > 0) return query(text, values, ...rest);
    if (values.length === 0) {
      if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true;
      else if (/^\s*(commit|rollback)\s*$/i.test(text)) inTransaction = false;
      return query(text, values);
    }
    let name = names.get(text);
    // Past the cap a new text is not remembered at all, so the map stays as small as the cap.
    if (name === undefined && names.size < MAX_PREPARED_PER_CONNECTION) names.set(text, (name = `xtown_${names.size}`));
    if (!name) return query(text, values);
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // That name now stands for a plan that can never run again; the text goes unnamed from here on.
      // Outside a transaction nothing was done, so it runs again at once; inside, the transaction is lost.
      names.set(text, null);
      if (inTransaction) throw error;
      return query(text, values);
    }
  }) as typeof client.query;
}
