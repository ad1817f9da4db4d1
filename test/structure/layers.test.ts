import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, without types
import { layerViolations, packageViolations } from '../../scripts/check-layers.mjs';

const repo = join(import.meta.dirname, '../..');
const check = layerViolations as (srcRoot: string) => string[];
const checkPackage = packageViolations as (packageSrc: string, allowed: string[]) => string[];

const scratch = mkdtempSync(join(tmpdir(), 'layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let trees = 0;
/** A src/ tree of the given files; returns its violations. */
function violationsOf(files: Record<string, string>): string[] {
  const root = join(scratch, `tree-${++trees}`);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return check(root);
}

describe('the layering check', () => {
  it('finds no import against the layers in src/, none but zod in the contract package, none but the contract (and React for its bindings) in the client', () => {
    expect(check(join(repo, 'src'))).toEqual([]);
    expect(checkPackage(join(repo, 'packages/contract/src'), ['zod'])).toEqual([]);
    expect(checkPackage(join(repo, 'packages/client/src'), ['@xtown/contract', 'react'])).toEqual([]);
    // React only in the bindings' own entry point: the core stays framework-free.
    expect(checkPackage(join(repo, 'packages/client/src'), ['@xtown/contract']).every((line) => line.startsWith('react.tsx:'))).toBe(true);
  });

  it('refuses an upward import, type imports and re-exports included', () => {
    const problems = violationsOf({
      'domain/clock.ts': 'export interface Clock { now(): Date }',
      'services/models.ts': 'export interface User { id: number }',
      'crypto/jwt.ts': "import type { User } from '../services/models.js';\nimport type { Clock } from '../domain/clock.js';",
      'db/users.ts': "export type { User } from '../services/models.js';",
      'domain/ports.ts': "import { type Thing } from '../db/users.js';",
    });
    expect(problems.sort()).toEqual([
      'crypto/jwt.ts: crypto/ must not import services/ (../services/models.js)',
      'db/users.ts: db/ must not import services/ (../services/models.js)',
      'domain/ports.ts: domain/ must not import db/ (../db/users.js)',
    ]);
  });

  it('keeps http/ away from db/ and crypto/, and Fastify out of services/', () => {
    const problems = violationsOf({
      'db/values.ts': 'export const x = 1;',
      'crypto/keys.ts': 'export const y = 1;',
      'services/users.ts': "import type { FastifyRequest } from 'fastify';",
      'http/routes/users.ts': "import { x } from '../../db/values.js';\nconst keys = await import('../../crypto/keys.js');",
    });
    expect(problems.sort()).toEqual([
      'http/routes/users.ts: http/ must not import crypto/ (../../crypto/keys.js)',
      'http/routes/users.ts: http/ must not import db/ (../../db/values.js)',
      'services/users.ts: services/ must not import Fastify (fastify)',
    ]);
  });

  it('lets only db/ load Kysely or a database driver, and only redis/ the Redis client', () => {
    const problems = violationsOf({
      'db/client.ts': "import { Kysely } from 'kysely';\nimport pg from 'pg';",
      'services/stats.ts': "import { sql } from 'kysely';",
      'jobs/cleanup.ts': "import Database from 'better-sqlite3';",
      'services/limits.ts': "import Redis from 'ioredis';",
      'redis/link.ts': "import Redis from 'ioredis';",
    });
    expect(problems.sort()).toEqual([
      'jobs/cleanup.ts: jobs/ must not import a database driver or Kysely (better-sqlite3)',
      'services/limits.ts: services/ must not import the Redis client (ioredis)',
      'services/stats.ts: services/ must not import a database driver or Kysely (kysely)',
    ]);
  });

  it('lets the composition root import anything, and names a folder that is no layer', () => {
    expect(
      violationsOf({
        'db/client.ts': '',
        'http/app.ts': '',
        'container.ts': "import '../x/db/client.js';\nimport './db/client.js';\nimport './http/app.js';",
      }),
    ).toEqual([]);
    expect(violationsOf({ 'misc/helpers.ts': 'export const z = 1;' })).toEqual(['misc/helpers.ts: the folder "misc" is not a known layer']);
  });

  it('holds a shared package to its allowed dependencies', () => {
    const root = join(scratch, 'package');
    mkdirSync(root);
    writeFileSync(join(root, 'index.ts'), "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\nimport { a } from './a.js';");
    expect(checkPackage(root, ['zod'])).toEqual(['index.ts: imports node:fs, outside zod']);
  });
});
