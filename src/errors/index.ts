export { AppError, isAppError, type AppErrorOptions, type ErrorDetail } from './app-error.js';
export { ERROR_CATALOGUE, type ErrorCode } from './codes.js';
