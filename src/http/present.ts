/**
 * Turns service values into JSON-ready ones: Dates become ISO strings, recursively. The response
 * schema then drops every field it does not declare, so nothing internal can leak.
 */
export function present<T>(value: T): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(present);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = present(inner);
    return out;
  }
  return value;
}
