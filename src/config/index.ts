import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { envSchema, type Env } from './schema.js';

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  jwtSecret: string;
  jwtSecretPrevious?: string;
  /** Set when the operator chose the setup token; otherwise it is derived from the secret. */
  setupToken?: string;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  smtp?: SmtpConfig;
  otp: { ttlSec: number; length: number; resendCooldownSec: number; maxPerHour: number; maxAttempts: number; maxDailyFailures: number };
  /** API.md's "Limits" table: every window is `windowMs` but the backends' (a minute). */
  rateLimit: {
    windowMs: number;
    maxRequests: number;
    maxAuthenticated: number;
    loginMax: number;
    loginFailuresPerIp: number;
    refreshMax: number;
    refreshFailuresPerIp: number;
    otpRequestsPerIp: number;
    otpFailuresPerIp: number;
    backendMax: number;
  };
  lockout: { threshold: number; durationSec: number };
  redisUrl?: string;
  allowedOrigins: string[];
  /** Where users and projects reach the service: the tokens' issuer, the links in emails, the dashboard's origin. */
  publicUrl: string;
  /** Origins whose browser calls may use the refresh cookie: PUBLIC_URL's own, then COOKIE_ORIGINS. */
  cookieOrigins: string[];
  /** The refresh cookie is Secure whenever PUBLIC_URL is https. */
  secureCookies: boolean;
  trustProxy: number;
  passwordHash: Env['PASSWORD_HASH'];
  bcryptRounds: number;
  metricsToken?: string;
  logLevel: Env['LOG_LEVEL'];
  cleanup: { intervalMs: number; batchSize: number };
  /** After SIGTERM/SIGINT: how long readiness answers 503 while the listener still accepts (a load balancer stops sending). */
  shutdownDelayMs: number;
  /** How long in-flight requests get to finish after SIGTERM/SIGINT before their connections are cut. */
  shutdownGraceMs: number;
  bodyLimit: number;
  /** Whole request, and its headers alone: a client that trickles bytes is cut off at these. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number };
  issuer: string;
  audience: string;
  /** New signing keys; existing keys keep verifying until their tokens expire. */
  signingAlgorithm: Env['JWT_SIGNING_ALG'];
  /** The JWKS Cache-Control max-age, and how long a new key is published before it signs. */
  jwksMaxAgeSec: number;
  keyRotationDays: number;
}

export class ConfigError extends Error {}

const MIN_PRODUCTION_SECRET = 32;

/**
 * Reads the configuration from `source` (process.env in main) and a `.env` file in `cwd`.
 * Variables already in the environment win over the file. Throws ConfigError naming the variable.
 */
export function loadConfig(source: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const fromFile = readDotenv(cwd);
  const merged = { ...fromFile, ...stripEmpty(source) };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';

  if (isProduction) {
    if (!env.JWT_SECRET || env.JWT_SECRET.length < MIN_PRODUCTION_SECRET) {
      throw new ConfigError(`JWT_SECRET: production needs a secret of at least ${MIN_PRODUCTION_SECRET} characters (openssl rand -hex 32)`);
    }
    if (!env.SMTP_HOST || !env.SMTP_FROM) {
      throw new ConfigError('SMTP_HOST, SMTP_FROM: production needs SMTP settings; emails are never printed in production');
    }
  }
  if (env.SMTP_HOST && !env.SMTP_FROM) throw new ConfigError('SMTP_FROM: required when SMTP_HOST is set');
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }

  const publicUrl = parsePublicUrl(env.PUBLIC_URL ?? (isProduction ? undefined : `http://localhost:${env.PORT}`), {
    allowHttp: !isProduction || env.ALLOW_HTTP_PUBLIC_URL,
  });
  const cookieOrigins = [
    new URL(publicUrl).origin,
    // The development default is this machine, which a browser may as well call 127.0.0.1: a reload there
    // must not sign anyone out. Never in production, nor once PUBLIC_URL is set.
    ...(env.PUBLIC_URL || isProduction ? [] : [`http://127.0.0.1:${env.PORT}`]),
    ...parseOrigins(env.COOKIE_ORIGINS ?? (isProduction ? '' : 'http://localhost:5173'), 'COOKIE_ORIGINS'),
  ];

  const jwtSecret = env.JWT_SECRET ?? developmentSecret(env.DATABASE_URL, cwd);
  const origins = (env.ALLOWED_ORIGINS ?? 'http://localhost:3000,http://localhost:5173')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  origins.push(new URL(publicUrl).origin, `http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`);

  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    jwtSecret,
    jwtSecretPrevious: env.JWT_SECRET_PREVIOUS,
    setupToken: env.SETUP_TOKEN,
    accessTokenTtlSec: Math.round(env.JWT_EXPIRES_IN),
    refreshTokenTtlSec: Math.round(env.REFRESH_TOKEN_EXPIRES_IN),
    smtp: env.SMTP_HOST
      ? {
          host: env.SMTP_HOST,
          port: env.SMTP_PORT,
          secure: env.SMTP_SECURE,
          user: env.SMTP_USER,
          pass: env.SMTP_PASS,
          from: env.SMTP_FROM!,
        }
      : undefined,
    otp: {
      ttlSec: Math.round(env.OTP_EXPIRES_IN),
      length: env.OTP_LENGTH,
      resendCooldownSec: Math.max(1, Math.round(env.OTP_RESEND_COOLDOWN)),
      maxPerHour: env.OTP_MAX_PER_HOUR,
      maxAttempts: 5,
      maxDailyFailures: 20,
    },
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      maxRequests: env.RATE_LIMIT_MAX_REQUESTS,
      maxAuthenticated: env.RATE_LIMIT_MAX_AUTHENTICATED,
      loginMax: env.LOGIN_RATE_LIMIT_MAX,
      loginFailuresPerIp: env.LOGIN_FAILURES_PER_IP_MAX,
      refreshMax: env.REFRESH_RATE_LIMIT_MAX,
      refreshFailuresPerIp: env.REFRESH_FAILURES_PER_IP_MAX,
      otpRequestsPerIp: env.OTP_REQUESTS_PER_IP_MAX,
      otpFailuresPerIp: env.OTP_FAILURES_PER_IP_MAX,
      backendMax: env.BACKEND_RATE_LIMIT_MAX,
    },
    lockout: { threshold: env.LOCKOUT_THRESHOLD, durationSec: Math.round(env.LOCKOUT_DURATION) },
    redisUrl: env.REDIS_URL,
    allowedOrigins: [...new Set(origins)],
    publicUrl,
    cookieOrigins: [...new Set(cookieOrigins)],
    secureCookies: publicUrl.startsWith('https:'),
    trustProxy: env.TRUST_PROXY,
    passwordHash: env.PASSWORD_HASH,
    bcryptRounds: env.BCRYPT_ROUNDS,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    cleanup: { intervalMs: env.TOKEN_CLEANUP_INTERVAL_MS, batchSize: env.TOKEN_CLEANUP_BATCH_SIZE },
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS ?? (isProduction ? 2000 : 0),
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    bodyLimit: env.BODY_LIMIT,
    http: { requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS, headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS },
    issuer: publicUrl,
    audience: publicUrl,
    signingAlgorithm: env.JWT_SIGNING_ALG,
    jwksMaxAgeSec: Math.round(env.JWKS_MAX_AGE),
    keyRotationDays: env.JWT_KEY_ROTATION_DAYS,
  };
}

/** An origin with an optional path and no trailing slash, as tokens' `iss` and email links need it. */
function parsePublicUrl(value: string | undefined, { allowHttp }: { allowHttp: boolean }): string {
  if (value === undefined) {
    throw new ConfigError('PUBLIC_URL: production needs the address users reach the service at, e.g. https://auth.example.com');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL: "${value}" is not a URL such as https://auth.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('PUBLIC_URL: must be an http or https URL');
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError('PUBLIC_URL: an origin with an optional path only (no query, fragment or credentials)');
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new ConfigError('PUBLIC_URL: production needs https (set ALLOW_HTTP_PUBLIC_URL=true behind a TLS-terminating proxy you trust)');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parseOrigins(list: string, variable: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      try {
        const origin = new URL(entry).origin;
        if (origin === 'null') throw new Error('opaque');
        return origin;
      } catch {
        throw new ConfigError(`${variable}: "${entry}" is not an origin such as https://app.example.com`);
      }
    });
}

function readDotenv(cwd: string): Record<string, string> {
  const path = resolve(cwd, '.env');
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

function stripEmpty(source: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** Outside production a missing JWT_SECRET is generated once and kept beside the SQLite data. */
function developmentSecret(databaseUrl: string, cwd: string): string {
  const sqlitePath = /^(file:|sqlite:)(.+)$/.exec(databaseUrl)?.[2];
  const folder = sqlitePath && sqlitePath !== ':memory:' ? dirname(resolve(cwd, sqlitePath)) : resolve(cwd, 'data');
  const file = resolve(folder, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(folder, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
