import type { AuthStateCache, InvalidationEvent } from '../auth-state.js';

/** What travels between instances: a cache invalidation, or "drop everything" after signals may have been lost. */
export type RevocationSignal = InvalidationEvent | { kind: 'all' };

/**
 * Applies signals from other instances to this instance's cache. The cache tells its listeners about
 * every invalidation, these included; `applying()` lets the transports ignore those, so a received
 * signal is never sent on again.
 */
export function createSignalApplier(cache: AuthStateCache) {
  let applying = false;
  return {
    applying: () => applying,
    apply(signal: RevocationSignal) {
      applying = true;
      try {
        if (signal.kind === 'user') cache.invalidateUser(signal.id);
        else if (signal.kind === 'session') cache.invalidateSessions(signal.ids);
        else if (signal.kind === 'project') cache.invalidateProject(signal.id);
        else cache.clear();
      } finally {
        applying = false;
      }
    },
  };
}

/** A signal read from the wire, or undefined when it is not one (another version, garbage). */
export function parseSignal(value: unknown): RevocationSignal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const signal = value as { kind?: unknown; id?: unknown; ids?: unknown };
  if (signal.kind === 'all') return { kind: 'all' };
  if ((signal.kind === 'user' || signal.kind === 'project') && Number.isSafeInteger(signal.id))
    return { kind: signal.kind, id: signal.id as number };
  if (signal.kind === 'session' && Array.isArray(signal.ids) && signal.ids.every((id) => typeof id === 'string'))
    return { kind: 'session', ids: signal.ids as string[] };
  return undefined;
}
