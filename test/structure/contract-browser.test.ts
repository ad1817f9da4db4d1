import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = new URL('../../packages/contract/src/index.ts', import.meta.url).pathname;

/** The contract as a browser gets it: bundled for the browser platform, run where Node's globals do not exist. */
async function loadInABrowserLikeContext(): Promise<Record<string, any>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'contract',
    write: false,
    logLevel: 'silent',
  });
  const context: Record<string, unknown> = { console, URL };
  runInNewContext(`${result.outputFiles[0]!.text};globalThis.contract = contract;`, context);
  expect(context).not.toHaveProperty('process');
  return context.contract as Record<string, any>;
}

describe('the contract package', () => {
  it('bundles for a browser (no Node built-in) and validates there as the server does', async () => {
    const c = await loadInABrowserLikeContext();
    const good = c.auth.loginBody.safeParse({ email: '  Ada@Example.COM ', password: 'x' });
    expect(good.success).toBe(true);
    expect(good.data.email).toBe('ada@example.com');
    expect(c.auth.loginBody.safeParse({ email: 'ada@example.com', password: 'x', role: 'SUPER_ADMIN' }).success).toBe(false);

    const weak = c.auth.registerBody.safeParse({ setupToken: 't', name: 'Ada', email: 'ada@example.com', password: 'short1' });
    expect(weak.success).toBe(false);
    expect(weak.error.issues.map((issue: { path: string[]; message: string }) => [issue.path.join('.'), issue.message])).toEqual([
      ['password', 'Password must be at least 8 characters'],
    ]);
    expect(c.ERROR_CATALOGUE.RATE_LIMITED.status).toBe(429);
  });
});
