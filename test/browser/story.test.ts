import './timeouts.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjectStub } from './project-stub.js';
import { api, field, SETUP_TOKEN, type Stack, startStack } from './stack.js';
import { PASSWORD } from './world.js';

/** Picks options of a MultiSelect by its label. */
async function pick(page: Page, label: string, options: string[]) {
  await page.getByRole('combobox', { name: label }).click();
  for (const option of options) await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

/** The dashboard link in the newest email to `to` after `mark` (the emails link to /activate?email=…). */
async function linkIn(stack: Stack, to: string, mark: number): Promise<string> {
  const email = await stack.emailFor(to, mark);
  const link = /(https?:\/\/\S+\/activate\?email=\S+)/.exec(email.text)?.[1];
  if (!link) throw new Error(`no activation link in: ${email.text}`);
  return link;
}

/** Activates an account from its email: the link, the code, a password; ends signed in. */
async function activateFromEmail(stack: Stack, page: Page, email: string, mark: number) {
  await page.goto(await linkIn(stack, email, mark));
  expect(await field(page, 'Email').inputValue()).toBe(email);
  await field(page, 'Code from the email').fill(await stack.otpFor(email, mark));
  await field(page, 'New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Activate and sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
}

describe('the administration story, through the dashboard', () => {
  let stack: Stack;
  let project: Awaited<ReturnType<typeof startProjectStub>>;
  beforeAll(async () => {
    stack = await startStack();
    project = await startProjectStub();
  });
  afterAll(async () => {
    await stack?.close();
    await project?.close();
  });

  it('plays from the first run to a suspension, and the audit log and the figures show exactly that', async () => {
    // 1. The first run: the wizard, the setup token, the emailed code.
    const root = await (await stack.newContext()).newPage();
    await root.goto('/');
    await field(root, 'Setup token').fill(SETUP_TOKEN);
    await field(root, 'Your name').fill('Ada Root');
    await field(root, 'Email').fill('ada@acme.test');
    await field(root, 'Password').fill(PASSWORD);
    let mark = stack.mark();
    await root.getByRole('button', { name: 'Create the Super Admin' }).click();
    await field(root, 'Code from the email').fill(await stack.otpFor('ada@acme.test', mark));
    await root.getByRole('button', { name: 'Verify and sign in' }).click();
    await root.getByTestId('user-menu').waitFor();

    // 2. A project, whose secret is shown once.
    await root.getByRole('link', { name: 'Projects' }).click();
    await root.getByRole('button', { name: 'Create a project' }).first().click();
    await field(root, 'Project ID').fill('crm');
    await field(root, 'Name').fill('CRM');
    await field(root, 'Project URL').fill(project.url);
    await root.getByRole('button', { name: 'Create project' }).click();
    const clientSecret = (await root.getByTestId('client-secret').textContent())!.trim();
    await root.getByRole('button', { name: 'I have stored it' }).click();
    await root.getByTestId('project-row-crm').waitFor();

    // 3. A Project Admin with that project; it activates in its own browser from the emailed link.
    await root.getByRole('link', { name: 'Users' }).click();
    await root.getByRole('button', { name: 'New Project Admin' }).click();
    await field(root, 'Name').fill('Alice Admin');
    await field(root, 'Email').fill('alice@acme.test');
    await field(root, 'Company name').fill('Acme');
    await pick(root, 'Projects', ['CRM (crm)']);
    mark = stack.mark();
    await root.getByRole('button', { name: 'Create and send the activation email' }).click();
    const alice = await (await stack.newContext()).newPage();
    await activateFromEmail(stack, alice, 'alice@acme.test', mark);

    // 4. The Admin creates a Sub User from its own project; the Sub User activates and sees only that project.
    await alice.getByRole('link', { name: 'Users' }).click();
    await alice.getByRole('button', { name: 'New Sub User' }).click();
    await field(alice, 'Name').fill('Carol Clerk');
    await field(alice, 'Email').fill('carol@acme.test');
    await pick(alice, 'Projects', ['CRM (crm)']);
    mark = stack.mark();
    await alice.getByRole('button', { name: 'Create and send the activation email' }).click();
    const carol = await (await stack.newContext()).newPage();
    await activateFromEmail(stack, carol, 'carol@acme.test', mark);
    await carol.getByTestId('launcher').waitFor();
    expect(await carol.getByTestId('launcher').locator('[data-testid^="launcher-"]').count()).toBe(1);
    expect(await carol.getByRole('link', { name: 'Users' }).count()).toBe(0);

    // 5. Open: the project's page is reached with a one-time code that its backend exchanges with the secret.
    await carol.getByRole('button', { name: 'Open CRM' }).click();
    await carol.waitForURL(`${project.url}/**`);
    const code = new URL(carol.url()).searchParams.get('xtown_code')!;
    expect(await carol.locator('#code').textContent()).toBe(code);
    const exchanged = await api<{ user: { email: string } }>(stack.base, 'POST', '/api/auth/exchange-code', {
      body: { code, projectId: 'crm', clientSecret },
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.data.user.email).toBe('carol@acme.test');
    await carol.goBack();
    await carol.getByTestId('launcher').waitFor();

    // 6. The Super Admin suspends the Sub User; its open dashboard is signed out with the reason at its next call.
    await root.goto('/users'); // Carol was created in another browser since this list was loaded
    await root.getByRole('link', { name: 'Carol Clerk' }).click();
    await root.getByRole('button', { name: 'Suspend', exact: true }).click();
    await field(root, 'Reason').fill('Contract ended');
    await root.getByRole('dialog', { name: 'Suspend Carol Clerk' }).getByRole('button', { name: 'Suspend', exact: true }).click();
    await root.getByRole('button', { name: 'Unsuspend' }).waitFor();
    await carol.getByRole('button', { name: 'Open CRM' }).click();
    await carol.waitForURL('**/login');
    expect(await carol.getByTestId('signed-out-reason').textContent()).toMatch(/suspended/);

    // 7. The audit log shows what happened, as the API has it; the home figures are the API's.
    const signedIn = await api<{ accessToken: string }>(stack.base, 'POST', '/api/auth/login', {
      body: { email: 'ada@acme.test', password: PASSWORD },
    });
    const bearer = signedIn.body.data.accessToken;
    await root.goto('/audit?action=USER_SUSPEND');
    await root.getByTestId('audit-row').first().waitFor();
    const suspensions = await api<Array<{ id: number }>>(stack.base, 'GET', '/api/audit-logs?action=USER_SUSPEND', { token: bearer });
    expect(await root.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-id'))))).toEqual(
      suspensions.body.data.map((row) => row.id),
    );
    expect(suspensions.body.data).toHaveLength(1);
    await root.goto('/');
    const stats = await api<{ totalUsers: number; projectAdmins: number; subUsers: number }>(stack.base, 'GET', '/api/users/stats', {
      token: bearer,
    });
    expect(stats.body.data).toMatchObject({ totalUsers: 2, projectAdmins: 1, subUsers: 1 });
    for (const [key, value] of Object.entries({ totalUsers: 2, projectAdmins: 1, subUsers: 1 }))
      expect(await root.getByTestId(`stat-${key}`).textContent(), key).toContain(String(value));
  });
});
