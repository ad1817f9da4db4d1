import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { drainBody } from '../drain-body.js';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type ErrorDetail } from '../../errors/index.js';

/** Fastify's own errors, as the codes of API.md. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_ERROR',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

/** Router errors about the URL itself (undecodable, or a parameter over the router's length). */
const URL_ERRORS = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

function validationDetails(error: FastifyError): ErrorDetail[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return [{ field: '', message: error.message }];
  return error.validation.flatMap((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
    // The provider puts the Zod issue's code in `keyword` and the rest of the issue (its `keys`) in `params`.
    const keys = issue.keyword === 'unrecognized_keys' ? (issue.params as { keys?: unknown }).keys : undefined;
    if (Array.isArray(keys) && keys.length)
      return keys.map((key) => ({ field: path ? `${path}.${String(key)}` : String(key), message: 'unknown field' }));
    return [{ field: path || (error.validationContext ?? ''), message: issue.message ?? 'is not valid' }];
  });
}

/** `isUnavailable` says whether an error means the database cannot be reached (a 503 to retry, not a 500). */
export function toAppError(error: unknown, isUnavailable: (error: unknown) => boolean = () => false): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError?.validation) return new AppError('VALIDATION_ERROR', { details: validationDetails(fastifyError) });
  if (URL_ERRORS.has(fastifyError?.code))
    return new AppError('VALIDATION_ERROR', { details: [{ field: 'url', message: 'is not a valid URL' }] });
  const mapped = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new AppError('INVALID_JSON');
  if (isUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', { retryAfter: 5, cause: error });
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    const code = (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).find((c) => ERROR_CATALOGUE[c].status === status) ?? 'VALIDATION_ERROR';
    return new AppError(code);
  }
  return new AppError('INTERNAL_ERROR', { cause: error });
}

export function sendError(reply: FastifyReply, error: AppError) {
  if (error.retryAfter !== undefined) reply.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfter))));
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(
      JSON.stringify({
        success: false,
        message: error.message,
        ...(error.data ? { data: error.data } : {}),
        error: { code: error.code, ...(error.details ? { details: error.details } : {}) },
      }),
    );
}

/** The one error handler: AppError → envelope; anything else → a generic 500, logged with its stack. */
export function registerErrorHandler(app: FastifyInstance, deps: { isUnavailable: (error: unknown) => boolean }) {
  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, deps.isUnavailable);
    if (appError.code === 'PAYLOAD_TOO_LARGE') {
      // The client must be able to read the 413: what it is still sending is read (and dropped) first.
      reply.header('Connection', 'close');
      await drainBody(request.raw);
    }
    if (appError.status >= 500 && error instanceof AppError && appError.cause === undefined) {
      // A refusal on purpose (the hash pool is full during a login storm): expected, cheap, no stack.
      request.log.warn({ event: 'overloaded', code: appError.code }, 'request refused: at capacity');
    } else if (appError.status >= 500) {
      request.log.error(
        {
          err: isResponseSerializationError(error)
            ? { message: 'response did not match its schema', cause: (error as Error).cause }
            : error,
        },
        'request failed',
      );
    }
    return sendError(reply, appError);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new AppError('NOT_FOUND', { message: 'No such route' })));
}
