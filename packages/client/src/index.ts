/**
 * The Xtown Authenticator's browser client, framework-free: the access token in memory only, the refresh token
 * only in the httpOnly cookie, one refresh at a time across every tab, sign-in and sign-out shared by all tabs.
 * Depends on the contract only; React bindings can sit on `onChange`/`getState`.
 */
export { createSessionClient, type SessionClient, type SessionClientOptions } from './session-client.js';
export { hubLogout, hubRefresh, type LogoutOptions, TransientRefreshError } from './hub.js';
export { broadcastLock, type CrossTabLock, webLock } from './lock.js';
export { refusalFrom } from './refusal.js';
export type * from './types.js';
