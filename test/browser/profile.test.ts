import './timeouts.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { field, type Stack, startStack } from './stack.js';
import { type Person, seedProject, seedSuperAdmin, seedUser, signIn } from './world.js';

const NEW_PASSWORD = 'N3w-secret-pw-42';

/** Waits for a page to land on sign-in with the reason it was signed out. */
async function signedOutWith(page: Page, reason: RegExp) {
  await page.waitForURL('**/login');
  await until('the reason to be shown', () => page.getByTestId('signed-out-reason').isVisible(), 10_000);
  expect(await page.getByTestId('signed-out-reason').textContent()).toMatch(reason);
}

describe('the profile in the browser', () => {
  let stack: Stack;
  let admin: Person;
  let here: Page;
  let there: Page;

  beforeAll(async () => {
    stack = await startStack();
    const root = await seedSuperAdmin(stack);
    await seedProject(stack, root, { customProjectId: 'crm', name: 'CRM', projectUrl: 'https://crm.acme.test' });
    admin = await seedUser(stack, root, 'project-admin', {
      name: 'Pia Profile',
      email: 'pia@acme.test',
      customRole: 'Team lead',
      companyName: 'Acme',
      projectIds: ['crm'],
    });
    here = await (await stack.newContext()).newPage();
    there = await (await stack.newContext()).newPage();
    await signIn(here, admin);
    await signIn(there, admin);
  });
  afterAll(async () => stack?.close());

  it('shows one’s own details', async () => {
    await here.getByRole('link', { name: 'Profile' }).click();
    await here.getByRole('heading', { name: 'Profile' }).waitFor();
    const details = here.getByTestId('profile-details');
    for (const text of ['Pia Profile', 'pia@acme.test', 'Project Admin', 'Team lead', 'Acme', 'CRM'])
      expect(await details.getByText(text, { exact: true }).isVisible()).toBe(true);
  });

  it('changes the password: the other session is signed out, this one stays, and the new password signs in', async () => {
    // What happens to the other sessions is said before the change.
    expect(await here.getByText('Changing your password signs you out everywhere else').isVisible()).toBe(true);
    await field(here, 'Current password').fill('Wr0ng-password');
    await field(here, 'New password').fill(NEW_PASSWORD);
    await field(here, 'Repeat the new password').fill(NEW_PASSWORD);
    await here.getByRole('button', { name: 'Change the password' }).click();
    await here.getByText('This is not your current password.').waitFor();

    await field(here, 'Current password').fill(admin.password);
    await here.getByRole('button', { name: 'Change the password' }).click();
    await here.getByText('Your password is changed. Every other session was signed out.').waitFor();

    // This tab took the fresh session: its calls still work, and so does a reload (the new refresh cookie).
    await here.getByRole('link', { name: 'Users' }).click();
    await here.getByRole('heading', { name: 'Users' }).waitFor();
    await here.reload();
    await here.getByTestId('user-menu').waitFor();
    expect(here.url()).toMatch(/\/users$/);

    await there.reload();
    await signedOutWith(there, /password was changed/);
    await field(there, 'Email').fill(admin.email);
    await field(there, 'Password').fill(admin.password);
    await there.getByRole('button', { name: 'Sign in' }).click();
    await there.getByText('The email or password is not correct.').waitFor();
    await field(there, 'Password').fill(NEW_PASSWORD);
    await there.getByRole('button', { name: 'Sign in' }).click();
    await there.getByTestId('user-menu').waitFor();
  });

  it('signs out everywhere after a confirmation, which ends the other browser’s session too', async () => {
    await here.goto('/profile');
    await here.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = here.getByRole('dialog', { name: 'Sign out everywhere?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await here.getByTestId('user-menu').waitFor();

    await here.getByRole('button', { name: 'Sign out everywhere' }).click();
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.waitForURL('**/login');

    await there.reload();
    await signedOutWith(there, /signed out/);
  });
});
