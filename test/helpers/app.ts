import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createContainer, type Container } from '../../src/container.js';
import type { EventHubOptions } from '../../src/services/events/hub.js';
import { createLogger } from '../../src/logger.js';
import { fixedClock } from '../../src/domain/clock.js';
import { CLIENT_SECRET_PURPOSE } from '../../src/services/auth/project-access.js';
import { createTestDatabase } from './database.js';
import { createCapturingMailer, type CapturingMailer } from './mailer.js';

export const SETUP_TOKEN = 'test-setup-token-0123456789';
export const STRONG_PASSWORD = 'Corr3ct-Horse-Battery';

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (generous limits, a fixed secret and setup token). */
  env?: Record<string, string>;
  /** Keep the real mailer chosen by the configuration (SMTP tests). */
  realMailer?: boolean;
  /** The built dashboard it serves (web/dist by default). */
  dashboardFolder?: string;
  /** The app reaches its fresh test database through this URL instead (e.g. via a TCP proxy); dropping it still uses the real one. */
  databaseUrl?: (url: string) => string;
  /** Another instance of the same service: joins this database (another TestApp's `sharedDatabaseUrl`) instead of a fresh one, and does not drop it. */
  joinDatabase?: string;
  /** Prefix of Redis keys and channels; apps that play instances of one service share one, each test its own. */
  redisKeyPrefix?: string;
  /** The events hub's intervals (a short heartbeat makes the secret and deletion checks quick). */
  events?: EventHubOptions;
}

export interface TestApp {
  app: FastifyInstance;
  container: Container;
  config: Config;
  /** The test database's own URL (config.databaseUrl may go through a proxy): what `joinDatabase` takes. */
  sharedDatabaseUrl: string;
  mailer: CapturingMailer;
  clock: ReturnType<typeof fixedClock>;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The real app over a fresh database of TEST_DB, with a fixed clock, a capturing mailer and captured logs. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testDb = options.joinDatabase ? { url: options.joinDatabase, drop: async () => {} } : await createTestDatabase();
  const cwd = mkdtempSync(join(tmpdir(), 'xtown-cwd-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: options.databaseUrl ? options.databaseUrl(testDb.url) : testDb.url,
      JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
      SETUP_TOKEN,
      RATE_LIMIT_MAX_REQUESTS: '100000',
      LOGIN_RATE_LIMIT_MAX: '1000',
      RATE_LIMIT_MAX_AUTHENTICATED: '1000000',
      LOGIN_FAILURES_PER_IP_MAX: '10000',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    cwd,
  );
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        rawLogs.push(line);
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ msg: line });
        }
      }
      done();
    },
  });
  const clock = fixedClock(new Date());
  const mailer = createCapturingMailer();
  const container = await createContainer(config, {
    clock,
    mailer: options.realMailer ? undefined : mailer,
    logger: createLogger(config, sink),
    outbox: { pollIntervalMs: 50 },
    redisKeyPrefix: options.redisKeyPrefix,
    events: options.events,
  });
  const app = await createApp(container, options.dashboardFolder ? { dashboardFolder: options.dashboardFolder } : {});
  await app.ready();
  container.worker.start();

  const request = (opts: InjectOptions) => app.inject({ remoteAddress: '127.0.0.1', ...opts });
  return {
    app,
    container,
    config,
    sharedDatabaseUrl: testDb.url,
    mailer,
    clock,
    logs,
    rawLogs,
    request,
    post: (url, body, headers) => request({ method: 'POST', url, payload: body as InjectOptions['payload'], headers }),
    get: (url, headers) => request({ method: 'GET', url, headers }),
    async close() {
      await app.close();
      await container.close();
      await testDb.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The digits of the first OTP email to `to` sent after `mark` (t.mailer.mark(), taken before the
 * request that sends it), waiting for it: an older code, e.g. the one a resend replaced, is never returned.
 */
export async function otpFor(t: TestApp, to: string, mark: number, subjectHint?: RegExp): Promise<string> {
  const matches = (m: { to: string; text: string; subject: string }) =>
    m.to === to && /\b\d{6}\b/.test(m.text) && (!subjectHint || subjectHint.test(m.subject));
  const email = await t.mailer.waitFor(matches, 3000, mark).catch(() => undefined);
  if (!email) throw new Error(`no OTP email to ${to} after mark ${mark} (${t.mailer.sent.length} emails sent)`);
  return /\b(\d{6})\b/.exec(email.text)![1]!;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: number; email: string; role: string; projects: Array<{ id: number; customProjectId: string }> };
}

/** Registers and verifies the Super Admin through HTTP. */
export async function registerSuperAdmin(t: TestApp, email = 'root@acme.test', password = STRONG_PASSWORD): Promise<Session> {
  const mark = t.mailer.mark();
  const registered = await t.post('/api/auth/register', { setupToken: SETUP_TOKEN, name: 'Root Admin', email, password });
  if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
  const otp = await otpFor(t, email, mark);
  const verified = await t.post('/api/auth/verify-registration-otp', { email, otp });
  if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.body}`);
  return verified.json().data as Session;
}

export async function login(t: TestApp, email: string, password = STRONG_PASSWORD): Promise<Session> {
  const response = await t.post('/api/auth/login', { email, password });
  if (response.statusCode !== 200) throw new Error(`login failed (${response.statusCode}): ${response.body}`);
  return response.json().data as Session;
}

/**
 * Creates an activated user directly in the database (the /api/users routes come with the
 * administration issue), with a real password hash.
 */
export async function seedUser(
  t: TestApp,
  input: {
    email: string;
    role?: 'ADMIN' | 'SUB_USER';
    password?: string | null;
    isActive?: boolean;
    isSuspended?: boolean;
    projectIds?: number[];
    createdById?: number;
    passwordHash?: string;
  },
): Promise<number> {
  const now = t.clock.now();
  const password = input.password === undefined ? STRONG_PASSWORD : input.password;
  const hash = input.passwordHash ?? (password === null ? null : await t.container.hasher.hash(password));
  const id = await t.container.store.repos.users.insert({
    name: input.email.split('@')[0]!,
    email: input.email,
    password: hash,
    role: input.role ?? 'ADMIN',
    customRole: null,
    companyName: 'Acme',
    companyAddress: null,
    companyPhone: null,
    isActive: input.isActive ?? password !== null,
    isSuspended: input.isSuspended ?? false,
    suspensionReason: null,
    suspendedBy: null,
    unsuspendedBy: null,
    subUserLimit: 5,
    createdById: input.createdById ?? null,
    createdAt: now,
    updatedAt: now,
    superAdminSlot: null,
  });
  if (input.projectIds?.length) await t.container.store.repos.projects.assign(id, input.projectIds, now);
  return id;
}

/** Creates a project directly in the database with a known client secret. */
export async function seedProject(
  t: TestApp,
  input: { customProjectId: string; isActive?: boolean; projectUrl?: string; createdBy?: number },
) {
  const now = t.clock.now();
  const clientSecret = `secret-${input.customProjectId}-0123456789abcdef`;
  const id = await t.container.store.repos.projects.insert({
    customProjectId: input.customProjectId,
    name: input.customProjectId.toUpperCase(),
    icon: null,
    description: null,
    projectUrl: input.projectUrl ?? `https://${input.customProjectId}.acme.test/app`,
    isActive: input.isActive ?? true,
    createdBy: input.createdBy ?? 1,
    createdAt: now,
    updatedAt: now,
    clientSecretHash: t.container.secrets.hash(CLIENT_SECRET_PURPOSE, clientSecret),
  });
  return { id, customProjectId: input.customProjectId, clientSecret };
}
