import { type Bus, createBus, defaultOpenChannel } from './bus.js';
import { broadcastLock, type CrossTabLock, webLock } from './lock.js';
import { isRefreshable, withBearer } from './requests.js';
import type {
  AccessGrant,
  LockManagerLike,
  OpenChannel,
  RefreshCall,
  RefreshOutcome,
  SessionListener,
  SessionState,
  SetTimer,
  SignedOutReason,
} from './types.js';

export interface SessionClientOptions {
  /** The refresh call: `hubRefresh()` for the hub's cookie, or a project front end's own backend session. */
  refresh: RefreshCall;
  /** Ends the session on the server (e.g. `hubLogout()`); without it, signing out is local and broadcast only. */
  logout?: (options: { allDevices?: boolean; accessToken: string | null }) => Promise<void>;
  fetch?: typeof globalThis.fetch;
  /** Tabs sharing this name share one session: the lock's and the channel's name. */
  channelName?: string;
  /** The Web Locks API; defaults to `navigator.locks`; `null` forces the BroadcastChannel lock. */
  locks?: LockManagerLike | null;
  /** Opens a BroadcastChannel; defaults to the global one; `null` keeps the client to this tab. */
  broadcast?: OpenChannel | null;
  now?: () => number;
  setTimer?: SetTimer;
  /** How long before expiry the timer refreshes (at most half the token's lifetime). */
  refreshLeewayMs?: number;
  /** After a transient refresh failure, when the timer tries again. */
  retryDelayMs?: number;
}

export interface SessionClient {
  getState(): SessionState;
  /** Calls `listener` on every change of state; returns the unsubscribe function. */
  onChange(listener: SessionListener): () => void;
  /** Restores the session from the refresh cookie (once per page load; later calls return the same promise). */
  start(): Promise<SessionState>;
  /** Takes the login payload of login, verify-registration-otp, activate-account or change-password; tells the other tabs. */
  signIn(grant: AccessGrant): void;
  /** Ends the session here and in every tab. */
  signOut(options?: { allDevices?: boolean }): Promise<void>;
  /** A usable access token (refreshed first when due), or null when signed out. */
  getAccessToken(): Promise<string | null>;
  /** `fetch` with the Bearer token; on a 401 `TOKEN_EXPIRED` or `TOKEN_INVALID`, one refresh and one retry. */
  authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  close(): void;
}

interface Token {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

const defaultSetTimer: SetTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

const defaultLocks = (): LockManagerLike | null => (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks ?? null;

/** A browser session: the access token in memory only, refreshed once across every tab of the origin. */
export function createSessionClient(options: SessionClientOptions): SessionClient {
  const name = options.channelName ?? 'xtown-session';
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? defaultSetTimer;
  const leeway = options.refreshLeewayMs ?? 60_000;
  const retryDelay = options.retryDelayMs ?? 15_000;
  const doFetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
  const open = options.broadcast === undefined ? defaultOpenChannel() : options.broadcast;
  const bus: Bus | null = open ? createBus(open, name) : null;
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const lock: CrossTabLock | null = locks
    ? webLock(locks, name)
    : open
      ? broadcastLock(open, name, { now, setTimer, staleMs: 30_000 })
      : null;

  let state: SessionState = { status: 'loading' };
  let token: Token | null = null;
  // Bumped on every change of session, ours or another tab's: a refresh that waited for the lock compares it
  // with the value it saw before waiting, so that it never rotates a refresh token another tab just rotated.
  let epoch = 0;
  let inflight: Promise<RefreshOutcome | null> | null = null;
  let started: Promise<SessionState> | null = null;
  let cancelTimer: (() => void) | null = null;
  const listeners = new Set<SessionListener>();

  const setState = (next: SessionState) => {
    state = next;
    for (const listener of [...listeners]) listener(state);
  };

  const schedule = (ms: number) => {
    cancelTimer?.();
    cancelTimer = setTimer(() => void refreshFrom(token?.value ?? null).catch(() => schedule(retryDelay)), ms);
  };

  function adopt(value: string, expiresAt: number) {
    const lifetime = Math.max(0, expiresAt - now());
    token = { value, expiresAt, refreshAt: expiresAt - Math.min(leeway, lifetime / 2) };
    epoch++;
    schedule(token.refreshAt - now());
    setState({ status: 'signedIn', expiresAt });
  }

  function end(reason: SignedOutReason, code?: string) {
    token = null;
    epoch++;
    cancelTimer?.();
    cancelTimer = null;
    setState(code === undefined ? { status: 'signedOut', reason } : { status: 'signedOut', reason, code });
  }

  bus?.subscribe((message) => {
    if (message.type === 'token' && typeof message.accessToken === 'string' && typeof message.expiresAt === 'number') {
      // Keep the newest token: a late message must not replace a fresher one.
      if (!token || message.expiresAt >= token.expiresAt) adopt(message.accessToken, message.expiresAt);
    } else if (message.type === 'signedOut' && state.status !== 'signedOut') {
      // The first reason stands: a tab that learns of the end later must not overwrite why it ended.
      end(message.reason as SignedOutReason, typeof message.code === 'string' ? message.code : undefined);
    }
  });

  const underLock = <T>(task: () => Promise<T>) => (lock ? lock.run(task) : task());

  /** Single flight: one refresh per tab at a time, and under the cross-tab lock one per origin. */
  function refreshFrom(stale: string | null): Promise<RefreshOutcome | null> {
    if (token && token.value !== stale && now() < token.refreshAt) return Promise.resolve(null);
    if (inflight) return inflight;
    const seen = epoch;
    inflight = underLock(async () => {
      // Let the token another tab shared before releasing the lock land, then check: did the session change?
      await bus?.flush();
      if (epoch !== seen) return null;
      const outcome = await options.refresh();
      if (outcome.ok) {
        adopt(outcome.accessToken, now() + outcome.expiresIn * 1000);
        bus?.post({ type: 'token', accessToken: outcome.accessToken, expiresAt: token?.expiresAt });
      } else {
        end(outcome.reason, outcome.code);
        bus?.post({ type: 'signedOut', reason: outcome.reason, code: outcome.code });
      }
      return outcome;
    }).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function getAccessToken(): Promise<string | null> {
    if (state.status === 'loading') await client.start();
    if (token && now() >= token.refreshAt) {
      const current = token;
      // A transient failure keeps a token that has not yet expired; the timer tries again.
      await refreshFrom(current.value).catch((error) => {
        if (now() >= current.expiresAt) throw error;
      });
    }
    return token?.value ?? null;
  }

  const client: SessionClient = {
    getState: () => state,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      started ??= refreshFrom(null)
        .catch(() => {
          if (state.status === 'loading') end('UNKNOWN');
        })
        .then(() => state);
      return started;
    },
    signIn(grant) {
      adopt(grant.accessToken, now() + grant.expiresIn * 1000);
      bus?.post({ type: 'token', accessToken: grant.accessToken, expiresAt: token?.expiresAt });
    },
    async signOut({ allDevices } = {}) {
      // Under the lock, so that no tab is half-way through a refresh that would sign this session back in.
      await underLock(async () => {
        const accessToken = token?.value ?? null;
        try {
          await options.logout?.({ allDevices, accessToken });
        } finally {
          end('SIGNED_OUT');
          bus?.post({ type: 'signedOut', reason: 'SIGNED_OUT' });
        }
      });
    },
    getAccessToken,
    async authorizedFetch(input, init) {
      const sent = await getAccessToken();
      const response = await doFetch(input, withBearer(init, sent));
      if (!sent || !(await isRefreshable(response))) return response;
      const outcome = await refreshFrom(sent);
      if (outcome && !outcome.ok) return response;
      return token ? doFetch(input, withBearer(init, token.value)) : response;
    },
    close() {
      cancelTimer?.();
      listeners.clear();
      bus?.close();
      lock?.close();
    },
  };
  return client;
}
