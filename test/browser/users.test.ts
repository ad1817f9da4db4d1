import './timeouts.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { api, field, type Stack, startStack } from './stack.js';
import { type Person, seedProject, seedSuperAdmin, seedUser, signIn } from './world.js';

interface Listed {
  id: number;
  name: string;
  isSuspended: boolean;
  isActive: boolean;
  subUserLimit: number;
  customRole: string | null;
  projects: { customProjectId: string }[];
}

/** The names in the users table, in its order. */
const rowNames = (page: Page) => page.getByTestId('user-row').locator('td:first-child a').allTextContents();

/** Picks options of a MultiSelect by its label (opens it, clicks each option, closes it). */
async function pick(page: Page, label: string, options: string[]) {
  await page.getByRole('combobox', { name: label }).click();
  for (const option of options) await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

describe('users in the browser', () => {
  let stack: Stack;
  let root: Person;
  let page: Page;
  const asRoot = (method: string, path: string, body?: unknown) => api<Listed[]>(stack.base, method, path, { token: root.token, body });

  beforeAll(async () => {
    // The resend cooldown must outlast the steps between two resends however loaded the machine is.
    stack = await startStack({ OTP_RESEND_COOLDOWN: '10m' });
    root = await seedSuperAdmin(stack);
    for (const [customProjectId, name] of [
      ['crm', 'CRM'],
      ['wiki', 'Wiki'],
      ['billing', 'Billing'],
    ])
      await seedProject(stack, root, { customProjectId, name, projectUrl: `https://${customProjectId}.acme.test` });
    page = await (await stack.newContext()).newPage();
    await signIn(page, root);
  });
  afterAll(async () => stack?.close());

  it('lets the Super Admin create a Project Admin with projects from the empty list; the activation email arrives', async () => {
    await page.goto('/users');
    await page.getByText('No users yet').waitFor();
    await page.getByRole('button', { name: 'New Project Admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'New Project Admin' });
    await dialog.waitFor();
    // The limit starts at the seed's default.
    expect(await field(page, 'Sub-user limit').inputValue()).toBe('5');

    await field(page, 'Name').fill('Olga Ops');
    await field(page, 'Email').fill('olga@acme.test');
    await field(page, 'Custom role').fill('Operations');
    await field(page, 'Company name').fill('Acme Ops');
    await pick(page, 'Projects', ['CRM (crm)', 'Wiki (wiki)']);
    const mark = stack.mark();
    await dialog.getByRole('button', { name: 'Create and send the activation email' }).click();
    await page.getByText('An activation email with a code was sent to olga@acme.test.').waitFor();
    expect((await stack.emailFor('olga@acme.test', mark)).subject).toMatch(/Activate your/);

    await dialog.waitFor({ state: 'detached' });
    expect(await rowNames(page)).toEqual(['Olga Ops']);
    const row = page.getByTestId('user-row').first();
    expect(await row.getByText('Not activated').isVisible()).toBe(true);
    expect(await row.getByText('Project Admin').isVisible()).toBe(true);
    const [olga] = (await asRoot('GET', '/api/users?search=olga')).body.data;
    expect(olga!.projects.map((project) => project.customProjectId).sort()).toEqual(['crm', 'wiki']);
    expect(olga!.customRole).toBe('Operations');
  });

  it('shows the resend cooldown the server names, and a taken email at its field', async () => {
    await page.getByRole('link', { name: 'Olga Ops' }).click();
    await page.getByRole('heading', { name: 'Olga Ops' }).waitFor();
    const mark = stack.mark();
    await page.getByRole('button', { name: 'Resend the activation email' }).click();
    await page.getByText('A new activation email was sent to olga@acme.test.').waitFor();
    expect((await stack.emailFor('olga@acme.test', mark)).subject).toMatch(/Activate your/);
    expect(await page.getByRole('button', { name: /Resend possible in \d+ s/ }).isDisabled()).toBe(true);
    // A reloaded page knows nothing of it: the server's cooldown answers, and its Retry-After is counted down.
    await page.reload();
    await page.getByRole('button', { name: 'Resend the activation email' }).click();
    await page.getByText(/A code was sent moments ago. You can ask for another in \d+ minutes?\./).waitFor();
    expect(await page.getByRole('button', { name: /Resend possible in \d+ s/ }).isDisabled()).toBe(true);

    await page.goto('/users');
    await page.getByRole('button', { name: 'New Project Admin' }).click();
    await field(page, 'Name').fill('Olga Again');
    await field(page, 'Email').fill('OLGA@acme.test');
    await page.getByRole('button', { name: 'Create and send the activation email' }).click();
    await page.getByText('This email is already in use.').waitFor();
    expect(await field(page, 'Email').getAttribute('aria-invalid')).toBe('true');
    await page.keyboard.press('Escape');
  });

  it('searches and filters as the API does, with everything in the URL', async () => {
    const admin = await seedUser(stack, root, 'project-admin', { name: 'Sam Sales', email: 'sam@acme.test', projectIds: ['crm'] });
    await seedUser(stack, admin, 'sub-user', { name: 'Sue Sales', email: 'sue@acme.test', projectIds: ['crm'] });
    await seedUser(stack, admin, 'sub-user', { name: 'Tom Sales', email: 'tom@other.test' });
    await api(stack.base, 'POST', '/api/users/sub-user', { token: admin.token, body: { name: 'Una Pending', email: 'una@acme.test' } });
    const tom = (await asRoot('GET', '/api/users?search=tom')).body.data[0]!;
    await asRoot('POST', `/api/users/${tom.id}/suspend`, { reason: 'Left the team' });

    const cases: { query: string; set: (page: Page) => Promise<unknown> }[] = [
      { query: 'search=sales', set: (p) => field(p, 'Search').fill('sales') },
      { query: 'search=sales&role=SUB_USER', set: (p) => field(p, 'Role').selectOption({ label: 'Sub Users' }) },
      { query: 'search=sales&role=SUB_USER&isSuspended=true', set: (p) => field(p, 'Suspension').selectOption({ label: 'Suspended' }) },
      { query: 'role=SUB_USER&isSuspended=true', set: (p) => field(p, 'Search').fill('') },
      { query: 'role=SUB_USER', set: (p) => field(p, 'Suspension').selectOption({ label: 'All' }) },
      { query: 'role=SUB_USER&isActive=false', set: (p) => field(p, 'Activation').selectOption({ label: 'Not activated' }) },
      { query: 'isActive=false', set: (p) => field(p, 'Role').selectOption({ label: 'All roles' }) },
    ];
    await page.goto('/users');
    await page.getByTestId('users-table').waitFor();
    for (const { query, set } of cases) {
      await set(page);
      const expected = (await asRoot('GET', `/api/users?${query}`)).body.data.map((user) => user.name);
      await expect.poll(() => rowNames(page), { message: query }).toEqual(expected);
    }
    // A reload (or a shared link) keeps the filters and the search.
    await field(page, 'Search').fill('acme');
    await page.waitForURL(/search=acme/);
    const expected = (await asRoot('GET', '/api/users?search=acme&isActive=false')).body.data.map((user) => user.name);
    await expect.poll(() => rowNames(page)).toEqual(expected);
    await page.reload();
    await page.getByTestId('users-table').waitFor();
    expect(await field(page, 'Search').inputValue()).toBe('acme');
    expect(await field(page, 'Activation').inputValue()).toBe('no');
    expect(await rowNames(page)).toEqual(expected);
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    const everyone = (await asRoot('GET', '/api/users')).body.data.map((user) => user.name);
    await expect.poll(() => rowNames(page)).toEqual(everyone);
    // A page past the end (a stale link) shows the last page that has users.
    await page.goto('/users?page=9');
    await page.waitForURL(/\/users$/);
    await expect.poll(() => rowNames(page)).toEqual(everyone);
  });

  it('edits a Project Admin, suspends it with a reason (its open session is signed out with why), and lifts it', async () => {
    const admin = await seedUser(stack, root, 'project-admin', { name: 'Vic Vendor', email: 'vic@acme.test', projectIds: ['wiki'] });
    const theirs = await (await stack.newContext()).newPage();
    await signIn(theirs, admin);

    await page.goto(`/users/${admin.id}`);
    await page.getByRole('heading', { name: 'Vic Vendor' }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Vic Vendor' });
    await field(page, 'Name').fill('Victor Vendor');
    await field(page, 'Custom role').fill('Supplier');
    await field(page, 'Sub-user limit').fill('3');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Victor Vendor', exact: true }).waitFor();
    const details = page.getByTestId('user-details');
    expect(await details.getByText('Supplier').isVisible()).toBe(true);
    const saved = (await api<Listed>(stack.base, 'GET', `/api/users/${admin.id}`, { token: root.token })).body.data;
    expect([saved.name, saved.customRole, saved.subUserLimit]).toEqual(['Victor Vendor', 'Supplier', 3]);

    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    const suspend = page.getByRole('dialog', { name: 'Suspend Victor Vendor' });
    await suspend.getByRole('button', { name: 'Suspend', exact: true }).click();
    await suspend.getByText('Give a reason').waitFor();
    await field(page, 'Reason').fill('Contract ended in May');
    const mark = stack.mark();
    await suspend.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByRole('button', { name: 'Unsuspend' }).waitFor();
    const card = page.getByTestId('user-suspension');
    expect(await card.getByText('Contract ended in May').isVisible()).toBe(true);
    expect(await card.getByText('You', { exact: true }).isVisible()).toBe(true);
    expect((await stack.emailFor(admin.email, mark)).text).toContain('Contract ended in May');

    // The Admin's open dashboard learns at its next call, and says why.
    await theirs.reload();
    await theirs.waitForURL('**/login');
    await theirs.getByTestId('signed-out-reason').waitFor();
    expect(await theirs.getByTestId('signed-out-reason').textContent()).toMatch(/suspended/);

    await page.getByRole('button', { name: 'Unsuspend' }).click();
    await page.getByRole('dialog', { name: 'Lift the suspension of Victor Vendor?' }).getByRole('button', { name: 'Unsuspend' }).click();
    await page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
    expect(await card.getByText('Unsuspended by').isVisible()).toBe(true);
    expect((await api<Listed>(stack.base, 'GET', `/api/users/${admin.id}`, { token: root.token })).body.data.isSuspended).toBe(false);
    await theirs.context().close();
  });

  it('deletes an Admin with sub-users through the force option, which lists what goes with it', async () => {
    const admin = await seedUser(stack, root, 'project-admin', { name: 'Wes Wholesale', email: 'wes@acme.test', projectIds: ['billing'] });
    const subs = [
      await seedUser(stack, admin, 'sub-user', { name: 'Xena Wholesale', email: 'xena@acme.test' }),
      await seedUser(stack, admin, 'sub-user', { name: 'Yuri Wholesale', email: 'yuri@acme.test' }),
    ];
    await page.goto(`/users/${admin.id}`);
    await page.getByRole('heading', { name: 'Wes Wholesale' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Wes Wholesale?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    const list = dialog.getByTestId('sub-users-that-go');
    await list.getByRole('listitem').first().waitFor();
    expect((await list.getByRole('listitem').allTextContents()).sort()).toEqual([
      'Xena Wholesale (xena@acme.test)',
      'Yuri Wholesale (yuri@acme.test)',
    ]);
    await dialog.getByRole('button', { name: 'Delete the admin and 2 sub-users' }).click();
    await page.waitForURL(/\/users$/);
    await page.getByText('Wes Wholesale and 2 sub-users were deleted.').waitFor();
    for (const person of [admin, ...subs])
      expect((await api(stack.base, 'GET', `/api/users/${person.id}`, { token: root.token })).status).toBe(404);
    expect((await asRoot('GET', '/api/users?search=wholesale')).body.data).toEqual([]);
  });

  describe('as a Project Admin', () => {
    let admin: Person;
    let theirs: Page;
    beforeAll(async () => {
      admin = await seedUser(stack, root, 'project-admin', {
        name: 'Ann Admin',
        email: 'ann@acme.test',
        subUserLimit: 2,
        projectIds: ['crm', 'wiki'],
      });
      theirs = await (await stack.newContext()).newPage();
      await signIn(theirs, admin);
    });

    it('creates a Sub User from its own projects only, and sees the sub-users it has left', async () => {
      await theirs.goto('/users');
      await theirs.getByText('No users yet').waitFor();
      expect(await theirs.getByTestId('allowance').textContent()).toBe('2 of 2 sub-users left');
      // An Admin sees Sub Users only: no role filter.
      expect(await field(theirs, 'Role').count()).toBe(0);
      await theirs.getByRole('button', { name: 'New Sub User' }).click();
      const dialog = theirs.getByRole('dialog', { name: 'New Sub User' });
      await theirs.getByRole('combobox', { name: 'Projects' }).click();
      expect(await theirs.getByRole('listbox', { name: 'Projects' }).getByRole('option').allTextContents()).toEqual([
        'CRM (crm)',
        'Wiki (wiki)',
      ]);
      await theirs.getByRole('option', { name: 'Wiki (wiki)' }).click();
      await theirs.keyboard.press('Escape');
      await field(theirs, 'Name').fill('Bob Builder');
      await field(theirs, 'Email').fill('bob@acme.test');
      const mark = stack.mark();
      await dialog.getByRole('button', { name: 'Create and send the activation email' }).click();
      await theirs.getByText('An activation email with a code was sent to bob@acme.test.').waitFor();
      await stack.emailFor('bob@acme.test', mark);
      await expect.poll(() => theirs.getByTestId('allowance').textContent()).toBe('1 of 2 sub-users left');
      expect(await rowNames(theirs)).toEqual(['Bob Builder']);
      const [bob] = (await api<Listed[]>(stack.base, 'GET', '/api/users', { token: admin.token })).body.data;
      expect(bob!.projects.map((project) => project.customProjectId)).toEqual(['wiki']);
    });

    it('cannot lift a suspension the Super Admin made, but can lift its own', async () => {
      const [bob] = (await api<Listed[]>(stack.base, 'GET', '/api/users', { token: admin.token })).body.data;
      await asRoot('POST', `/api/users/${bob!.id}/suspend`, { reason: 'Audit in progress' });
      await theirs.goto(`/users/${bob!.id}`);
      await theirs.getByRole('heading', { name: 'Bob Builder' }).waitFor();
      expect(await theirs.getByRole('button', { name: 'Unsuspend' }).isDisabled()).toBe(true);
      expect(await theirs.getByTestId('unsuspend-blocked').textContent()).toBe(
        'The Super Admin suspended this user: only the Super Admin can lift this suspension.',
      );
      expect(await theirs.getByTestId('user-suspension').getByText('The Super Admin').isVisible()).toBe(true);

      await asRoot('POST', `/api/users/${bob!.id}/unsuspend`);
      await theirs.reload();
      await theirs.getByRole('button', { name: 'Suspend', exact: true }).click();
      await field(theirs, 'Reason').fill('On leave');
      await theirs.getByRole('dialog', { name: 'Suspend Bob Builder' }).getByRole('button', { name: 'Suspend', exact: true }).click();
      const unsuspend = theirs.getByRole('button', { name: 'Unsuspend' });
      await unsuspend.waitFor();
      expect(await unsuspend.isDisabled()).toBe(false);
      expect(await theirs.getByTestId('unsuspend-blocked').count()).toBe(0);
    });

    it('hits its sub-user limit: the API says so in words, then the button is disabled with the reason', async () => {
      const small = await seedUser(stack, root, 'project-admin', {
        name: 'Lia Limited',
        email: 'lia@acme.test',
        subUserLimit: 1,
        projectIds: ['crm'],
      });
      const limited = await (await stack.newContext()).newPage();
      await signIn(limited, small);
      await limited.goto('/users');
      await limited.getByText('1 of 1 sub-users left').waitFor();
      await limited.getByRole('button', { name: 'New Sub User' }).click();
      // Meanwhile the last place is taken elsewhere (another tab, a script).
      await api(stack.base, 'POST', '/api/users/sub-user', {
        token: small.token,
        body: { name: 'Elsewhere', email: 'elsewhere@acme.test' },
      });
      await field(limited, 'Name').fill('One Too Many');
      await field(limited, 'Email').fill('toomany@acme.test');
      await limited.getByRole('button', { name: 'Create and send the activation email' }).click();
      await limited.getByTestId('form-error').getByText('You have reached your sub-user limit.', { exact: false }).waitFor();
      await limited.keyboard.press('Escape');

      await limited.reload();
      const button = limited.getByRole('button', { name: 'New Sub User' });
      await limited.getByTestId('allowance').getByText('You have used all 1 of your sub-users', { exact: false }).waitFor();
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute('aria-describedby')).toBe('sub-user-allowance');
      await limited.context().close();
    });
  });

  it('tells a Sub User that the users are not for it', async () => {
    const boss = await seedUser(stack, root, 'project-admin', { name: 'Cal Chief', email: 'cal@acme.test' });
    const sub = await seedUser(stack, boss, 'sub-user', { name: 'Dee Doer', email: 'dee@acme.test' });
    const theirs = await (await stack.newContext()).newPage();
    await signIn(theirs, sub);
    await theirs.goto('/users');
    await until('the refusal', () => theirs.getByTestId('not-allowed').isVisible());
    expect(await theirs.getByTestId('not-allowed').textContent()).toContain('Only the Super Admin and Project Admins can see users.');
    await theirs.context().close();
  });
});
