import type { preHandlerAsyncHookHandler } from 'fastify';
import type { Config } from '../../config/index.js';
import type { AdminServices } from '../../services/admin/index.js';
import type { AuthServices } from '../../services/index.js';
import type { RateLimiter } from '../../services/ports.js';
import type { LimitRules } from '../plugins/limits.js';

export interface RouteDeps {
  config: Config;
  auth: AuthServices;
  admin: AdminServices;
  limiter: RateLimiter;
  rules: LimitRules;
  requireAccessToken: preHandlerAsyncHookHandler;
}
