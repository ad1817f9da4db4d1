import { defineConfig } from 'vitest/config';

// The browser suite drives Chromium against a service of its own on SQLite: run once, not per dialect.
const otherDialect = process.env.TEST_DB !== undefined && process.env.TEST_DB !== 'sqlite';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: otherDialect ? ['test/browser/**', '**/node_modules/**'] : ['**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
