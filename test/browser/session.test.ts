import './timeouts.js';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { api, type Stack, startStack } from './stack.js';
import { type Person, seedSuperAdmin, signIn } from './world.js';

// Access tokens live 30 s: the client refreshes 15 s before expiry (half the lifetime, under its one-minute leeway).
const LIFETIME_MS = 30_000;

const isRefresh = (request: Request) => request.url().endsWith('/api/auth/refresh-token');
const isApiCall = (request: Request) => new URL(request.url()).pathname.startsWith('/api/') && !isRefresh(request);

/** Every request the page sends from now on, with the status of its answer once there is one. */
function record(page: Page) {
  const seen: Array<{ request: Request; status?: number }> = [];
  page.on('request', (request) => seen.push({ request }));
  page.on('response', (response) => {
    const entry = seen.find((item) => item.request === response.request());
    if (entry) entry.status = response.status();
  });
  return seen;
}

/** TanStack Query refetches every stale query when the page becomes visible again (a laptop waking up). */
const wakeUp = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));

describe('the browser session', () => {
  let stack: Stack;
  let root: Person;
  beforeAll(async () => {
    stack = await startStack({ JWT_EXPIRES_IN: '30s' });
    root = await seedSuperAdmin(stack);
  });
  afterAll(async () => stack?.close());

  async function signedInTab(context: BrowserContext) {
    const page = await context.newPage();
    await page.clock.install();
    await signIn(page, root);
    return page;
  }

  it('refreshes once for all the requests that find the token expired together, and every request succeeds', async () => {
    const context = await stack.newContext();
    const page = await signedInTab(context);
    await page.getByTestId('launcher').or(page.getByText('No project is assigned')).first().waitFor();
    const seen = record(page);
    // The tab slept through the refresh timer: the clock jumps past expiry without firing it.
    await page.clock.setSystemTime(Date.now() + LIFETIME_MS + 5_000);
    await wakeUp(page);
    await until(
      'the refetches to be answered',
      () => seen.filter((item) => isApiCall(item.request)).length >= 2 && seen.every((item) => item.status),
    );
    const calls = seen.filter((item) => isApiCall(item.request));
    expect(calls.every((item) => item.status === 200)).toBe(true);
    expect(seen.filter((item) => isRefresh(item.request)).map((item) => item.status)).toEqual([200]);
    await context.close();
  });

  it('two tabs waking at expiry rotate the refresh token once, and neither trips reuse detection', async () => {
    const context = await stack.newContext();
    const first = await signedInTab(context);
    const second = await context.newPage();
    await second.clock.install();
    await second.goto('/profile');
    await second.getByTestId('user-menu').waitFor();
    const seen = [...[first, second].map(record)];
    const jumpTo = Date.now() + LIFETIME_MS + 5_000;
    await Promise.all([first.clock.setSystemTime(jumpTo), second.clock.setSystemTime(jumpTo)]);
    await Promise.all([wakeUp(first), wakeUp(second)]);
    const refreshes = () => seen.flat().filter((item) => isRefresh(item.request));
    await until('a refresh to be answered', () => refreshes().some((item) => item.status));
    await until('both tabs to be answered', () =>
      seen.every((tab) => tab.filter((item) => isApiCall(item.request)).every((item) => item.status)),
    );
    expect(refreshes().map((item) => item.status)).toEqual([200]);

    // Both tabs go on with the one new token; the server saw no reuse.
    for (const tab of [first, second]) {
      await tab.getByRole('link', { name: 'Profile' }).first().click();
      await tab.getByTestId('user-menu').waitFor();
    }
    const log = await api<Array<{ action: string }>>(stack.base, 'GET', '/api/audit-logs?action=REFRESH_TOKEN_REUSE', {
      token: root.token,
    });
    expect(log.body.data).toEqual([]);
    await context.close();
  });

  it('signing out in one tab signs out the other within a second', async () => {
    const context = await stack.newContext();
    const first = await context.newPage();
    await signIn(first, root);
    const second = await context.newPage();
    await second.goto('/');
    await second.getByTestId('user-menu').waitFor();

    await first.getByTestId('user-menu').click();
    await first.getByRole('menuitem', { name: 'Sign out' }).click();
    const signedOutAt = Date.now();
    await second.waitForURL('**/login', { timeout: 5_000 });
    expect(Date.now() - signedOutAt).toBeLessThan(1_000);
    // Signing in again reaches the other tab too.
    await signIn(first, root);
    await second.getByTestId('user-menu').waitFor({ timeout: 5_000 });
    await context.close();
  });
});
