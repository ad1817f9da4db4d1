/**
 * The layers of src/ import one way (DESIGN.md "Layout"), type imports included:
 * http → services → { db, crypto, email }, everything → domain, and only the composition root
 * (app.ts, container.ts, main.ts, shutdown.ts) wires them together. Drivers stay in their folder.
 * `node scripts/check-layers.mjs` prints every import against the rules and exits 1 if there is one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = ['domain', 'errors', 'config'];
const ROOT = '(root)';

/** Which of our layers each layer may import (its own is always allowed). */
export const LAYERS = {
  domain: [],
  errors: ['domain'],
  config: ['domain', 'errors'],
  logger: BASE,
  observability: BASE,
  crypto: BASE,
  db: BASE,
  email: BASE,
  redis: BASE,
  services: [...BASE, 'crypto', 'db', 'email'],
  jobs: [...BASE, 'crypto', 'db', 'email', 'services'],
  http: [...BASE, 'observability', 'services'],
  [ROOT]: '*',
};

/** Packages that only some layers may import: the drivers, the HTTP framework, the shared contract. */
export const PACKAGES = [
  { test: /^(kysely|pg|pg-.*|mysql2|better-sqlite3)(\/|$)/, allowed: ['db'], what: 'a database driver or Kysely' },
  { test: /^ioredis(\/|$)/, allowed: ['redis', ROOT], what: 'the Redis client' },
  { test: /^nodemailer(\/|$)/, allowed: ['email'], what: 'the mail transport' },
  { test: /^(fastify|@fastify\/.*|fastify-.*)(\/|$)/, allowed: ['http', ROOT], what: 'Fastify' },
  { test: /^@xtown\/contract(\/|$)/, allowed: ['errors', 'http', ROOT], what: 'the HTTP contract' },
];

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source) {
  const found = [];
  for (const match of source.matchAll(IMPORT)) found.push(match[1] ?? match[2]);
  return found;
}

function filesUnder(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const layerOf = (srcRoot, file) => {
  const [first, ...rest] = relative(srcRoot, file).split(sep);
  if (rest.length) return first;
  return first === 'logger.ts' ? 'logger' : ROOT;
};

/** Every import in `srcRoot` that runs against the rules, as readable lines. */
export function layerViolations(srcRoot) {
  const problems = [];
  for (const file of filesUnder(srcRoot)) {
    const from = layerOf(srcRoot, file);
    const allowed = LAYERS[from];
    if (allowed === undefined) {
      problems.push(`${relative(srcRoot, file)}: the folder "${from}" is not a known layer`);
      continue;
    }
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(srcRoot + sep)) continue;
        const to = layerOf(srcRoot, target);
        if (to === from || allowed === '*' || allowed.includes(to)) continue;
        problems.push(
          `${relative(srcRoot, file)}: ${from}/ must not import ${to === ROOT ? 'the composition root' : `${to}/`} (${specifier})`,
        );
      } else {
        const rule = PACKAGES.find((candidate) => candidate.test.test(specifier));
        if (rule && !rule.allowed.includes(from))
          problems.push(`${relative(srcRoot, file)}: ${from}/ must not import ${rule.what} (${specifier})`);
      }
    }
  }
  return problems;
}

/** A package others import must stay small: only these packages, besides its own files. */
export function packageViolations(packageSrc, allowedPackages) {
  const problems = [];
  for (const file of filesUnder(packageSrc)) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!allowedPackages.includes(name))
        problems.push(`${relative(packageSrc, file)}: imports ${specifier}, outside ${allowedPackages.join(', ')}`);
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = [
    ...layerViolations(join(repo, 'src')),
    ...packageViolations(join(repo, 'packages/contract/src'), ['zod']).map((line) => `packages/contract/${line}`),
    // The browser client ships to every page: the contract (types) only, and React for its optional bindings
    // (react.tsx, a separate entry point: the core imports no framework).
    ...packageViolations(join(repo, 'packages/client/src'), ['@xtown/contract', 'react']).map((line) => `packages/client/${line}`),
  ];
  for (const line of problems) console.error(line);
  if (problems.length) {
    console.error(`\n${problems.length} import(s) against the layers (scripts/check-layers.mjs)`);
    process.exit(1);
  }
  console.log('layers: every import runs one way');
}
