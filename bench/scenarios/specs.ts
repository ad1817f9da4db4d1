import type { LoadSpec } from '../lib/load.js';
import { PASSWORD, type Session } from '../lib/product.js';

const json = { 'content-type': 'application/json' };

/** validate-token at 100 keep-alive connections over the sessions' tokens: the closed-loop validation load everywhere. */
export function validationSpec(url: string, items: NonNullable<LoadSpec['items']>, durationSec: number): LoadSpec {
  return { kind: 'autocannon', url, method: 'POST', path: '/api/auth/validate-token', headers: json, items, connections: 100, durationSec };
}

/** Each session's account signing in with its password, 16 connections: the closed-loop login load everywhere. */
export function loginSpec(url: string, sessions: Session[], durationSec: number): LoadSpec {
  const items = sessions.map((s) => ({ body: JSON.stringify({ email: s.email, password: PASSWORD }) }));
  return { kind: 'autocannon', url, method: 'POST', path: '/api/auth/login', headers: json, items, connections: 16, durationSec };
}
