/** Normalizers for what the three drivers return, and dialect-specific error checks. */
export const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
export const toDateOrNull = (value: Date | string | null): Date | null => (value === null ? null : toDate(value));
export const toBool = (value: boolean | number): boolean => Boolean(value);

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | null;
  if (!e) return false;
  return (
    e.code === '23505' ||
    e.errno === 1062 ||
    e.code === 'ER_DUP_ENTRY' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True when the error means the database cannot be reached (rather than a bad query). */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'PROTOCOL_CONNECTION_LOST',
    // mysql2 past a query's timeout (client.ts QUERY_TIMEOUT_MS)
    'PROTOCOL_SEQUENCE_TIMEOUT',
    '57P01',
    '57P03',
    '08006',
    '08001',
    '08003',
  ];
  if (e.code && codes.includes(e.code)) return true;
  // pg: a client whose connection died mid-transaction refuses its next query (ROLLBACK included) with "not queryable".
  return /timeout exceeded when trying to connect|Query read timeout|Connection terminated|connect ETIMEDOUT|Can't add new command when connection is in closed state|is not queryable/i.test(
    e.message ?? '',
  );
}

/** A deadlock or serialization failure: the transaction did nothing and may simply run again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | null;
  if (!e) return false;
  return e.code === '40001' || e.code === '40P01' || e.errno === 1213 || e.code === 'ER_LOCK_DEADLOCK' || e.code === 'SQLITE_BUSY';
}
