import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { freePort } from './helpers/ports.js';
import { until } from './helpers/until.js';

const STRONG_SECRET = 'a-production-secret-of-at-least-32-chars';
const folders: string[] = [];
const tmpCwd = () => {
  const folder = mkdtempSync(join(tmpdir(), 'xtown-config-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** The ConfigError's message, or a failure when the configuration was accepted. */
function refusal(env: Record<string, string>, cwd = tmpCwd()): string {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it("has API.md's defaults", () => {
    const config = loadConfig({}, tmpCwd());
    expect(config).toMatchObject({
      env: 'development',
      isProduction: false,
      port: 5000,
      host: '0.0.0.0',
      databaseUrl: 'file:./data/xtown.db',
      accessTokenTtlSec: 28_800,
      refreshTokenTtlSec: 7 * 86_400,
      otp: { ttlSec: 600, length: 6, resendCooldownSec: 60, maxPerHour: 3 },
      rateLimit: {
        windowMs: 900_000,
        maxRequests: 100,
        maxAuthenticated: 1000,
        loginMax: 5,
        loginFailuresPerIp: 50,
        refreshMax: 30,
        refreshFailuresPerIp: 50,
        otpRequestsPerIp: 100,
        otpFailuresPerIp: 10,
        backendMax: 6000,
      },
      lockout: { threshold: 5, durationSec: 1800 },
      passwordHash: 'argon2id',
      bcryptRounds: 12,
      cleanup: { intervalMs: 3_600_000, batchSize: 1000 },
      trustProxy: 0,
      logLevel: 'info',
      bodyLimit: 100 * 1024,
      publicUrl: 'http://localhost:5000',
      issuer: 'http://localhost:5000',
      cookieOrigins: ['http://localhost:5000', 'http://127.0.0.1:5000', 'http://localhost:5173'],
      secureCookies: false,
      shutdownDelayMs: 0,
      shutdownGraceMs: 10_000,
    });
    expect(config.smtp).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    expect(config.setupToken).toBeUndefined();
    expect(config.allowedOrigins).toEqual(
      expect.arrayContaining(['http://localhost:3000', 'http://localhost:5173', 'http://localhost:5000']),
    );
  });

  it('reads durations and numbers as given', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        JWT_EXPIRES_IN: '15m',
        REFRESH_TOKEN_EXPIRES_IN: '30d',
        OTP_EXPIRES_IN: '5m',
        OTP_RESEND_COOLDOWN: '90s',
        LOCKOUT_DURATION: '1h',
        PASSWORD_HASH: 'bcrypt',
        BCRYPT_ROUNDS: '10',
        TRUST_PROXY: '2',
      },
      tmpCwd(),
    );
    expect(config).toMatchObject({
      port: 8080,
      accessTokenTtlSec: 900,
      refreshTokenTtlSec: 30 * 86_400,
      otp: { ttlSec: 300, resendCooldownSec: 90 },
      lockout: { durationSec: 3600 },
      passwordHash: 'bcrypt',
      bcryptRounds: 10,
      trustProxy: 2,
    });
  });

  it('names the variable of an invalid value', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ PORT: ' ' }, 'PORT'],
      [{ PORT: '0x50' }, 'PORT'],
      [{ RATE_LIMIT_MAX_REQUESTS: '1.5' }, 'RATE_LIMIT_MAX_REQUESTS'],
      ...[
        'RATE_LIMIT_MAX_AUTHENTICATED',
        'LOGIN_FAILURES_PER_IP_MAX',
        'REFRESH_RATE_LIMIT_MAX',
        'REFRESH_FAILURES_PER_IP_MAX',
        'OTP_MAX_PER_HOUR',
        'OTP_REQUESTS_PER_IP_MAX',
        'OTP_FAILURES_PER_IP_MAX',
        'BACKEND_RATE_LIMIT_MAX',
      ].flatMap(
        (name): Array<[Record<string, string>, string]> => [
          [{ [name]: '0' }, name],
          [{ [name]: 'many' }, name],
        ],
      ),
      [{ JWT_EXPIRES_IN: '100ms' }, 'JWT_EXPIRES_IN'],
      [{ JWT_EXPIRES_IN: 'soon' }, 'JWT_EXPIRES_IN'],
      [{ REFRESH_TOKEN_EXPIRES_IN: '-1d' }, 'REFRESH_TOKEN_EXPIRES_IN'],
      [{ PASSWORD_HASH: 'md5' }, 'PASSWORD_HASH'],
      [{ DATABASE_URL: 'redis://x' }, 'DATABASE_URL'],
      [{ OTP_LENGTH: '2' }, 'OTP_LENGTH'],
      [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
      [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    ];
    for (const [env, variable] of cases) expect(refusal(env), JSON.stringify(env)).toContain(variable);
  });

  it('takes PUBLIC_URL as the issuer and the cookie origin, and refuses what is not an origin with an optional path', () => {
    const config = loadConfig(
      { PUBLIC_URL: 'https://acme.test/auth/', COOKIE_ORIGINS: 'https://admin.acme.test, http://localhost:4000/x' },
      tmpCwd(),
    );
    expect(config.publicUrl).toBe('https://acme.test/auth');
    expect(config.issuer).toBe('https://acme.test/auth');
    expect(config.audience).toBe('https://acme.test/auth');
    expect(config.secureCookies).toBe(true);
    expect(config.cookieOrigins).toEqual(['https://acme.test', 'https://admin.acme.test', 'http://localhost:4000']);
    expect(config.allowedOrigins).toContain('https://acme.test');
    for (const bad of ['acme.test', 'ftp://acme.test', 'https://acme.test/?x=1', 'https://u:p@acme.test']) {
      expect(refusal({ PUBLIC_URL: bad })).toContain('PUBLIC_URL');
    }
    expect(refusal({ COOKIE_ORIGINS: 'not an origin' })).toContain('COOKIE_ORIGINS');
  });

  it('needs an https PUBLIC_URL in production, unless http is allowed explicitly; no cookie origin but its own', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SMTP_HOST: 'smtp.x.test', SMTP_FROM: 'no-reply@x.test' };
    expect(refusal(production)).toContain('PUBLIC_URL');
    expect(refusal({ ...production, PUBLIC_URL: 'http://auth.x.test' })).toContain('ALLOW_HTTP_PUBLIC_URL');
    const http = loadConfig({ ...production, PUBLIC_URL: 'http://auth.x.test', ALLOW_HTTP_PUBLIC_URL: 'true' }, tmpCwd());
    expect(http.secureCookies).toBe(false);
    const https = loadConfig({ ...production, PUBLIC_URL: 'https://auth.x.test' }, tmpCwd());
    expect(https.cookieOrigins).toEqual(['https://auth.x.test']);
    expect(https.shutdownDelayMs).toBe(2000);
    expect(loadConfig({ ...production, PUBLIC_URL: 'https://auth.x.test', SHUTDOWN_DELAY_MS: '0' }, tmpCwd()).shutdownDelayMs).toBe(0);
    expect(refusal({ SHUTDOWN_DELAY_MS: '-1' })).toContain('SHUTDOWN_DELAY_MS');
  });

  it('refuses production without a strong JWT_SECRET or without SMTP, naming the variable', () => {
    const smtp = { SMTP_HOST: 'smtp.x.test', SMTP_FROM: 'no-reply@x.test' };
    expect(refusal({ NODE_ENV: 'production', ...smtp })).toContain('JWT_SECRET');
    expect(refusal({ NODE_ENV: 'production', JWT_SECRET: 'too-short-0123456789', ...smtp })).toContain('JWT_SECRET');
    expect(refusal({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET })).toContain('SMTP_HOST');
    expect(refusal({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, SMTP_HOST: 'smtp.x.test' })).toContain('SMTP_FROM');

    const cwd = tmpCwd();
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        ...smtp,
        SMTP_PORT: '465',
        SMTP_SECURE: 'true',
        PUBLIC_URL: 'https://auth.x.test',
      },
      cwd,
    );
    expect(config.isProduction).toBe(true);
    expect(config.smtp).toEqual({
      host: 'smtp.x.test',
      port: 465,
      secure: true,
      user: undefined,
      pass: undefined,
      from: 'no-reply@x.test',
    });
    // Production never generates a secret of its own.
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('reads a .env file in the working directory, and the real environment wins over it', () => {
    const cwd = tmpCwd();
    writeFileSync(
      join(cwd, '.env'),
      ['PORT=6000', 'JWT_EXPIRES_IN=1h', 'JWT_SECRET=from-the-env-file-0123456789abcdef', '# a comment', 'LOG_LEVEL=debug'].join('\n'),
    );
    const fromFile = loadConfig({}, cwd);
    expect(fromFile).toMatchObject({
      port: 6000,
      accessTokenTtlSec: 3600,
      jwtSecret: 'from-the-env-file-0123456789abcdef',
      logLevel: 'debug',
    });
    const overridden = loadConfig({ PORT: '7000', LOG_LEVEL: 'warn' }, cwd);
    expect(overridden).toMatchObject({ port: 7000, accessTokenTtlSec: 3600, logLevel: 'warn' });
    // A bad value in the file is named like one in the environment.
    writeFileSync(join(cwd, '.env'), 'PASSWORD_HASH=sha1\n');
    expect(refusal({}, cwd)).toContain('PASSWORD_HASH');
  });

  it('generates a development secret once into the data folder and reuses it', () => {
    const cwd = tmpCwd();
    const first = loadConfig({}, cwd);
    const file = join(cwd, 'data', 'jwt-secret');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwtSecret);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(loadConfig({}, cwd).jwtSecret).toBe(first.jwtSecret);
    expect(loadConfig({ NODE_ENV: 'development', PORT: '5001' }, cwd).jwtSecret).toBe(first.jwtSecret);
    // Beside a SQLite file elsewhere, the secret goes beside it.
    const other = loadConfig({ DATABASE_URL: 'file:./var/db/app.db' }, cwd);
    expect(readFileSync(join(cwd, 'var', 'db', 'jwt-secret'), 'utf8').trim()).toBe(other.jwtSecret);
    expect(other.jwtSecret).not.toBe(first.jwtSecret);
    // Another installation gets its own.
    expect(loadConfig({}, tmpCwd()).jwtSecret).not.toBe(first.jwtSecret);
    // A given secret is used as is and nothing is written.
    const given = tmpCwd();
    expect(loadConfig({ JWT_SECRET: 'given-secret-0123456789abcdef' }, given).jwtSecret).toBe('given-secret-0123456789abcdef');
    expect(readdirSync(given)).toEqual([]);
  });
});

// The entry point from source through tsx: what `npm start` runs after its build, without a 30 s build here.
const MAIN = resolve(import.meta.dirname, '../src/main.ts');
const TSX = resolve(import.meta.dirname, '../node_modules/tsx/dist/esm/index.mjs');

describe('the entry point (src/main.ts)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  function start(env: Record<string, string>, cwd: string) {
    const child = spawn(process.execPath, ['--import', pathToFileURL(TSX).href, MAIN], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const output = { stdout: '', stderr: '' };
    child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output, exited };
  }

  it('prints the setup token, serves /health, takes that token, and stops cleanly on SIGTERM', async () => {
    const cwd = tmpCwd();
    const port = await freePort();
    const { child, output, exited } = start(
      { NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'file:./data/xtown.db', LOG_LEVEL: 'warn' },
      cwd,
    );
    const base = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    // A timeout or an early exit is reported by the expectation below, with the child's output.
    await until(
      '/health to answer or the process to exit',
      async () => {
        health = await fetch(`${base}/health`).catch(() => undefined);
        return health?.ok || child.exitCode !== null;
      },
      8000,
      50,
    ).catch(() => undefined);
    expect(health?.status, `${output.stdout}\n${output.stderr}`).toBe(200);
    expect(await health!.json()).toEqual({ success: true, data: { status: 'ok' } });

    const token = /Setup token: (\S+)/.exec(output.stdout)?.[1];
    expect(token, output.stdout).toBeDefined();
    expect(existsSync(join(cwd, 'data', 'xtown.db'))).toBe(true);
    expect(existsSync(join(cwd, 'data', 'jwt-secret'))).toBe(true);

    const register = (setupToken: string) =>
      fetch(`${base}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ setupToken, name: 'Root', email: 'root@x.test', password: 'Corr3ct-Horse-Battery' }),
      });
    expect((await register(`${token}x`)).status).toBe(403);
    expect((await register(token!)).status).toBe(201);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits non-zero in production without JWT_SECRET, naming it', async () => {
    const { output, exited } = start(
      {
        NODE_ENV: 'production',
        PORT: String(await freePort()),
        DATABASE_URL: 'file:./data/xtown.db',
        SMTP_HOST: '127.0.0.1',
        SMTP_FROM: 'no-reply@x.test',
      },
      tmpCwd(),
    );
    const code = await exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output.stderr).toContain('JWT_SECRET');
  });
});
