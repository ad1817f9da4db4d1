import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

/*
 * Services log through the root logger, not Fastify's per-request child: their lines carry the
 * request id because the route hands it to them in RequestMeta. (An AsyncLocalStorage would do it
 * implicitly, but on Node 20 it turns on promise hooks for every promise: a quarter of
 * validate-token's CPU, measured with npm run bench:profile.)
 */
/** Whatever could authenticate someone is censored wherever it appears in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-setup-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.otp',
  '*.code',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.projectToken',
  '*.clientSecret',
  '*.setupToken',
  'password',
  'newPassword',
  'currentPassword',
  'otp',
  'token',
  'accessToken',
  'refreshToken',
  'projectToken',
  'clientSecret',
  'setupToken',
];

/** The one module-level logger factory: structured JSON, redacted. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'xtown-authenticator' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
