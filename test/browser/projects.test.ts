import './timeouts.js';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, field, type Stack, startStack } from './stack.js';
import { type Person, seedProject, seedSuperAdmin, seedUser, signIn } from './world.js';

interface ProjectData {
  id: number;
  customProjectId: string;
  name: string;
  description: string | null;
  isActive: boolean;
}

describe('projects in the browser (Super Admin)', () => {
  let stack: Stack;
  let root: Person;
  let admin: Person;
  let crm: { id: number };
  let context: BrowserContext;
  let page: Page;
  /** The client secret the page showed at creation, read from the clipboard. */
  let wikiSecret: string;

  beforeAll(async () => {
    stack = await startStack();
    root = await seedSuperAdmin(stack);
    crm = await seedProject(stack, root, { customProjectId: 'crm', name: 'CRM', projectUrl: 'https://crm.acme.test/app' });
    admin = await seedUser(stack, root, 'project-admin', { name: 'Pat Admin', email: 'pat@acme.test', projectIds: [crm.id] });
    await seedUser(stack, admin, 'sub-user', { name: 'Sam Sub', email: 'sam@acme.test', projectIds: [crm.id] });
    context = await stack.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.base });
    page = await context.newPage();
    await signIn(page, root);
  });
  afterAll(async () => stack?.close());

  const getProject = (ref: string | number) => api<ProjectData>(stack.base, 'GET', `/api/projects/${ref}`, { token: root.token });
  /** Whether `clientSecret` authenticates the project's backend: exchange-code with a real one-time code. */
  async function secretWorks(ref: string, clientSecret: string) {
    const opened = await api<{ redirectUrl: string }>(stack.base, 'POST', `/api/auth/project-token/${ref}`, { token: root.token });
    expect(opened.status).toBe(200);
    const code = new URL(opened.body.data.redirectUrl).searchParams.get('xtown_code');
    const exchanged = await api(stack.base, 'POST', '/api/auth/exchange-code', { body: { code, projectId: ref, clientSecret } });
    return exchanged.status === 200;
  }
  const dialog = () => page.getByRole('dialog');

  it('creates a project: a wrong ID is refused as one types, a taken one at its field; the secret is shown once and copies', async () => {
    await page.goto('/projects');
    await page.getByRole('button', { name: 'Create a project' }).click();
    const id = field(page, 'Project ID');
    for (const [typed, problem] of [
      ['9crm', 'Start with a lowercase letter'],
      ['wi', 'Use 3 to 50 characters'],
      ['wiki!', 'Use only a–z, 0–9, - and _'],
      ['stats', '“stats” is reserved'],
    ] as const) {
      await id.fill(typed);
      await dialog().getByText(problem).waitFor();
    }
    expect(await dialog().getByText('It can never be changed, nor reused after a deletion').isVisible()).toBe(true);

    await id.fill('crm');
    await field(page, 'Name').fill('Wiki');
    await field(page, 'Project URL').fill('https://wiki.acme.test/start');
    await field(page, 'Icon').fill('WK');
    expect(await page.getByTestId('icon-preview').textContent()).toBe('WK');
    await page.getByRole('button', { name: 'Create project' }).click();
    await dialog().getByText('This project id is taken').waitFor();

    await id.fill('wiki');
    await field(page, 'Description').fill('Team notes');
    await page.getByRole('button', { name: 'Create project' }).click();
    const secretModal = page.getByTestId('secret-modal');
    await secretModal.waitFor();
    const shown = (await page.getByTestId('client-secret').textContent())!.trim();
    expect(shown).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await secretModal.getByText('It will not be shown again').isVisible()).toBe(true);

    // Only the explicit button closes it: neither Escape nor a click beside it.
    await page.keyboard.press('Escape');
    await page.mouse.click(5, 5);
    expect(await secretModal.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Copy the secret' }).click();
    await page.getByRole('button', { name: 'Copied to the clipboard' }).waitFor();
    wikiSecret = await page.evaluate(() => navigator.clipboard.readText());
    expect(wikiSecret).toBe(shown);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await secretModal.waitFor({ state: 'detached' });

    await page.getByTestId('project-row-wiki').waitFor();
    expect(await secretWorks('wiki', wikiSecret)).toBe(true);
    expect((await getProject('wiki')).body.data).toMatchObject({ name: 'Wiki', description: 'Team notes', isActive: true });
  });

  it('searches by name or project ID and pages through 27 projects, both kept in the URL', async () => {
    for (let n = 1; n <= 25; n++) {
      const two = String(n).padStart(2, '0');
      await seedProject(stack, root, { customProjectId: `bulk-${two}`, name: `Bulk ${two}`, projectUrl: `https://bulk${two}.acme.test` });
    }
    await page.goto('/projects');
    const rows = page.locator('[data-testid^="project-row-"]');
    await page.getByText('Page 1 of 2 · 27 in all').waitFor();
    expect(await rows.count()).toBe(20);
    // Newest first, as the API answers.
    expect(await rows.first().getAttribute('data-testid')).toBe('project-row-bulk-25');

    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await page.getByText('Page 2 of 2 · 27 in all').waitFor();
    expect(await rows.count()).toBe(7);
    await page.reload();
    await page.getByText('Page 2 of 2 · 27 in all').waitFor();
    expect(await rows.last().getAttribute('data-testid')).toBe('project-row-crm');

    await field(page, 'Search projects').fill('BULK-1');
    await page.waitForURL((url) => url.searchParams.get('search') === 'BULK-1' && !url.searchParams.has('page'));
    await page.getByText('Page 1 of 1 · 10 in all').waitFor();
    const listed = await api<ProjectData[]>(stack.base, 'GET', '/api/projects?search=BULK-1', { token: root.token });
    const testIds = await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-testid')));
    expect(testIds).toEqual(listed.body.data.map((project) => `project-row-${project.customProjectId}`));

    await field(page, 'Search projects').fill('wiki');
    await page.waitForURL((url) => url.searchParams.get('search') === 'wiki');
    await page.getByTestId('project-row-wiki').waitFor();
    expect(await rows.count()).toBe(1);
    await field(page, 'Search projects').fill('nothing-like-this');
    await page.getByText('No project matches').waitFor();
  });

  it("edits a project's fields, showing its ID read-only", async () => {
    const wiki = (await getProject('wiki')).body.data;
    await page.goto(`/projects/${wiki.id}`);
    await page.getByRole('heading', { name: 'Wiki' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const id = field(page, 'Project ID');
    expect(await id.inputValue()).toBe('wiki');
    expect(await id.getAttribute('readonly')).not.toBeNull();
    await field(page, 'Name').fill('Team Wiki');
    await field(page, 'Description').fill('Notes of every team');
    await field(page, 'Project URL').fill('not a url');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await dialog().getByText('Enter an http or https URL').waitFor();
    await field(page, 'Project URL').fill('https://wiki.acme.test/home');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Team Wiki' }).waitFor();
    expect((await getProject('wiki')).body.data).toMatchObject({
      customProjectId: 'wiki',
      name: 'Team Wiki',
      description: 'Notes of every team',
      projectUrl: 'https://wiki.acme.test/home',
    });
  });

  it('deactivates a project after a warning that its tokens fail at once, then activates it again', async () => {
    await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
    await dialog().getByText('every project token and one-time code already issued for it fails at once').waitFor();
    await dialog().getByRole('button', { name: 'Deactivate', exact: true }).click();
    await page.getByRole('button', { name: 'Activate', exact: true }).waitFor();
    expect((await getProject('wiki')).body.data.isActive).toBe(false);
    expect(await page.getByRole('button', { name: 'Open', exact: true }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await dialog().getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('button', { name: 'Deactivate', exact: true }).waitFor();
    expect((await getProject('wiki')).body.data.isActive).toBe(true);
  });

  it('rotates the secret with a grace: the new one is shown once and works, the old one until the time said', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('combobox', { name: 'The old secret keeps working for' }).click();
    await page.getByRole('option', { name: '1 hour' }).click();
    const before = Date.now();
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    await page.getByTestId('secret-modal').waitFor();
    const after = Date.now();
    const rotated = (await page.getByTestId('client-secret').textContent())!.trim();
    expect(rotated).not.toBe(wikiSecret);
    // One hour from the rotation, in the page's words (the browser and this test share the machine's time zone).
    const inAnHour = (at: number) =>
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at + 3_600_000));
    const said = await page.getByTestId('old-secret').textContent();
    expect(
      [inAnHour(before), inAnHour(after)].map((when) => `The old secret keeps working until ${when}; deploy the new one before then.`),
    ).toContain(said);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    expect(await secretWorks('wiki', rotated)).toBe(true);
    expect(await secretWorks('wiki', wikiSecret)).toBe(true);
  });

  it("lists the project's assigned users as the API does, each linking to the user's page", async () => {
    await page.goto(`/projects/${crm.id}`);
    const table = page.getByTestId('assigned-users');
    await table.waitFor();
    const listed = await api<Array<{ id: number; name: string }>>(stack.base, 'GET', `/api/users?projectId=${crm.id}`, {
      token: root.token,
    });
    expect(listed.body.data.map((user) => user.name)).toEqual(['Sam Sub', 'Pat Admin']);
    const links = table.getByRole('link');
    expect(await links.allTextContents()).toEqual(listed.body.data.map((user) => user.name));
    expect(await links.first().getAttribute('href')).toBe(`/users/${listed.body.data[0]!.id}`);
  });

  it('deletes a project only once its ID is typed, and the API no longer has it', async () => {
    await page.goto('/projects?search=wiki');
    await page.getByRole('button', { name: 'Actions for Team Wiki' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = dialog().getByRole('button', { name: 'Delete the project' });
    expect(await confirm.isDisabled()).toBe(true);
    await field(page, 'Type wiki to confirm').fill('wik');
    expect(await confirm.isDisabled()).toBe(true);
    await field(page, 'Type wiki to confirm').fill('wiki');
    await confirm.click();
    await page.getByText('Team Wiki was deleted.').waitFor();
    await page.getByText('No project matches').waitFor();
    expect((await getProject('wiki')).status).toBe(404);
  });

  it('shows an Admin its launcher at /projects, and no management', async () => {
    const adminContext = await stack.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    await adminPage.goto('/projects');
    await adminPage.getByTestId('launcher-crm').waitFor();
    expect(await adminPage.getByRole('button', { name: 'Create a project' }).count()).toBe(0);
    expect(await adminPage.locator('[data-testid="projects-table"], [data-testid="projects-cards"]').count()).toBe(0);
    await adminContext.close();
  });

  it('shows cards instead of the table at a phone’s width, with the same actions', async () => {
    const phone = await stack.newContext({ phone: true, dark: true });
    const phonePage = await phone.newPage();
    await signIn(phonePage, root);
    await phonePage.goto('/projects?search=crm');
    await phonePage.getByTestId('projects-cards').waitFor();
    expect(await phonePage.getByTestId('projects-table').count()).toBe(0);
    await phonePage.getByRole('button', { name: 'Actions for CRM' }).click();
    await phonePage.getByRole('menuitem', { name: 'Rotate secret' }).waitFor();
    // Nothing wider than the screen but what scrolls inside itself.
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.close();
  });
});
