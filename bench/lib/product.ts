import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as argon2 from '@node-rs/argon2';
import pg from 'pg';
import { createDb } from '../../src/db/client.js';
import { ARGON2_OPTIONS } from '../../src/crypto/passwords.js';
import { call, mapLimit } from './http.js';
import { freePort, startServer, type Server } from './process.js';
import type { SmtpSink } from './smtp-sink.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PASSWORD = 'Bench-Passw0rd-Lz9q';
const SETUP_TOKEN = 'bench-setup-token-0123456789abcdef';
/** The Super Admin seed() registers (password PASSWORD). */
export const ADMIN_EMAIL = 'admin@bench.test';

export interface BenchDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one run: a new SQLite file, or a new PostgreSQL database dropped afterwards. */
export async function createDatabase(kind: DatabaseKind, workDir: string, adminUrl: string): Promise<BenchDatabase> {
  if (kind === 'sqlite') return { kind, url: `file:${join(workDir, 'xtown-bench.db')}`, drop: async () => {} };
  const name = `xtown_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'xtown-bench-'));
}

export interface ProductOptions {
  databaseUrl: string;
  smtpPort: number;
  mode: 'production' | 'development';
  logFile: string;
  port?: number;
  /** Extra node flags, e.g. ['--cpu-prof'] to profile the server under load. */
  nodeArgs?: string[];
  /** Extra environment, over the defaults below. */
  env?: NodeJS.ProcessEnv;
  /** The bundle to start, relative to the root; default dist/main.js (bench/scenarios/backend-budget.ts starts a variant). */
  entry?: string;
}

/**
 * The production build as an operator would start it, with the limits raised (the harness hits it
 * from one address), the lockout threshold raised, and TRUST_PROXY=1 so that each simulated project backend brings its own
 * X-Forwarded-For: validate-token's budget of 6,000 per minute per client IP is not configurable.
 */
export async function startProduct(options: ProductOptions): Promise<Server> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: options.mode,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ALLOW_HTTP_PUBLIC_URL: 'true',
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET: 'bench-secret-0123456789abcdef0123456789abcdef',
    SETUP_TOKEN,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(options.smtpPort),
    SMTP_FROM: 'Xtown Bench <bench@localhost>',
    RATE_LIMIT_MAX_REQUESTS: '10000000',
    LOGIN_RATE_LIMIT_MAX: '1000000',
    // A rotation chain rotates hundreds of times a second: at the default 30 per session it broke after 30.
    REFRESH_RATE_LIMIT_MAX: '10000000',
    TRUST_PROXY: '1',
    // A margin: the storm signs the same accounts in again and again (a 503 counts no attempt since the
    // hash pool admits a login before any database work; it did once, and locked the bench's users out).
    LOCKOUT_THRESHOLD: '1000',
    ...(options.mode === 'development' ? { LOG_LEVEL: 'warn' } : {}),
    ...productEnvFromBench(),
    ...options.env,
  };
  return startServer({
    args: [...(options.nodeArgs ?? []), options.entry ?? 'dist/main.js'],
    env,
    port,
    healthPath: '/health',
    logFile: options.logFile,
    cwd: ROOT,
  });
}

/**
 * BENCH_PRODUCT_ENV="KEY=VALUE KEY2=VALUE2": extra environment for every instance the bench starts, to measure a
 * deployment setting (e.g. MALLOC_ARENA_MAX=2) with the same scenarios.
 */
function productEnvFromBench(): NodeJS.ProcessEnv {
  const pairs = (process.env.BENCH_PRODUCT_ENV ?? '').split(/\s+/).filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

export interface Session {
  userId: number;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * The Super Admin through HTTP (setup token, OTP from the SMTP sink), three projects through the API,
 * `users` Project Admins written straight into the database with an argon2id hash of the default
 * parameters, each assigned the three projects, then each signed in once through HTTP.
 */
export async function seed(server: Server, databaseUrl: string, sink: SmtpSink, users: number): Promise<Session[]> {
  const base = server.url;
  const adminEmail = ADMIN_EMAIL;
  await call(base, 'POST', '/api/auth/register', {
    body: { setupToken: SETUP_TOKEN, name: 'Bench Admin', email: adminEmail, password: PASSWORD },
    expect: 201,
  });
  const otp = await sink.otpFor(adminEmail);
  const admin = await call(base, 'POST', '/api/auth/verify-registration-otp', { body: { email: adminEmail, otp } });
  const bearer = { authorization: `Bearer ${admin.json.data.accessToken}` };
  const adminId = admin.json.data.user.id as number;
  const projectIds: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const project = await call(base, 'POST', '/api/projects', {
      headers: bearer,
      expect: 201,
      body: { customProjectId: `bench-${i}`, name: `Bench project ${i}`, projectUrl: `https://p${i}.bench.test` },
    });
    projectIds.push(project.json.data.id);
  }

  const hash = await argon2.hash(PASSWORD, ARGON2_OPTIONS);
  const emails = Array.from({ length: users }, (_, i) => `user${String(i).padStart(5, '0')}@bench.test`);
  const database = await createDb(databaseUrl, { poolSize: 2 });
  try {
    const now = new Date();
    for (let from = 0; from < emails.length; from += 100) {
      const rows = emails.slice(from, from + 100).map((email, i) => ({
        name: `Bench User ${from + i}`,
        email,
        password: hash,
        role: 'ADMIN' as const,
        customRole: 'Developer',
        companyName: 'Bench Corp',
        companyAddress: '1 Load St',
        companyPhone: '+15550100',
        isActive: true,
        isSuspended: false,
        subUserLimit: 5,
        createdById: adminId,
        createdAt: now,
        updatedAt: now,
        failedLoginCount: 0,
      }));
      await database.db.insertInto('users').values(rows).execute();
    }
    const ids = await database.db.selectFrom('users').select('id').where('email', 'in', emails).execute();
    const links = ids.flatMap(({ id }) => projectIds.map((projectId) => ({ userId: id, projectId, assignedAt: now, isActive: true })));
    for (let from = 0; from < links.length; from += 300) {
      await database.db
        .insertInto('user_projects')
        .values(links.slice(from, from + 300))
        .execute();
    }
  } finally {
    await database.destroy();
  }

  return mapLimit(emails, 8, async (email) => {
    const { json } = await call(base, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    return { userId: json.data.user.id, email, accessToken: json.data.accessToken, refreshToken: json.data.refreshToken };
  });
}
