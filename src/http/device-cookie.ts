import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const DEVICE_COOKIE = 'xtown_device';
const YEAR_SEC = 365 * 24 * 3600;
/** Accounts one browser is remembered for; the oldest is forgotten past it. */
const MAX_ACCOUNTS = 5;

/**
 * API.md's device cookies (OWASP's "device cookies" against lockout abuse): a browser that signed in to an
 * account gets a signed token bound to that account's email, `nonce.mac`, one per account it signed in to
 * (a few at most), in one httpOnly cookie for a year. The nonce names the device's own failure budget.
 */
export function createDeviceCookies(deps: { sign: (value: string) => string; secure: boolean }) {
  const macOf = (email: string, nonce: string) => deps.sign(`${email}\n${nonce}`).slice(0, 43);
  const entriesOf = (request: FastifyRequest) => (request.cookies?.[DEVICE_COOKIE] ?? '').split('~').filter(Boolean).slice(0, MAX_ACCOUNTS);

  function trusted(request: FastifyRequest, email: string): string | undefined {
    for (const entry of entriesOf(request)) {
      const [nonce, mac] = entry.split('.');
      if (!nonce || !mac || nonce.length !== 22) continue;
      const expected = Buffer.from(macOf(email, nonce));
      const given = Buffer.from(mac);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return nonce;
    }
    return undefined;
  }

  return {
    /** The device's nonce when the request carries a valid device token for this email. */
    trusted,
    /** After a successful sign-in: remembers this browser for the account (keeping the others it knows). */
    remember(request: FastifyRequest, reply: FastifyReply, email: string): void {
      if (trusted(request, email)) return;
      const nonce = randomBytes(16).toString('base64url');
      const entries = [`${nonce}.${macOf(email, nonce)}`, ...entriesOf(request)].slice(0, MAX_ACCOUNTS);
      reply.setCookie(DEVICE_COOKIE, entries.join('~'), {
        httpOnly: true,
        sameSite: 'strict',
        path: '/api/auth',
        secure: deps.secure,
        maxAge: YEAR_SEC,
      });
    },
  };
}

export type DeviceCookies = ReturnType<typeof createDeviceCookies>;
