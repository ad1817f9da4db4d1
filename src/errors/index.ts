export { AppError, isAppError, type AppErrorOptions } from './app-error.js';
export { ERROR_CATALOGUE, type ErrorCode, type ErrorDetail } from '@xtown/contract';
