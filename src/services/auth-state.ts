import type { DataStore } from '../db/repositories/index.js';
import type { Clock } from '../domain/clock.js';
import type { Role } from '../domain/models.js';

/** What the authentication step needs to know about a user, beyond what the token says. */
export interface UserAuthState {
  exists: boolean;
  role: Role;
  isActive: boolean;
  isSuspended: boolean;
  projectIds: ReadonlySet<number>;
  /** By project: the user's project tokens with a lower pgen were issued before an unassignment. */
  accessCutoffs: ReadonlyMap<number, number>;
}

export interface SessionAuthState {
  exists: boolean;
  userId: number;
  revoked: boolean;
}

export interface ProjectAuthState {
  exists: boolean;
  id: number;
  customProjectId: string;
  name: string;
  projectUrl: string;
  isActive: boolean;
  /** Project tokens with a lower pgen were issued before the last deactivation. */
  revokedGen: number;
}

export interface AuthStateCache {
  user(id: number): Promise<UserAuthState>;
  session(id: string): Promise<SessionAuthState>;
  project(id: number): Promise<ProjectAuthState>;
  invalidateUser(id: number): void;
  invalidateSessions(ids: readonly string[]): void;
  invalidateProject(id: number): void;
  /** Called with every invalidation, so another transport (pub/sub) can carry it to other instances. */
  onInvalidate(listener: (event: InvalidationEvent) => void): void;
  clear(): void;
  /** Entries held now (metrics, tests): the working set of the last two TTLs, bounded by maxEntries. */
  size(): { users: number; sessions: number; projects: number };
}

export type InvalidationEvent =
  | { kind: 'user'; id: number }
  | { kind: 'session'; ids: readonly string[] }
  | { kind: 'project'; id: number };

interface Entry<T> {
  value: T;
  loadedAt: number;
  /** This entry's TTL: the configured one less up to a fifth, so that entries loaded together do not expire together. */
  freshFor: number;
}

/**
 * Revocation state held in memory: the authentication step reads it on every request without a
 * database round trip in steady state. Every change that revokes (suspension, deletion, logout,
 * password reset or change, project changes) invalidates the entry; a TTL bounds staleness should
 * an invalidation ever be missed, and in-flight loads are shared so a burst makes one query.
 */
export function createAuthStateCache(deps: { store: DataStore; clock: Clock; ttlMs?: number; maxEntries?: number }): AuthStateCache {
  const ttlMs = deps.ttlMs ?? 30_000;
  /**
   * Past its TTL an entry still answers while it reloads in the background; past twice the TTL a request waits
   * for the load. Entries loaded together (the sign-ins after a deploy) expired together, and every request of
   * those users then waited for the database at once, every TTL: under load that was a stall of up to a second.
   * An invalidation still drops the entry at once: only the safety net's bound moves, by one load.
   */
  const graceMs = 2 * ttlMs;
  const maxEntries = deps.maxEntries ?? 200_000;
  const listeners: Array<(event: InvalidationEvent) => void> = [];
  const { repos } = deps.store;

  function table<K, T>(load: (key: K) => Promise<T>) {
    // Insertion order is load order (an entry is re-inserted when reloaded), so expired entries are at the head.
    const entries = new Map<K, Entry<T>>();
    // A load that started before an invalidation is marked stale, so it cannot write its result back.
    const inflight = new Map<K, { promise: Promise<T>; stale: boolean }>();
    /** Drops the entries past their grace at the head: memory follows the working set, not every key ever seen. */
    const evict = (now: number) => {
      for (const [key, entry] of entries) {
        if (now - entry.loadedAt < graceMs && entries.size < maxEntries) break;
        entries.delete(key);
      }
    };
    /** The key's load, shared by everyone who asks while it runs. */
    const reload = (key: K, now: number): Promise<T> => {
      const pending = inflight.get(key);
      if (pending) return pending.promise;
      const record = { stale: false } as { promise: Promise<T>; stale: boolean };
      record.promise = load(key)
        .then((value) => {
          if (!record.stale) {
            entries.delete(key);
            evict(now);
            entries.set(key, { value, loadedAt: now, freshFor: ttlMs - Math.floor(Math.random() * (ttlMs / 5)) });
          }
          return value;
        })
        .finally(() => {
          if (inflight.get(key) === record) inflight.delete(key);
        });
      inflight.set(key, record);
      return record.promise;
    };
    return {
      async get(key: K): Promise<T> {
        const now = deps.clock.now().getTime();
        const hit = entries.get(key);
        const age = hit ? now - hit.loadedAt : Number.POSITIVE_INFINITY;
        if (hit && age < hit.freshFor) return hit.value;
        if (hit && age < graceMs) {
          // A failed reload leaves the entry as it is; the next request tries again.
          reload(key, now).catch(() => {});
          return hit.value;
        }
        return reload(key, now);
      },
      drop(key: K) {
        entries.delete(key);
        const pending = inflight.get(key);
        if (pending) {
          pending.stale = true;
          inflight.delete(key);
        }
      },
      clear() {
        entries.clear();
        for (const pending of inflight.values()) pending.stale = true;
        inflight.clear();
      },
      size: () => entries.size,
    };
  }

  const users = table<number, UserAuthState>(async (id) => {
    const user = await repos.users.authState(id);
    if (!user)
      return { exists: false, role: 'SUB_USER', isActive: false, isSuspended: true, projectIds: new Set(), accessCutoffs: new Map() };
    return { ...user, exists: true, projectIds: new Set(user.projectIds) };
  });
  const sessions = table<string, SessionAuthState>(async (id) => {
    const session = await repos.sessions.find(id);
    return session
      ? { exists: true, userId: session.userId, revoked: session.revokedAt !== null }
      : { exists: false, userId: 0, revoked: true };
  });
  const projects = table<number, ProjectAuthState>(async (id) => {
    const project = await repos.projects.findByRef(id);
    return project
      ? {
          exists: true,
          id,
          customProjectId: project.customProjectId,
          name: project.name,
          projectUrl: project.projectUrl,
          isActive: project.isActive,
          revokedGen: project.revokedGen,
        }
      : { exists: false, id, customProjectId: '', name: '', projectUrl: '', isActive: false, revokedGen: 0 };
  });

  const emit = (event: InvalidationEvent) => listeners.forEach((listener) => listener(event));

  return {
    user: (id) => users.get(id),
    session: (id) => sessions.get(id),
    project: (id) => projects.get(id),
    invalidateUser(id) {
      users.drop(id);
      emit({ kind: 'user', id });
    },
    invalidateSessions(ids) {
      if (ids.length === 0) return;
      ids.forEach((id) => sessions.drop(id));
      emit({ kind: 'session', ids });
    },
    invalidateProject(id) {
      projects.drop(id);
      emit({ kind: 'project', id });
    },
    onInvalidate(listener) {
      listeners.push(listener);
    },
    clear() {
      users.clear();
      sessions.clear();
      projects.clear();
    },
    size: () => ({ users: users.size(), sessions: sessions.size(), projects: projects.size() }),
  };
}
