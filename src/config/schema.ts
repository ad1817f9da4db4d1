import { z } from 'zod';
import { parseDurationSeconds } from './duration.js';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDurationSeconds(value);
      // Lifetimes are counted in whole seconds: "100ms" would round to a token that is born expired.
      if (seconds === null || seconds < 1) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration of at least 1s such as 60s, 10m, 8h or 7d` });
        return z.NEVER;
      }
      return seconds;
    });

/** Decimal digits only: Number() would read " " as 0 (PORT=" " binding a random port) and "0x50" as 80. */
const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** The environment variables of API.md's configuration table, with their defaults. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(5000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: optionalText,
  ALLOW_HTTP_PUBLIC_URL: flag(false),
  COOKIE_ORIGINS: optionalText,
  DATABASE_URL: z
    .string()
    .default('file:./data/xtown.db')
    .refine((url) => /^(file:|sqlite:|postgres(ql)?:\/\/|mysql:\/\/|mariadb:\/\/)/.test(url), {
      message: 'must start with file:, sqlite:, postgres://, postgresql://, mysql:// or mariadb://',
    }),
  JWT_SECRET: optionalText,
  JWT_SECRET_PREVIOUS: optionalText,
  SETUP_TOKEN: optionalText,
  JWT_EXPIRES_IN: duration('8h'),
  JWT_SIGNING_ALG: z.enum(['ES256', 'EdDSA', 'RS256']).default('ES256'),
  JWT_KEY_ROTATION_DAYS: integer(90, 1, 3650),
  JWKS_MAX_AGE: duration('300s'),
  REFRESH_TOKEN_EXPIRES_IN: duration('7d'),
  SMTP_HOST: optionalText,
  SMTP_PORT: integer(587, 1, 65535),
  SMTP_SECURE: flag(false),
  SMTP_USER: optionalText,
  SMTP_PASS: optionalText,
  SMTP_FROM: optionalText,
  OTP_EXPIRES_IN: duration('10m'),
  OTP_LENGTH: integer(6, 4, 10),
  OTP_RESEND_COOLDOWN: duration('60s'),
  RATE_LIMIT_WINDOW_MS: integer(900_000, 1000, 86_400_000),
  RATE_LIMIT_MAX_REQUESTS: integer(100, 1, 10_000_000),
  RATE_LIMIT_MAX_AUTHENTICATED: integer(1000, 1, 10_000_000),
  LOGIN_RATE_LIMIT_MAX: integer(5, 1, 10_000_000),
  LOGIN_FAILURES_PER_IP_MAX: integer(50, 1, 10_000_000),
  REFRESH_RATE_LIMIT_MAX: integer(30, 1, 10_000_000),
  REFRESH_FAILURES_PER_IP_MAX: integer(50, 1, 10_000_000),
  OTP_MAX_PER_HOUR: integer(3, 1, 1000),
  OTP_REQUESTS_PER_IP_MAX: integer(100, 1, 10_000_000),
  OTP_FAILURES_PER_IP_MAX: integer(10, 1, 10_000_000),
  BACKEND_RATE_LIMIT_MAX: integer(6000, 1, 100_000_000),
  LOCKOUT_THRESHOLD: integer(5, 1, 1000),
  LOCKOUT_DURATION: duration('30m'),
  REDIS_URL: optionalText,
  ALLOWED_ORIGINS: optionalText,
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      if (value === 'false' || value === '0' || value === '') return 0;
      if (value === 'true') return 1;
      const hops = Number(value);
      if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
        ctx.addIssue({ code: 'custom', message: 'must be false, true or a number of proxy hops (0-10)' });
        return z.NEVER;
      }
      return hops;
    }),
  PASSWORD_HASH: z.enum(['argon2id', 'bcrypt']).default('argon2id'),
  BCRYPT_ROUNDS: integer(12, 4, 15),
  METRICS_TOKEN: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOKEN_CLEANUP_INTERVAL_MS: integer(3_600_000, 1000, 86_400_000 * 7),
  TOKEN_CLEANUP_BATCH_SIZE: integer(1000, 1, 100_000),
  SHUTDOWN_DELAY_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .optional()
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .pipe(z.number().int().min(0).max(600_000).optional()),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
  BODY_LIMIT: integer(100 * 1024, 1024, 10 * 1024 * 1024),
  HTTP_REQUEST_TIMEOUT_MS: integer(30_000, 100, 600_000),
  HTTP_HEADERS_TIMEOUT_MS: integer(10_000, 100, 600_000),
});

export type Env = z.infer<typeof envSchema>;
