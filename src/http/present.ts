/** A service value as JSON carries it: every Date an ISO string, at any depth. */
export type Presented<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? Presented<Item>[]
    : T extends object
      ? { [K in keyof T]: Presented<T[K]> }
      : T;

/**
 * Turns service values into JSON-ready ones: Dates become ISO strings, recursively. The result is typed,
 * so a value that does not fit its route's response schema fails to compile; at run time the schema then
 * drops every field it does not declare, so nothing internal can leak.
 */
export function present<T>(value: T): Presented<T> {
  return presentValue(value) as Presented<T>;
}

function presentValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(presentValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = presentValue(inner);
    return out;
  }
  return value;
}
