import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoginPayload } from '../../services/sessions.js';
import { setRefreshCookie } from '../helpers.js';
import { present } from '../present.js';
import type { RouteDeps } from './deps.js';

/**
 * The answer of every route that signs someone in: the payload, the refresh token as the cookie too, and
 * the device cookie that lets this browser in past an address's or an account's lockout later.
 */
export const signedIn =
  ({ config, devices }: Pick<RouteDeps, 'config' | 'devices'>) =>
  (request: FastifyRequest, reply: FastifyReply, payload: LoginPayload, message: string) => {
    setRefreshCookie(reply, config.secureCookies, payload);
    devices.remember(request, reply, payload.user.email);
    return { success: true as const, message, data: present(payload) };
  };
