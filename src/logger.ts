import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

/** Whatever could authenticate someone is censored wherever it appears in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-setup-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
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
  'otp',
  'token',
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
