/**
 * npm run build: src/ bundled into dist/main.js by esbuild. Loading ~500 ES modules one by one was 70% of
 * the start (kysely alone is 262); one file starts in about two thirds of the time. Types are checked by
 * `npm run typecheck` (part of `npm test`), not here. `--outfile=path` builds elsewhere (the bundle's test);
 * it must lie inside this folder, so that the external packages resolve from its node_modules.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

// Left to node_modules: native bindings, the database and Redis drivers (only the configured one is ever
// loaded), and what is loaded on first use or reads files next to its own code at run time.
const external = [
  'better-sqlite3',
  'pg',
  'mysql2',
  'ioredis',
  '@node-rs/argon2',
  '@node-rs/bcrypt',
  'nodemailer',
  '@zxcvbn-ts/language-common',
  // Fastify requires these only to compile JSON schemas and to inject requests, which zod's compilers
  // (src/app.ts) and a listening server never do: kept out, they cost neither parse time nor memory.
  'ajv',
  'ajv-formats',
  '@fastify/ajv-compiler',
  'fast-json-stringify',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
];

// zod's namespace export of its 48 locales keeps them all in the bundle (300 KB, an eighth of it);
// messages are English (zod's default, which it sets itself), so the bundle gets English only.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '../locales/english-only.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const outfile = process.argv.find((arg) => arg.startsWith('--outfile='))?.slice('--outfile='.length);
if (!outfile) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: outfile ?? new URL('../dist/main.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  plugins: [englishOnlyZod],
  sourcemap: 'linked',
  // V8 holds the whole source text for the process's life: without comments and indentation it is 2.4 MB, not
  // 3.7, and idle RSS is about 5 MB lower. Names are kept (full minification measured no smaller, with keepNames).
  minifyWhitespace: true,
  legalComments: 'eof',
  logLevel: 'warning',
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
