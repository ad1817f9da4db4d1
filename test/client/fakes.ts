import type { LockManagerLike, RefreshOutcome, SessionClient, SessionState } from '@xtown/client';

/** A manual clock and timer: time moves only when a test says so, and due timers fire in order. */
export function manualTime(start = 1_700_000_000_000) {
  let time = start;
  const timers = new Set<{ at: number; callback: () => void }>();
  const clock = {
    /** How many timers have fired so far. */
    fired: 0,
    now: () => time,
    setTimer(callback: () => void, ms: number) {
      const timer = { at: time + Math.max(0, ms), callback };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    /** Moves the clock to `time + ms`, firing each timer that falls due on the way. */
    advance(ms: number) {
      const target = time + ms;
      for (;;) {
        const due = [...timers].filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due);
        time = due.at;
        clock.fired++;
        due.callback();
      }
      time = target;
    },
    /** Moves the clock without firing timers: a tab that slept (browsers throttle background timers). */
    jump(ms: number) {
      time += ms;
    },
    pending: () => timers.size,
  };
  return clock;
}

/** A Web Locks stand-in shared by the "tabs" of a test: one holder per name, FIFO, like the real one. */
export function fakeLocks(): LockManagerLike & { requests: number } {
  const tails = new Map<string, Promise<unknown>>();
  const manager = {
    requests: 0,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      manager.requests++;
      const run = (tails.get(name) ?? Promise.resolve()).then(() => callback());
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
  return manager;
}

/** An injectable refresh that counts its calls and hands out numbered tokens, or answers `next` when set. */
export function fakeRefresh(expiresIn = 600) {
  const fake = {
    calls: 0,
    next: undefined as RefreshOutcome | Error | undefined,
    /** While set, each call waits for this promise: lets a test hold a refresh open. */
    gate: undefined as Promise<void> | undefined,
    waiters: [] as Array<{ count: number; resolve: () => void }>,
    /** Resolves once the refresh has been called `count` times in all. */
    reached(count: number): Promise<void> {
      if (fake.calls >= count) return Promise.resolve();
      return new Promise((resolve) => fake.waiters.push({ count, resolve }));
    },
    async refresh(): Promise<RefreshOutcome> {
      const call = ++fake.calls;
      for (const waiter of fake.waiters.filter((w) => w.count <= call)) waiter.resolve();
      if (fake.gate) await fake.gate;
      const next = fake.next;
      if (next instanceof Error) throw next;
      return next ?? { ok: true, accessToken: `token-${call}`, expiresIn };
    },
  };
  return fake;
}

/** Resolves with the first state (the current one included) that `accept` takes: an event, not a sleep. */
export function stateWhere(client: SessionClient, accept: (state: SessionState) => boolean): Promise<SessionState> {
  return new Promise((resolve) => {
    if (accept(client.getState())) return resolve(client.getState());
    const stop = client.onChange((state) => {
      if (!accept(state)) return;
      stop();
      resolve(state);
    });
  });
}

export const signedIn = (state: SessionState) => state.status === 'signedIn';

/** A fetch that records the Authorization of each call and answers from `answer`. */
export function recordingFetch(answer: (authorization: string | null, call: number) => Response) {
  const seen: Array<string | null> = [];
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    const authorization = new Headers(init?.headers).get('authorization');
    seen.push(authorization);
    return answer(authorization, seen.length);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const expired = () => json(401, { success: false, message: 'The token has expired', error: { code: 'TOKEN_EXPIRED' } });

let names = 0;
/** A channel name no other test in this process uses. */
export const uniqueChannel = () => `xtown-test-${process.pid}-${++names}`;
