import './timeouts.js';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesOf, type Showcase, seedShowcase, type Who } from './showcase.js';
import { field, type Stack, settled, startStack } from './stack.js';
import { signIn } from './world.js';

/** The rules whose outcome depends on the colours: all a second theme can change (structure and names stay). */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** axe-core's serious and critical findings on the page as it stands (only the colour rules: `coloursOnly`), as readable lines. */
async function seriousViolations(page: Page, coloursOnly = false): Promise<string[]> {
  const builder = new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const result = await (coloursOnly ? builder.withRules(COLOUR_RULES) : builder).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe('accessibility', () => {
  let stack: Stack;
  let world: Showcase;
  beforeAll(async () => {
    stack = await startStack({ LOGIN_RATE_LIMIT_MAX: '100' });
  });
  afterAll(async () => stack?.close());

  it('the setup wizard has no serious or critical violation, light or dark', async () => {
    for (const dark of [false, true]) {
      const context = await stack.newContext({ dark });
      const page = await context.newPage();
      await page.goto('/setup');
      await page.getByRole('button', { name: 'Create the Super Admin' }).waitFor();
      expect(await seriousViolations(page), `setup, ${dark ? 'dark' : 'light'}`).toEqual([]);
      await context.close();
    }
    world = await seedShowcase(stack);
  }, 120_000);

  it.each([false, true])(
    'no page has a serious or critical violation (dark: %s; in dark only the colour rules, the rest cannot change)',
    async (dark) => {
      const people = { root: world.root, admin: world.admin, sub: world.sub };
      const contexts = new Map<Who, BrowserContext>();
      const found: string[] = [];
      for (const [name, path, who] of pagesOf(world)) {
        let context = contexts.get(who);
        if (!context) {
          context = await stack.newContext({ dark });
          contexts.set(who, context);
          if (who !== 'nobody') await signIn(await context.newPage(), people[who]);
        }
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(path);
        await settled(page);
        found.push(...(await seriousViolations(page, dark)).map((line) => `${name}: ${line}`));
      }
      for (const context of contexts.values()) await context.close();
      expect(found).toEqual([]);
    },
    300_000,
  );

  it('signs in with the keyboard alone, with a visible focus on each control', async () => {
    const context = await stack.newContext();
    const page = await context.newPage();
    await page.goto('/login');
    await field(page, 'Email').waitFor();
    // Focus is visible when the focused control looks different from itself unfocused: an outline (buttons) or
    // the accent border (Mantine's inputs).
    const focusedOutline = () =>
      page.evaluate(async () => {
        const element = document.activeElement as HTMLElement;
        const look = async () => {
          // A CSS transition (Mantine's border colour) is over only when its animation has finished.
          await Promise.all(element.getAnimations().map((animation) => animation.finished));
          const style = getComputedStyle(element);
          return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.borderColor, style.boxShadow].join('|');
        };
        const focused = await look();
        element.blur();
        const blurred = await look();
        element.focus();
        return { tag: element.tagName, outline: focused !== blurred };
      });
    // From the top of the page: the theme switch, then the email, then the password.
    await page.keyboard.press('Tab');
    expect(await focusedOutline()).toEqual({ tag: 'BUTTON', outline: true });
    await page.keyboard.press('Tab');
    expect(await focusedOutline()).toEqual({ tag: 'INPUT', outline: true });
    await page.keyboard.type(world.admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(world.admin.password);
    await page.keyboard.press('Enter');
    await page.getByTestId('user-menu').waitFor();
    await context.close();
  });
});
