/**
 * npm run screenshots: every page of the dashboard, light and dark, at desktop (1280) and phone (390) widths, into
 * screenshots/ (not committed); the light desktop ones also into docs/screenshots/ for the README. Runs the
 * production build on a fresh SQLite database with a seeded organization (test/browser/showcase.ts).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { pagesOf, seedShowcase, type Who } from '../test/browser/showcase.ts';
import { settled, startStack } from '../test/browser/stack.ts';
import { signIn } from '../test/browser/world.ts';

const OUT = 'screenshots';
const DOCS = 'docs/screenshots';
mkdirSync(OUT, { recursive: true });
mkdirSync(DOCS, { recursive: true });

// Each role signs in once per variant: more than the default 5 sign-ins per address and email in 15 minutes.
const stack = await startStack({ LOGIN_RATE_LIMIT_MAX: '100' });
const variants = [
  { name: 'light-desktop', dark: false, phone: false },
  { name: 'dark-desktop', dark: true, phone: false },
  { name: 'light-phone', dark: false, phone: true },
  { name: 'dark-phone', dark: true, phone: true },
];
const written: string[] = [];
async function shoot(page: Page, name: string, variant: (typeof variants)[number]) {
  await settled(page);
  const file = join(OUT, `${name}.${variant.name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (variant.name === 'light-desktop') copyFileSync(file, join(DOCS, `${name}.png`));
  written.push(file);
}

try {
  for (const variant of variants) {
    const context = await stack.newContext(variant);
    const page = await context.newPage();
    await page.goto('/setup');
    await shoot(page, 'setup', variant);
    await context.close();
  }
  const world = await seedShowcase(stack);
  const people = { root: world.root, admin: world.admin, sub: world.sub };
  for (const variant of variants) {
    const contexts = new Map<Who, BrowserContext>();
    for (const [name, path, who] of pagesOf(world)) {
      let context = contexts.get(who);
      if (!context) {
        context = await stack.newContext(variant);
        contexts.set(who, context);
        if (who !== 'nobody') await signIn(await context.newPage(), people[who]);
      }
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(path);
      await shoot(page, name, variant);
    }
    for (const context of contexts.values()) await context.close();
  }
  console.log(`${written.length} screenshots in ${OUT}/, the light desktop ones in ${DOCS}/`);
} finally {
  await stack.close();
}
