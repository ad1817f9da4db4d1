import { defineConfig } from 'vitest/config';

/**
 * CI runs every suite on SQLite (`npm test`), then again with TEST_DB=postgres and TEST_DB=mysql. The suites that
 * never touch the selected database (the browser, the client, the bundle and process suites on their own SQLite
 * file, pure units) run in the first run only.
 */
const DIALECT_FREE = [
  'test/bench/**',
  'test/browser/**',
  'test/structure/**',
  'test/client/session.test.ts',
  'test/client/tabs.test.ts',
  'test/config.test.ts',
  'test/crypto/jwt.test.ts',
  'test/crypto/loop-governor.test.ts',
  'test/crypto/passwords.test.ts',
  'test/email/mailer.test.ts',
  'test/example/**',
  'test/email/templates.test.ts',
  'test/http/address-key.test.ts',
  'test/http/dashboard.test.ts',
  'test/http/password-policy.test.ts',
  'test/http/route-declaration.test.ts',
  'test/interop/**',
  'test/process/bundle.test.ts',
  'test/process/drain-stall.test.ts',
  'test/process/keys-cli.test.ts',
  'test/process/shutdown.test.ts',
  'test/services/auth-state.test.ts',
  'test/services/rate-limiter.test.ts',
  'test/services/redis-rate-limit.test.ts',
  'test/verify/**',
];
const otherDialect = process.env.TEST_DB !== undefined && process.env.TEST_DB !== 'sqlite';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/browser/**', ...(otherDialect ? DIALECT_FREE : [])],
        },
      },
      // Each browser suite runs a server and a Chromium of its own: one at a time, beside the server suites.
      ...(otherDialect
        ? []
        : [{ extends: true as const, test: { name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } }]),
    ],
  },
});
