import '@fastify/cookie';
import type { Principal } from '../services/authenticator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access hook on routes declared with user access (plugins/access.ts). */
    principal: Principal | null;
  }
}
