import { afterEach, beforeEach } from 'vitest';
import { createDb, type Database } from '../../src/db/client.js';
import { buildTestApp, type TestApp, type TestAppOptions } from './app.js';

export interface TestWorld<W> {
  t: TestApp;
  /** What the suite's seed made: users, projects, signed-in sessions. */
  w: W;
  /** A second connection to the app's database, to seed or inspect rows behind the services' back. */
  raw: Database;
}

export interface TestWorldOptions {
  app?: TestAppOptions;
  rawPoolSize?: number;
}

/**
 * The per-test world most HTTP suites share: before each test, the real app over a fresh database,
 * the suite's `seed`, and a raw connection to that database, handed to `use` (which assigns them to
 * the suite's variables); after each test, all of it closed again, whatever part of it was built.
 * Hooks the suite registers after this one run after the seed, and their clean-up before the close.
 */
export function useTestWorld<W>(
  seed: (t: TestApp) => Promise<W>,
  use: (world: TestWorld<W>) => void,
  options: TestWorldOptions = {},
): void {
  let built: { t?: TestApp; raw?: Database } = {};
  beforeEach(async () => {
    const t = await buildTestApp(options.app);
    built = { t };
    const w = await seed(t);
    const raw = await createDb(t.config.databaseUrl, { poolSize: options.rawPoolSize ?? 1 });
    built.raw = raw;
    use({ t, w, raw });
  });
  afterEach(async () => {
    const { t, raw } = built;
    built = {};
    await raw?.destroy();
    await t?.close();
  });
}

/** useTestWorld for suites that start from an empty app and only need `t`. */
export function useTestApp(use: (t: TestApp) => void, options: TestAppOptions = {}): void {
  useTestWorld(
    async () => undefined,
    ({ t }) => use(t),
    { app: options },
  );
}
