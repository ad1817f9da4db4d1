import type { FastifyReply } from 'fastify';
import type { Config } from '../../config/index.js';
import type { LoginPayload } from '../../services/sessions.js';
import { setRefreshCookie } from '../helpers.js';
import { present } from '../present.js';

/** The answer of every route that signs someone in: the payload, and the refresh token as the cookie too. */
export const signedIn = (config: Pick<Config, 'secureCookies'>) => (reply: FastifyReply, payload: LoginPayload, message: string) => {
  setRefreshCookie(reply, config.secureCookies, payload);
  return { success: true as const, message, data: present(payload) };
};
