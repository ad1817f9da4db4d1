import { randomBytes } from 'node:crypto';

/** What the app keeps per signed-in browser: the project token, never sent to the browser. */
export interface AppSession {
  projectToken: string;
  /** When the project token expires: the session ends with it (the user opens the project from the hub again). */
  expiresAt: number;
}

/**
 * The project's own sessions, in memory (a real project would use its session store: Redis, its database).
 * The browser holds only a random id in an httpOnly cookie.
 */
export function createSessionStore(now: () => number = Date.now) {
  const sessions = new Map<string, AppSession>();
  return {
    create(session: AppSession): string {
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, session);
      return id;
    },
    get(id: string | undefined): AppSession | undefined {
      const session = id ? sessions.get(id) : undefined;
      if (session && session.expiresAt <= now()) {
        sessions.delete(id!);
        return undefined;
      }
      return session;
    },
    delete(id: string | undefined) {
      if (id) sessions.delete(id);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** The value of one cookie from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
