import './timeouts.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Stack, startStack } from './stack.js';
import { type StatsWorld, seedStatsWorld } from './stats-world.js';
import { type Person, signIn } from './world.js';

interface ChartDatum {
  name: string;
  value: number;
  color: string;
}
interface UserStats {
  totalUsers: number;
  projectAdmins: number;
  subUsers: number;
  verifiedUsers: number;
  unverifiedUsers: number;
  recentUsers: { id: number; name: string }[];
  systemOverview: ChartDatum[];
  verification: ChartDatum[];
}
interface ProjectStats {
  totalProjects: number;
  activeProjects: number;
  inactiveProjects: number;
}
interface ActivityDay {
  date: string;
  signIns: number;
  failedSignIns: number;
  lockouts: number;
  activeUsers: number;
}

const get = async <T>(stack: Stack, path: string, as: Person) => {
  const answer = await api<T>(stack.base, 'GET', path, { token: as.token });
  if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
  return answer.body.data;
};

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

/** The legend's names and the fills of the chart's drawn shapes (pie sectors or bars), in the page's order. */
async function chartOf(page: Page, id: string) {
  const chart = page.getByTestId(`chart-${id}`);
  const names = await chart.getByTestId('legend-name').allTextContents();
  const shapes = id === 'verification' ? chart.locator('path.recharts-sector') : chart.locator('path.recharts-rectangle');
  const fills = await shapes.evaluateAll((paths) => paths.map((path) => (path.getAttribute('fill') ?? '').toLowerCase()));
  return { names, fills };
}

/** The browser's time zone, as the page sends it with the activity query. */
const zoneOf = (page: Page) => page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);

async function expectTodayMatches(stack: Stack, page: Page, as: Person) {
  const tz = await zoneOf(page);
  // Polled: the page's own sign-in and refreshes are activity too; both sides must settle on the same figures.
  await expect
    .poll(
      async () => {
        const days = (await get<{ days: ActivityDay[] }>(stack, `/api/audit-logs/stats?days=30&tz=${encodeURIComponent(tz)}`, as)).days;
        const today = days.at(-1)!;
        const shown = await Promise.all(
          (['signIns', 'failedSignIns', 'lockouts', 'activeUsers'] as const).map(async (key) => [
            Number(await text(page, `activity-today-${key}`)),
            today[key],
          ]),
        );
        return shown.every(([onPage, fromApi]) => onPage === fromApi) && days.length === 30;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
}

describe('home: statistics and charts in the browser', () => {
  let stack: Stack;
  let world: StatsWorld;
  beforeAll(async () => {
    stack = await startStack();
    world = await seedStatsWorld(stack);
  }, 120_000);
  afterAll(async () => stack?.close());

  it("shows the Super Admin every figure the API returns, the API's names and colours in the charts, and today's activity", async () => {
    const context = await stack.newContext();
    const page = await context.newPage();
    await signIn(page, world.root);
    await page.getByTestId('stat-totalUsers').waitFor();
    const users = await get<UserStats>(stack, '/api/users/stats', world.root);
    const projects = await get<ProjectStats>(stack, '/api/projects/stats', world.root);
    // The seeded world: the Super Admin is not counted; bob's pending sub-user is the one unverified.
    expect(users).toMatchObject({ totalUsers: 6, projectAdmins: 2, subUsers: 4, verifiedUsers: 5, unverifiedUsers: 1 });
    const expected: Record<string, number> = {
      totalUsers: users.totalUsers,
      projectAdmins: users.projectAdmins,
      subUsers: users.subUsers,
      verifiedUsers: users.verifiedUsers,
      unverifiedUsers: users.unverifiedUsers,
      totalProjects: projects.totalProjects,
      activeProjects: projects.activeProjects,
      inactiveProjects: projects.inactiveProjects,
      companies: users.systemOverview.find((item) => item.name === 'Companies')!.value,
    };
    expect(expected.companies).toBe(2);
    for (const [id, value] of Object.entries(expected)) expect(await text(page, `stat-${id}`), id).toBe(String(value));

    await page.getByTestId('chart-verification').locator('path.recharts-sector').first().waitFor();
    const pie = await chartOf(page, 'verification');
    expect(pie.names).toEqual(users.verification.map((item) => item.name));
    // A slice is drawn for every item with a value, each in the colour the API gave it.
    expect(pie.fills).toEqual(users.verification.filter((item) => item.value > 0).map((item) => item.color.toLowerCase()));
    await page.getByTestId('chart-overview').locator('path.recharts-rectangle').first().waitFor();
    const bar = await chartOf(page, 'overview');
    expect(bar.names).toEqual(['Users', 'Projects', 'Companies']);
    expect(bar.names).toEqual(users.systemOverview.map((item) => item.name));
    expect(bar.fills).toEqual(users.systemOverview.map((item) => item.color.toLowerCase()));
    // The legend's figures are the API's too, and the drawing has a summary for screen readers.
    expect(await page.getByTestId('chart-overview').getByTestId('legend-value').allTextContents()).toEqual(
      users.systemOverview.map((item) => String(item.value)),
    );
    expect(await page.getByRole('img', { name: /^System overview: Users 6, Projects 1, Companies 2$/ }).count()).toBe(1);

    await expectTodayMatches(stack, page, world.root);
    // Two wrong passwords and an unknown email: three failed sign-ins today, whatever else happened.
    expect(Number(await text(page, 'activity-today-failedSignIns'))).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('activity-table').locator('tbody tr').count()).toBe(30);

    // The recent users link to their pages; "My projects" follows the statistics.
    const recent = page.getByTestId('recent-users');
    for (const user of users.recentUsers)
      expect(await recent.getByRole('link', { name: user.name }).getAttribute('href')).toBe(`/users/${user.id}`);
    await page.getByTestId('launcher-crm').waitFor();
    await context.close();
  }, 120_000);

  it('shows an Admin its own figures and "N of LIMIT", and new figures without a reload (the 30 s poll, the tab regaining focus)', async () => {
    const context = await stack.newContext({ phone: true });
    const page = await context.newPage();
    // A fake clock, installed before the page loads, lets the test fire the 30 s poll at once.
    await page.clock.install();
    await signIn(page, world.bob);
    await page.getByTestId('stat-subUserLimit').waitFor();
    const users = await get<UserStats>(stack, '/api/users/stats', world.bob);
    const projects = await get<ProjectStats>(stack, '/api/projects/stats', world.bob);
    expect(users).toMatchObject({ totalUsers: 3, subUsers: 3, verifiedUsers: 2, unverifiedUsers: 1 });
    expect(projects).toMatchObject({ totalProjects: 2, activeProjects: 1, inactiveProjects: 1 });
    for (const [id, value] of Object.entries({
      subUsers: users.subUsers,
      verifiedUsers: users.verifiedUsers,
      unverifiedUsers: users.unverifiedUsers,
      totalProjects: projects.totalProjects,
      activeProjects: projects.activeProjects,
      inactiveProjects: projects.inactiveProjects,
    }))
      expect(await text(page, `stat-${id}`), id).toBe(String(value));
    expect(await text(page, 'stat-subUserLimit')).toBe('3 of 5');
    // No system-wide figures for an Admin.
    expect(await page.getByTestId('stat-projectAdmins').count()).toBe(0);
    expect(await page.getByTestId('stat-companies').count()).toBe(0);

    const bar = await chartOf(page, 'overview');
    expect(bar.names).toEqual(['Sub Users', 'Assigned Projects']);
    expect(bar.names).toEqual(users.systemOverview.map((item) => item.name));
    await page.getByTestId('chart-overview').locator('path.recharts-rectangle').first().waitFor();
    expect((await chartOf(page, 'overview')).fills).toEqual(users.systemOverview.map((item) => item.color.toLowerCase()));
    await page.getByTestId('chart-verification').locator('path.recharts-sector').first().waitFor();
    const pie = await chartOf(page, 'verification');
    expect(pie.names).toEqual(users.verification.map((item) => item.name));
    expect(pie.fills).toEqual(users.verification.map((item) => item.color.toLowerCase()));
    await expectTodayMatches(stack, page, world.bob);

    // A change made elsewhere shows at the next poll, with no reload.
    const first = await api(stack.base, 'POST', '/api/users/sub-user', {
      token: world.bob.token,
      body: { name: 'Quinn', email: 'quinn@acme.test' },
    });
    expect(first.status).toBe(201);
    expect(await text(page, 'stat-subUsers')).toBe('3');
    await page.clock.fastForward(30_000);
    await expect.poll(() => text(page, 'stat-subUsers'), { timeout: 15_000 }).toBe('4');
    expect(await text(page, 'stat-subUserLimit')).toBe('4 of 5');

    // And when the tab comes back (TanStack Query listens for visibilitychange), once the figures are stale (5 s).
    const second = await api(stack.base, 'POST', '/api/users/sub-user', {
      token: world.bob.token,
      body: { name: 'Rae', email: 'rae@acme.test' },
    });
    expect(second.status).toBe(201);
    await page.clock.fastForward(6_000);
    expect(await text(page, 'stat-subUsers')).toBe('4');
    await page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(() => text(page, 'stat-subUserLimit'), { timeout: 15_000 }).toBe('5 of 5');
    expect(await page.getByText('Limit reached').count()).toBe(1);
    await context.close();
  }, 120_000);

  it('shows a Sub User no statistics, only the projects it may open', async () => {
    expect((await api(stack.base, 'GET', '/api/users/stats', { token: world.sam.token })).status).toBe(403);
    const context = await stack.newContext();
    const page = await context.newPage();
    await signIn(page, world.sam);
    await page.getByTestId('launcher-crm').waitFor();
    expect(await page.getByTestId('stats').count()).toBe(0);
    expect(await page.getByTestId('chart-activity').count()).toBe(0);
    // sam is assigned the active CRM only.
    expect(await page.getByTestId('launcher').locator('[data-testid^="launcher-"]').count()).toBe(1);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await context.close();
  }, 120_000);
});
