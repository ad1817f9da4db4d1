import '@fastify/cookie';
import type { Principal } from '../services/authenticator.js';

export type LimitGroup = 'general' | 'backend' | 'none';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Which shared budget the route draws on; project backends have their own (API.md "Limits"). */
    limitGroup?: LimitGroup;
    /** Routes that need an access token: the general limit is then counted per user, after authentication. */
    requiresAuth?: boolean;
  }
}
