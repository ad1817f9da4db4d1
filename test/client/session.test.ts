import { createSessionClient, refusalFrom, type SessionClient } from '@xtown/client';
import { afterEach, describe, expect, it } from 'vitest';
import { expired, fakeRefresh, json, manualTime, recordingFetch, signedIn, stateWhere } from './fakes.js';

const MINUTE = 60_000;
const opened: SessionClient[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
});

/** One tab on its own: no channel, no lock (the cross-tab paths are tabs.test.ts's). */
function oneTab(overrides: Partial<Parameters<typeof createSessionClient>[0]> = {}) {
  const time = manualTime();
  const refresh = fakeRefresh(600);
  const client = createSessionClient({
    refresh: () => refresh.refresh(),
    broadcast: null,
    locks: null,
    now: time.now,
    setTimer: time.setTimer,
    refreshLeewayMs: MINUTE,
    ...overrides,
  });
  opened.push(client);
  return { client, time, refresh };
}

describe('the session client in one tab', () => {
  it('restores the session with one refresh on start, and reports its states in order', async () => {
    const { client, refresh, time } = oneTab();
    const states: string[] = [];
    client.onChange((state) => states.push(state.status));
    expect(client.getState()).toEqual({ status: 'loading' });
    await Promise.all([client.start(), client.start()]);
    expect(refresh.calls).toBe(1);
    expect(client.getState()).toEqual({ status: 'signedIn', expiresAt: time.now() + 600_000 });
    expect(await client.getAccessToken()).toBe('token-1');
    expect(states).toEqual(['signedIn']);
  });

  it('is signed out as UNAUTHENTICATED when there is no refresh cookie', async () => {
    const { client, refresh } = oneTab();
    refresh.next = refusalFrom({ success: false, message: 'x', error: { code: 'UNAUTHENTICATED' } });
    expect(await client.start()).toEqual({ status: 'signedOut', reason: 'UNAUTHENTICATED', code: 'UNAUTHENTICATED' });
    expect(await client.getAccessToken()).toBeNull();
  });

  it('refreshes one leeway before the access token expires, and not earlier', async () => {
    const { client, refresh, time } = oneTab();
    await client.start();
    time.advance(600_000 - MINUTE - 1);
    expect(time.fired).toBe(0);
    time.advance(1);
    expect(time.fired).toBe(1);
    await refresh.reached(2);
    await stateWhere(client, (state) => signedIn(state) && state.expiresAt === time.now() + 600_000);
    expect(await client.getAccessToken()).toBe('token-2');
    // And the next one is scheduled from the new token.
    time.advance(600_000 - MINUTE);
    await refresh.reached(3);
    expect(refresh.calls).toBe(3);
  });

  it('adds the Bearer token, and on a 401 TOKEN_EXPIRED refreshes once and retries once', async () => {
    const headers: Array<string | null> = [];
    const { fetch, seen } = recordingFetch((authorization, call) => (authorization === 'Bearer token-1' ? expired() : json(200, { call })));
    const tab = oneTab({
      fetch: (input, init) => {
        headers.push(new Headers(init?.headers).get('accept'));
        return fetch(input, init);
      },
    });
    await tab.client.start();
    const answer = await tab.client.authorizedFetch('/api/auth/me', { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ call: 2 });
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(headers).toEqual(['application/json', 'application/json']);
    expect(tab.refresh.calls).toBe(2);
  });

  it('retries at most once, and does not refresh on a 401 that a refresh cannot fix', async () => {
    const { fetch, seen } = recordingFetch(() => expired());
    const tab = oneTab({ fetch });
    await tab.client.start();
    expect((await tab.client.authorizedFetch('/x')).status).toBe(401);
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);

    const other = recordingFetch(() => json(401, { success: false, message: 'no', error: { code: 'INVALID_CREDENTIALS' } }));
    const second = oneTab({ fetch: other.fetch });
    await second.client.start();
    expect((await second.client.authorizedFetch('/x')).status).toBe(401);
    expect(other.seen).toEqual(['Bearer token-1']);
    expect(second.refresh.calls).toBe(1);
  });

  it('on a 401 TOKEN_INVALID (a revoked token) refreshes once, and a refused refresh signs out with its reason', async () => {
    const revoked = recordingFetch(() => json(401, { success: false, message: 'no', error: { code: 'TOKEN_INVALID' } }));
    const tab = oneTab({ fetch: revoked.fetch });
    await tab.client.start();
    tab.refresh.next = refusalFrom({ success: false, message: 'x', error: { code: 'ACCOUNT_SUSPENDED' } });
    expect((await tab.client.authorizedFetch('/x')).status).toBe(401);
    expect(revoked.seen).toEqual(['Bearer token-1']);
    expect(tab.refresh.calls).toBe(2);
    expect(tab.client.getState()).toEqual({ status: 'signedOut', reason: 'ACCOUNT_SUSPENDED', code: 'ACCOUNT_SUSPENDED' });
  });

  it('ten parallel requests at expiry cause exactly one refresh (the timer slept, as in a background tab)', async () => {
    const { fetch, seen } = recordingFetch(() => json(200, {}));
    const { client, refresh, time } = oneTab({ fetch });
    await client.start();
    time.jump(600_000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.authorizedFetch('/x')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(refresh.calls).toBe(2);
    expect(seen).toEqual(Array(10).fill('Bearer token-2'));
  });

  it('ten parallel requests that all get TOKEN_EXPIRED cause exactly one refresh and ten retries', async () => {
    const { fetch, seen } = recordingFetch((authorization) => (authorization === 'Bearer token-1' ? expired() : json(200, {})));
    const { client, refresh } = oneTab({ fetch });
    await client.start();
    refresh.calls = 1;
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.authorizedFetch('/x')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(refresh.calls).toBe(2);
    expect(seen.filter((value) => value === 'Bearer token-1')).toHaveLength(10);
    expect(seen.filter((value) => value === 'Bearer token-2')).toHaveLength(10);
  });

  it.each([
    [{ code: 'TOKEN_INVALID', details: { reason: 'REUSE_DETECTED' } }, 'REUSE_DETECTED'],
    [{ code: 'TOKEN_INVALID', details: [{ field: 'refreshToken', message: 'x', reason: 'PASSWORD_CHANGED' }] }, 'PASSWORD_CHANGED'],
    [{ code: 'TOKEN_INVALID', details: { reason: 'LOGGED_OUT' } }, 'LOGGED_OUT'],
    [{ code: 'TOKEN_INVALID', details: { reason: 'SOMETHING_NEW' } }, 'UNKNOWN'],
    [{ code: 'TOKEN_INVALID' }, 'UNKNOWN'],
    [{ code: 'ACCOUNT_SUSPENDED' }, 'ACCOUNT_SUSPENDED'],
  ])('a refused refresh (%j) ends in signedOut with the reason %s, and stops the timer', async (error, reason) => {
    const { client, refresh, time } = oneTab();
    await client.start();
    refresh.next = refusalFrom({ success: false, message: 'refused', error } as never);
    time.advance(600_000);
    await refresh.reached(2);
    const state = await stateWhere(client, (next) => next.status === 'signedOut');
    expect(state).toEqual({ status: 'signedOut', reason, code: error.code });
    expect(await client.getAccessToken()).toBeNull();
    expect(time.pending()).toBe(0);
    expect(refresh.calls).toBe(2);
  });

  it('keeps the session through a transient failure and tries again later', async () => {
    const { client, refresh, time } = oneTab({ retryDelayMs: 10_000 });
    await client.start();
    refresh.next = new Error('network down');
    time.advance(600_000 - MINUTE);
    await refresh.reached(2);
    await expect(client.getAccessToken()).resolves.toBe('token-1');
    refresh.next = undefined;
    // getAccessToken joined the failed refresh, whose retry timer was armed first.
    expect(time.pending()).toBe(1);
    expect(client.getState().status).toBe('signedIn');
    time.advance(10_000);
    await refresh.reached(3);
    expect(await client.getAccessToken()).toBe('token-3');
  });

  it('signIn takes a login payload, signOut calls logout with the token and ends the session', async () => {
    const calls: unknown[] = [];
    const { client, refresh } = oneTab({ logout: async (options) => void calls.push(options) });
    client.signIn({ accessToken: 'from-login', expiresIn: 600 });
    expect(client.getState().status).toBe('signedIn');
    expect(await client.getAccessToken()).toBe('from-login');
    await client.signOut({ allDevices: true });
    expect(calls).toEqual([{ allDevices: true, accessToken: 'from-login' }]);
    expect(client.getState()).toEqual({ status: 'signedOut', reason: 'SIGNED_OUT' });
    expect(refresh.calls).toBe(0);
  });
});
