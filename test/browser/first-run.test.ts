import './timeouts.js';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { field, SETUP_TOKEN, type Stack, scriptReadableStorage, startStack } from './stack.js';

const ROOT = { name: 'Ada Root', email: 'ada@acme.test', password: 'Sup3r-secret-pw' };

describe('first run, sign-in and recovery in the browser', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    stack = await startStack();
    context = await stack.newContext();
    page = await context.newPage();
  });
  afterAll(async () => stack?.close());

  it('sends a first visitor to the setup wizard, which registers the Super Admin with the setup token and the emailed OTP', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await expect.poll(() => page.getByRole('heading', { name: 'Set up the Xtown Authenticator' }).isVisible()).toBe(true);
    // Where the token is printed is said on the page.
    expect(await page.getByText('Printed in the server console').isVisible()).toBe(true);

    await field(page, 'Setup token').fill('not-the-token');
    await field(page, 'Your name').fill(ROOT.name);
    await field(page, 'Email').fill(ROOT.email);
    await field(page, 'Password').fill('short1');
    // The rules are shown as one types: the length rule is not met yet.
    expect(await page.locator('[data-ok="false"]', { hasText: 'at least 8 characters' }).count()).toBe(1);
    await field(page, 'Password').fill(ROOT.password);
    expect(await page.locator('[data-ok="true"]').count()).toBe(3);
    await field(page, 'Company name').fill('Acme');
    await page.getByRole('button', { name: 'Create the Super Admin' }).click();
    // A wrong token is said at its field.
    await page.getByText('The setup token is not correct').waitFor();

    await field(page, 'Setup token').fill(SETUP_TOKEN);
    const mark = stack.mark();
    await page.getByRole('button', { name: 'Create the Super Admin' }).click();
    await page.getByText(`We emailed a code to ${ROOT.email}`).waitFor();
    // The resend button counts down the cooldown.
    expect(await page.getByRole('button', { name: /Send a new code in \d+ s/ }).isDisabled()).toBe(true);

    await field(page, 'Code from the email').fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('This code is not correct or has expired').waitFor();
    await field(page, 'Code from the email').fill(await stack.otpFor(ROOT.email, mark));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(`${stack.base}/`);
    await page.getByRole('button', { name: /Ada Root, Super Admin/ }).waitFor();
  });

  it('keeps the session across a reload, with no token in any script-readable storage', async () => {
    await page.reload();
    await page.getByRole('button', { name: /Ada Root, Super Admin/ }).waitFor();
    const readable = await scriptReadableStorage(page);
    expect(readable).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === 'xtown_refresh');
    expect(refresh?.httpOnly).toBe(true);
    expect(readable.includes(refresh!.value)).toBe(false);
  });

  it('has no wizard once the Super Admin exists', async () => {
    await page.goto('/setup');
    await page.waitForURL(`${stack.base}/`);
    const visitor = await (await stack.newContext()).newPage();
    await visitor.goto('/setup');
    await visitor.waitForURL('**/login');
    await visitor.context().close();
  });

  it('signs out, and says why a sign-in fails in words', async () => {
    await page.getByRole('button', { name: /Ada Root, Super Admin/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect(await context.cookies().then((all) => all.some((cookie) => cookie.name === 'xtown_refresh' && cookie.value))).toBe(false);

    await field(page, 'Email').fill(ROOT.email);
    await field(page, 'Password').fill('Wr0ng-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is not correct.').waitFor();

    // A new attempt that fails in the page clears the previous attempt's answer from the server.
    await field(page, 'Email').fill('not-an-address');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter a valid email address').waitFor();
    expect(await page.getByTestId('form-error').count()).toBe(0);

    await field(page, 'Email').fill(ROOT.email);
    await field(page, 'Password').fill(ROOT.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.base}/`);
    await page.getByRole('button', { name: /Ada Root, Super Admin/ }).waitFor();
  });

  it('resets a forgotten password with the emailed code, which ends the session', async () => {
    const other = await (await stack.newContext()).newPage();
    await other.goto('/login');
    await other.getByRole('link', { name: 'Forgot your password?' }).click();
    await other.waitForURL('**/reset-password');
    await other.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await field(other, 'Email').fill(ROOT.email);
    const mark = stack.mark();
    await other.getByRole('button', { name: 'Send the code' }).click();
    await other.waitForURL(/reset-password\?email=/);
    const otp = await stack.otpFor(ROOT.email, mark);
    await field(other, 'Code from the email').fill(otp);
    await field(other, 'New password').fill('An0ther-secret-pw');
    await other.getByRole('button', { name: 'Set the new password' }).click();
    await other.getByText('Your password is changed').waitFor();
    await other.getByRole('link', { name: 'Sign in' }).click();
    await field(other, 'Password').fill('An0ther-secret-pw');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.waitForURL(`${stack.base}/`);

    // The first browser's session was ended by the reset: its next call signs it out with the reason.
    await page.reload();
    await page.waitForURL('**/login');
    await until(
      'the reason to be shown',
      () =>
        page
          .getByTestId('signed-out-reason')
          .isVisible()
          .catch(() => false),
      10_000,
    );
    expect(await page.getByTestId('signed-out-reason').textContent()).toMatch(/password was changed/);
    await other.context().close();
  });
});
