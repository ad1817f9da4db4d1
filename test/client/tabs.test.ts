import { broadcastLock, createSessionClient, type LockManagerLike, refusalFrom, type SessionClient } from '@xtown/client';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeLocks, fakeRefresh, json, manualTime, recordingFetch, signedIn, stateWhere, uniqueChannel } from './fakes.js';

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
});

const open = (name: string) => new BroadcastChannel(name) as never;

/**
 * Two "tabs": two clients in one process on one channel name (Node's BroadcastChannel delivers between them),
 * one shared refresh (one cookie, one server), one shared lock manager, or none for the fallback lock.
 */
function twoTabs(locks: LockManagerLike | null) {
  const channelName = uniqueChannel();
  const time = manualTime();
  const refresh = fakeRefresh(600);
  const logouts: unknown[] = [];
  const tab = () => {
    const client = createSessionClient({
      refresh: () => refresh.refresh(),
      logout: async (options) => void logouts.push(options),
      channelName,
      locks,
      broadcast: open,
      now: time.now,
      setTimer: time.setTimer,
    });
    opened.push(client);
    return client;
  };
  /** Resolves when every lock request made before it has run: nothing is left in flight behind the lock. */
  const drained = () =>
    locks
      ? locks.request(channelName, async () => {})
      : (() => {
          const probe = broadcastLock(open, channelName, { now: time.now, setTimer: time.setTimer, staleMs: 30_000 });
          opened.push(probe);
          return probe.run(async () => {});
        })();
  return { a: tab(), b: tab(), time, refresh, logouts, drained };
}

const tokenOf = async (client: SessionClient) => client.getAccessToken();

describe.each([
  ['Web Locks', () => fakeLocks()],
  ['the BroadcastChannel fallback lock', () => null],
])('two tabs with %s', (_name, makeLocks) => {
  it('both waking at expiry cause exactly one refresh (one rotation), and both end with the same new token', async () => {
    const { a, b, time, refresh, drained } = twoTabs(makeLocks());
    a.signIn({ accessToken: 'from-login', expiresIn: 600 });
    await stateWhere(b, signedIn);
    expect(await tokenOf(b)).toBe('from-login');

    time.advance(600_000);
    expect(time.fired).toBe(2); // both tabs' timers woke
    await refresh.reached(1);
    await drained(); // whatever queued behind the first refresh has run
    expect(refresh.calls).toBe(1);
    expect(await tokenOf(a)).toBe('token-1');
    expect(await tokenOf(b)).toBe('token-1');
  });

  it('a start in a second tab, parallel requests in both at expiry: still one rotation per need', async () => {
    const { a, b, time, refresh, drained } = twoTabs(makeLocks());
    await a.start();
    await stateWhere(b, signedIn); // a's token reached b before b even started
    expect(await b.start()).toMatchObject({ status: 'signedIn' });
    expect(refresh.calls).toBe(1);

    time.jump(600_000); // both slept: no timers, the requests find the token due
    const { fetch, seen } = recordingFetch(() => json(200, {}));
    const requests = [a, b].flatMap((tab) =>
      Array.from({ length: 5 }, () => tab.getAccessToken().then((token) => fetch('/x', { headers: { authorization: `Bearer ${token}` } }))),
    );
    await Promise.all(requests);
    await drained();
    expect(refresh.calls).toBe(2);
    expect(new Set(seen)).toEqual(new Set(['Bearer token-2']));
  });

  it('signing out in one tab signs out the other at once, and calls logout once', async () => {
    const { a, b, logouts } = twoTabs(makeLocks());
    await a.start();
    await stateWhere(b, signedIn);
    await b.signOut();
    expect(await stateWhere(a, (state) => state.status === 'signedOut')).toEqual({ status: 'signedOut', reason: 'SIGNED_OUT' });
    expect(await tokenOf(a)).toBeNull();
    expect(logouts).toEqual([{ allDevices: undefined, accessToken: 'token-1' }]);
  });

  it('a refused refresh in one tab signs the other out with the same reason, and nobody refreshes again', async () => {
    const { a, b, time, refresh, drained } = twoTabs(makeLocks());
    await a.start();
    await stateWhere(b, signedIn);
    refresh.next = refusalFrom({
      success: false,
      message: 'x',
      error: { code: 'TOKEN_INVALID', details: { reason: 'PASSWORD_CHANGED' } },
    } as never);
    time.advance(600_000);
    const expected = { status: 'signedOut', reason: 'PASSWORD_CHANGED', code: 'TOKEN_INVALID' };
    expect(await stateWhere(b, (state) => state.status === 'signedOut')).toEqual(expected);
    await drained();
    expect(a.getState()).toEqual(expected);
    expect(refresh.calls).toBe(2);
  });
});

describe('the tests can fail', () => {
  it('a lock that excludes nobody lets both tabs rotate the same refresh token', async () => {
    const { a, b, time, refresh } = twoTabs({ request: (_name, callback) => callback() });
    a.signIn({ accessToken: 'from-login', expiresIn: 600 });
    await stateWhere(b, signedIn);
    time.advance(600_000);
    await refresh.reached(2);
    expect(refresh.calls).toBe(2);
  });
});

describe('the BroadcastChannel fallback lock', () => {
  it('never lets two holders overlap, across three instances and many callers', async () => {
    const name = uniqueChannel();
    const time = manualTime();
    const locks = [1, 2, 3].map(() => broadcastLock(open, name, { now: time.now, setTimer: time.setTimer, staleMs: 30_000 }));
    opened.push(...locks);
    let holders = 0;
    let most = 0;
    const order: number[] = [];
    const runs = Array.from({ length: 12 }, (_, i) =>
      locks[i % 3]!.run(async () => {
        holders++;
        most = Math.max(most, holders);
        // Hold the lock across a real round trip on a channel, so that overlapping holders would be caught.
        await new Promise<void>((resolve) => {
          const channel = new BroadcastChannel(`${name}:hold`);
          const peer = new BroadcastChannel(`${name}:hold`);
          peer.onmessage = () => {
            channel.close();
            peer.close();
            resolve();
          };
          channel.postMessage(i);
        });
        order.push(i);
        holders--;
      }),
    );
    await Promise.all(runs);
    expect(most).toBe(1);
    expect(order.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('takes over from a tab that died holding the lock once its claim is stale', async () => {
    const name = uniqueChannel();
    const time = manualTime();
    const options = { now: time.now, setTimer: time.setTimer, staleMs: 30_000 };
    const dead = broadcastLock(open, name, options);
    const alive = broadcastLock(open, name, options);
    opened.push(dead, alive);
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    void dead.run(() => {
      entered();
      return new Promise(() => {}); // never releases: a crashed tab
    });
    await holding;
    let ran = false;
    const waiting = alive.run(async () => {
      ran = true;
    });
    // The waiter arms its staleness timer once it has seen the holder's claim.
    await new Promise<void>((resolve) => {
      const check = () => (time.pending() > 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(ran).toBe(false);
    time.advance(30_000);
    await waiting;
    expect(ran).toBe(true);
  });
});
