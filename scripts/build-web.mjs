/**
 * The dashboard's build (web/ → web/dist), run by `npm run build` (so by `npm start`): Vite, then a .br and a .gz
 * beside every asset (served as they are, as nginx's gzip_static does). Skipped when nothing it is built from
 * changed since the last build, so that a second `npm start` is as fast as the first was without it.
 * Prints the gzipped JavaScript the sign-in page loads (the entry chunk and what it imports statically).
 * `--force` builds anyway.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('..', import.meta.url));
const web = join(repo, 'web');
const dist = join(web, 'dist');
const stamp = join(dist, '.build-hash');

const filesUnder = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((name) => filesUnder(join(path, name)))
    : [path];

function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [
    'web/index.html',
    'web/vite.config.ts',
    'web/package.json',
    'web/src',
    'packages/client/src',
    'packages/contract/src',
    'package-lock.json',
  ];
  for (const input of inputs) {
    for (const file of filesUnder(join(repo, input)))
      hash.update(relative(repo, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** The gzipped size of the JavaScript a first visit to /login loads: the entry and its static imports. */
function signInPageJs() {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
  const seen = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const next of manifest[key].imports ?? []) visit(next);
  };
  visit(Object.keys(manifest).find((key) => manifest[key].isEntry));
  return [...seen].reduce((sum, key) => sum + readFileSync(join(dist, `${manifest[key].file}.gz`)).length, 0);
}

const hash = inputsHash();
if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
  console.log('dashboard: up to date (web/dist)');
} else {
  const started = Date.now();
  // React's production build whoever calls this: vitest's global set-up runs it with NODE_ENV=test, which would
  // give the development build (larger, slower) under the same stamp that `npm start` then trusts.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ root: web, logLevel: 'warn', configFile: join(web, 'vite.config.ts') });
  const assets = join(dist, 'assets');
  let total = 0;
  for (const name of readdirSync(assets)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const body = readFileSync(join(assets, name));
    const gz = gzipSync(body, { level: 9 });
    total += gz.length;
    writeFileSync(join(assets, `${name}.gz`), gz);
    writeFileSync(join(assets, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  writeFileSync(stamp, hash);
  console.log(
    `dashboard: built in ${((Date.now() - started) / 1000).toFixed(1)} s; every asset ${kb(total)} gzipped; the sign-in page loads ${kb(signInPageJs())} of gzipped JavaScript`,
  );
}
