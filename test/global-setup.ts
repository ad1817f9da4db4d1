import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The browser suite runs against the production build: build the service and the dashboard once, before any
 * test file starts (the dashboard's build is skipped when nothing it is built from changed).
 */
export default function setup() {
  if (!browserSuiteSelected()) return;
  const root = resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { cwd: root, stdio: 'inherit' });
}

/** The browser suite runs once, on SQLite: not in the PostgreSQL and MariaDB runs (vitest.config.ts). */
export const browserSuiteSelected = () => !process.env.TEST_DB || process.env.TEST_DB === 'sqlite';
