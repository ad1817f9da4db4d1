import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

/**
 * The request a piece of work belongs to. Services log through the root logger, not Fastify's
 * per-request child, so without this their lines (security events among them) would lose the
 * request id. Module-level like the logger itself: a store only ever holds one request's id.
 */
export const requestContext = new AsyncLocalStorage<{ reqId: string }>();

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

const { chindingsSym } = pino.symbols;

/** The request id of the work in progress, unless the logger is Fastify's request child (it has it bound). */
function requestIdMixin(_object: object, _level: number, logger: Logger): object {
  const store = requestContext.getStore();
  if (!store) return {};
  const bound = (logger as unknown as Record<symbol, string | undefined>)[chindingsSym];
  return bound?.includes('"reqId":') ? {} : { reqId: store.reqId };
}

/** The one module-level logger factory: structured JSON, redacted. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'xtown-authenticator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: requestIdMixin,
    },
    destination,
  );
}
