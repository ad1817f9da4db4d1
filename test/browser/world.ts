import type { Page } from 'playwright-core';
import { api, field, SETUP_TOKEN, type Stack } from './stack.js';

/** Seeding through the API (fast), so that each browser test drives only the part it is about. */
export interface Person {
  id: number;
  name: string;
  email: string;
  password: string;
  token: string;
}

export const PASSWORD = 'Sup3r-secret-pw';

/** Registers and verifies the Super Admin (the emailed OTP read from the SMTP peer). */
export async function seedSuperAdmin(stack: Stack, name = 'Ada Root', email = 'ada@acme.test'): Promise<Person> {
  const mark = stack.mark();
  const registered = await api(stack.base, 'POST', '/api/auth/register', {
    body: { setupToken: SETUP_TOKEN, name, email, password: PASSWORD },
  });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  const otp = await stack.otpFor(email, mark);
  const verified = await api<{ accessToken: string; user: { id: number } }>(stack.base, 'POST', '/api/auth/verify-registration-otp', {
    body: { email, otp },
  });
  return { id: verified.body.data.user.id, name, email, password: PASSWORD, token: verified.body.data.accessToken };
}

export async function seedProject(stack: Stack, by: Person, body: Record<string, unknown>) {
  const created = await api<{ id: number; customProjectId: string; clientSecret: string }>(stack.base, 'POST', '/api/projects', {
    token: by.token,
    body,
  });
  if (created.status !== 201) throw new Error(`create project answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.data;
}

/** Creates a Project Admin (by the Super Admin) or a Sub User (by an Admin), and activates it with the emailed OTP. */
export async function seedUser(
  stack: Stack,
  by: Person,
  kind: 'project-admin' | 'sub-user',
  body: { name: string; email: string; [field: string]: unknown },
): Promise<Person> {
  const mark = stack.mark();
  const created = await api<{ id: number }>(stack.base, 'POST', `/api/users/${kind}`, { token: by.token, body });
  if (created.status !== 201) throw new Error(`create ${kind} answered ${created.status}: ${JSON.stringify(created.body)}`);
  const otp = await stack.otpFor(body.email, mark);
  const activated = await api<{ accessToken: string }>(stack.base, 'POST', '/api/auth/activate-account', {
    body: { email: body.email, otp, password: PASSWORD },
  });
  if (activated.status !== 200) throw new Error(`activate answered ${activated.status}`);
  return { id: created.body.data.id, name: body.name, email: body.email, password: PASSWORD, token: activated.body.data.accessToken };
}

/** Signs in through the sign-in page and waits for the signed-in frame. */
export async function signIn(page: Page, person: Pick<Person, 'email' | 'password' | 'name'>) {
  await page.goto('/login');
  await field(page, 'Email').fill(person.email);
  await field(page, 'Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
}
