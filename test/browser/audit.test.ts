import './timeouts.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Stack, startStack } from './stack.js';
import { type StatsWorld, seedStatsWorld } from './stats-world.js';
import { type Person, signIn } from './world.js';

interface Entry {
  id: number;
  userId: number | null;
  actorEmail: string | null;
  targetUserId: number | null;
  action: string;
  details: Record<string, unknown> | null;
  userAgent: string | null;
  success: boolean;
}

async function entries(stack: Stack, as: Person, query: Record<string, string | number> = {}) {
  const search = new URLSearchParams(Object.entries({ limit: 100, ...query }).map(([key, value]) => [key, String(value)]));
  const answer = await api<Entry[]>(stack.base, 'GET', `/api/audit-logs?${search}`, { token: as.token });
  if (answer.status !== 200) throw new Error(`the audit log answered ${answer.status}`);
  return answer.body.data;
}

/** A filter's input by its label (Mantine's open listbox carries the same label). */
const input = (page: Page, label: string) => page.locator('input').and(page.getByLabel(label, { exact: true }));

/** The rows on the page: id, action code, actor email and result, in order. */
const rowsOf = (page: Page) =>
  page.getByTestId('audit-row').evaluateAll((rows) =>
    rows.map((row) => ({
      id: Number(row.getAttribute('data-id')),
      action: row.querySelector('[data-testid="audit-action"]')?.textContent,
      actor: row.querySelector('[data-testid="audit-actor"]')?.textContent,
      success: row.querySelector('[data-testid="audit-success"]')?.getAttribute('data-success') === 'true',
    })),
  );

/** The actor as the page names it: the email, else the user's id, else "unknown" (a sign-in with an unknown email has one). */
const actorOf = (entry: Entry) => entry.actorEmail ?? (entry.userId !== null ? `User #${entry.userId}` : 'unknown');

/**
 * The page shows exactly the API's answer to the same filters: the newest entries up to the newest on the page
 * (the page's own refreshes may have added entries since it loaded), in the same order, with the same fields.
 */
async function expectPageMatchesApi(stack: Stack, page: Page, as: Person, query: Record<string, string | number> = {}) {
  await expect
    .poll(
      async () => {
        const shown = await rowsOf(page);
        if (shown.length === 0) return 'no rows';
        const newest = Math.max(...shown.map((row) => row.id));
        const expected = (await entries(stack, as, query))
          .filter((entry) => entry.id <= newest)
          .slice(0, 20)
          .map((entry) => ({ id: entry.id, action: entry.action, actor: actorOf(entry), success: entry.success }));
        return JSON.stringify(shown) === JSON.stringify(expected) ? 'same' : JSON.stringify({ shown, expected });
      },
      { timeout: 20_000 },
    )
    .toBe('same');
}

/** The day of the browser's calendar, YYYY-MM-DD, and its bounds as the page sends them. */
const browserToday = (page: Page) =>
  page.evaluate(() => {
    const now = new Date();
    const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    const from = new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
    const to = new Date(new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime() - 1).toISOString();
    // The calendar's day buttons are named "6 December 2026".
    const label = `${now.getDate()} ${now.toLocaleString('en-GB', { month: 'long' })} ${now.getFullYear()}`;
    return { day, from, to, label };
  });

describe('the audit log in the browser', () => {
  let stack: Stack;
  let world: StatsWorld;
  beforeAll(async () => {
    stack = await startStack();
    world = await seedStatsWorld(stack);
  }, 120_000);
  afterAll(async () => stack?.close());

  it('lists what was done, narrows it by the filters (kept in the URL) as the API does, and expands a row by keyboard', async () => {
    const context = await stack.newContext();
    const page = await context.newPage();
    await signIn(page, world.root);
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL('**/audit');
    await page.getByTestId('audit-row').first().waitFor();
    await expectPageMatchesApi(stack, page, world.root);
    const actions = new Set((await rowsOf(page)).map((row) => row.action));
    for (const action of ['LOGIN', 'LOGIN_FAILED', 'USER_CREATE', 'ACCOUNT_ACTIVATED', 'PROJECT_CREATE']) expect(actions).toContain(action);

    // Action: typed (free text, any case), then the result and the user id.
    await input(page, 'Action').fill('login_failed');
    await page.waitForURL(/action=login_failed/);
    await expectPageMatchesApi(stack, page, world.root, { action: 'LOGIN_FAILED' });
    expect((await rowsOf(page)).length).toBe(3);
    await input(page, 'Result').click();
    await page.getByRole('option', { name: 'Failed' }).click();
    await page.waitForURL(/success=false/);
    await input(page, 'User id').fill(String(world.sam.id));
    await page.waitForURL(new RegExp(`userId=${world.sam.id}`));
    await expectPageMatchesApi(stack, page, world.root, { action: 'LOGIN_FAILED', success: 'false', userId: world.sam.id });
    expect((await rowsOf(page)).map((row) => row.actor)).toEqual([world.sam.email, world.sam.email]);

    // A reload (or a shared link) keeps the filters.
    await page.reload();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await input(page, 'Action').inputValue()).toBe('login_failed');
    expect(await input(page, 'User id').inputValue()).toBe(String(world.sam.id));
    await expectPageMatchesApi(stack, page, world.root, { action: 'LOGIN_FAILED', success: 'false', userId: world.sam.id });

    // An action name the API would refuse is said at the field and not sent.
    await input(page, 'Action').fill('no such!');
    await page.getByText('An action name has only letters, digits').waitFor();
    expect(new URL(page.url()).searchParams.get('action')).toBe('login_failed');

    // Dates: today in the browser's calendar holds everything; a day long past holds nothing.
    const today = await browserToday(page);
    await page.goto('/audit?action=USER_CREATE');
    await page.getByTestId('audit-row').first().waitFor();
    // Picked in the calendar: today as both ends of the range.
    await page.getByRole('button', { name: 'Dates', exact: true }).click();
    await page.getByRole('button', { name: today.label, exact: true }).click();
    await page.getByRole('button', { name: today.label, exact: true }).click();
    await page.waitForURL(new RegExp(`from=${today.day}&to=${today.day}`));
    await expectPageMatchesApi(stack, page, world.root, { action: 'USER_CREATE', from: today.from, to: today.to });
    expect((await rowsOf(page)).length).toBe(6);
    await page.goto('/audit?from=2001-02-03&to=2001-02-04');
    await page.getByTestId('audit-empty').waitFor();
    expect(await page.getByTestId('audit-empty').textContent()).toMatch(/No entries match these filters/);
    expect(await page.getByRole('button', { name: 'Dates', exact: true }).textContent()).toBe('3 Feb 2001 – 4 Feb 2001');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('audit-row').first().waitFor();
    expect(new URL(page.url()).search).toBe('');

    // A row expands, by keyboard, to its details: the JSON pretty-printed and the user agent.
    // The creation of cleo (the other row with her id is her creating tom).
    const created = (await entries(stack, world.root, { action: 'USER_CREATE', userId: world.cleo.id })).find(
      (entry) => entry.targetUserId === world.cleo.id,
    )!;
    await page.goto(`/audit?action=USER_CREATE&userId=${world.cleo.id}`);
    const row = page.locator(`[data-testid="audit-row"][data-id="${created.id}"]`);
    const toggle = row.getByRole('button', { name: /Show the details of User created/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    const details = page.getByTestId('audit-details');
    await details.waitFor();
    expect(await row.getByRole('button', { name: /Hide the details/ }).getAttribute('aria-expanded')).toBe('true');
    expect(await details.getByTestId('audit-details-json').textContent()).toBe(JSON.stringify(created.details, null, 2));
    expect(created.details).toMatchObject({ role: 'ADMIN', email: world.cleo.email });
    expect(await details.getByTestId('audit-user-agent').textContent()).toBe(created.userAgent ?? '—');
    await page.keyboard.press('Space');
    await details.waitFor({ state: 'detached' });
    await context.close();
  }, 180_000);

  it('shows an Admin only its own and its sub-users\u2019 entries, and a Sub User that it may not look', async () => {
    const context = await stack.newContext({ phone: true });
    const page = await context.newPage();
    await signIn(page, world.bob);
    await page.goto('/audit');
    await page.getByTestId('audit-row').first().waitFor();
    await expectPageMatchesApi(stack, page, world.bob);
    // The page is the API's answer, and that answer holds the team's own actions only.
    const team = await entries(stack, world.root, { action: 'USER_CREATE', userId: world.bob.id });
    const teamIds = new Set([world.bob.id, ...team.map((entry) => entry.targetUserId)]);
    expect(teamIds).toEqual(
      new Set([world.bob.id, world.sam.id, world.sue.id, team.find((e) => e.details?.email === world.patEmail)!.targetUserId]),
    );
    const all = await entries(stack, world.root);
    const mine = await entries(stack, world.bob);
    expect(mine.length).toBeLessThan(all.length);
    for (const entry of mine) expect(teamIds.has(entry.userId), `${entry.action} by ${entry.userId}`).toBe(true);
    for (const row of await rowsOf(page)) expect([world.root.email, world.cleo.email, world.tom.email]).not.toContain(row.actor);
    // sam's two failed sign-ins are in bob's log.
    await input(page, 'Action').fill('LOGIN_FAILED');
    await page.waitForURL(/action=LOGIN_FAILED/);
    await expectPageMatchesApi(stack, page, world.bob, { action: 'LOGIN_FAILED' });
    expect((await rowsOf(page)).map((row) => row.actor)).toEqual([world.sam.email, world.sam.email]);
    await context.close();

    const subUser = await (await stack.newContext()).newPage();
    await signIn(subUser, world.sam);
    expect(await subUser.getByRole('navigation').getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await subUser.goto('/audit');
    await subUser.getByTestId('audit-not-allowed').waitFor();
    expect(await subUser.getByTestId('audit-not-allowed').getAttribute('role')).toBe('alert');
    expect(await subUser.getByTestId('audit-not-allowed').textContent()).toMatch(/Not allowed/);
    expect((await api(stack.base, 'GET', '/api/audit-logs', { token: world.sam.token })).status).toBe(403);
    await subUser.context().close();
  }, 120_000);
});
