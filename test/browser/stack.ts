import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type SmtpPeer, startSmtpPeer } from '../helpers/mailer.js';
import { until } from '../helpers/until.js';
import { type Service, startService } from '../process/service.js';

export const SETUP_TOKEN = 'browser-setup-token-0123456789';
export const CHROMIUM = '/usr/bin/chromium';
const BUNDLE = resolve(import.meta.dirname, '../../dist/main.js');

// Chromium's start-up connections are refused by the closed network without these (the machine's notes).
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Stack {
  service: Service;
  smtp: SmtpPeer;
  browser: Browser;
  base: string;
  /** A fresh browser profile (its own cookies and storage), as a second person's browser. */
  newContext(options?: { phone?: boolean; dark?: boolean }): Promise<BrowserContext>;
  /** The number of messages received so far: pass it to `otpFor` to read only what came after. */
  mark(): number;
  /** The digits of the newest email to `to` received after `mark`. */
  otpFor(to: string, mark: number): Promise<string>;
  /** The newest email to `to` received after `mark`. */
  emailFor(to: string, mark: number): Promise<{ subject: string; text: string }>;
  close(): Promise<void>;
}

/**
 * The production build (dist/main.js serving web/dist) on a fresh SQLite database, emails delivered to a real
 * SMTP peer, and Debian's Chromium driven by playwright-core. The global set-up has built both.
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const smtp = await startSmtpPeer();
  const service = await startService(
    { SETUP_TOKEN, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'hub@acme.test', ...env },
    BUNDLE,
  );
  const base = service.base;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const emailFor = async (to: string, mark: number) =>
    until(
      `an email to ${to}`,
      () =>
        smtp.messages
          .slice(mark)
          .filter((message) => message.to === to)
          .at(-1),
      15_000,
    );
  return {
    service,
    smtp,
    browser,
    base,
    async newContext({ phone = false, dark = false } = {}) {
      const context = await browser.newContext({
        baseURL: base,
        colorScheme: dark ? 'dark' : 'light',
        viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
        ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      // Two cores shared with the server, argon2 and the other suites: a wait is bounded, not timed.
      context.setDefaultTimeout(60_000);
      return context;
    },
    mark: () => smtp.messages.length,
    emailFor,
    async otpFor(to, mark) {
      const email = await emailFor(to, mark);
      const code = /\b(\d{6})\b/.exec(email.text)?.[1];
      if (!code) throw new Error(`no code in the email to ${to}: ${email.subject}`);
      return code;
    },
    async close() {
      await browser.close().catch(() => undefined);
      service.kill();
      await smtp.stop();
    },
  };
}

/** What any script of the page can read: storage, readable cookies, IndexedDB's database names. */
export async function scriptReadableStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const all: string[] = [document.cookie];
    for (const storage of [localStorage, sessionStorage])
      for (let i = 0; i < storage.length; i++) all.push(`${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
    const databases = (await indexedDB.databases?.()) ?? [];
    all.push(...databases.map((database) => database.name ?? ''));
    return all.join('\n');
  });
}

/** Calls the API from the test (not the browser), as a script would. */
export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: { success: boolean; data: T; error?: { code: string } } }> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** A form field by its whole label (a required field's label ends with Mantine's " *"). */
export const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));

/** Waits until the page has no request in flight and shows no loader (a page ready to be looked at). */
export async function settled(page: Page) {
  await page.waitForLoadState('networkidle');
  await page
    .locator('[aria-busy="true"]')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  await page.waitForLoadState('networkidle');
}
