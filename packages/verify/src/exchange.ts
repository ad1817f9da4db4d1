import type { ProjectRef } from './claims.js';
import { VerifyError } from './errors.js';
import { postJson, type HubCall } from './http.js';

/** A user as the service's API shows it (API.md "Users and projects as the API shows them"). */
export interface HubUser {
  id: number;
  name: string;
  email: string;
  role: 'SUPER_ADMIN' | 'ADMIN' | 'SUB_USER';
  customRole: string | null;
  companyName: string | null;
  isActive: boolean;
  isSuspended: boolean;
  projects: Array<{ id: number; customProjectId: string; name: string; projectUrl: string; isActive: boolean }>;
  [field: string]: unknown;
}

export interface ExchangeResult {
  projectToken: string;
  /** Seconds. */
  expiresIn: number;
  user: HubUser;
  project: { id: number; customProjectId: string; name: string; projectUrl: string };
}

/**
 * POST /api/auth/exchange-code: the one-time `?xtown_code=` of a redirect, for the project token. A used,
 * expired or foreign code, or a wrong secret, is TOKEN_INVALID.
 */
export async function exchangeCode(
  call: HubCall,
  issuer: string,
  project: ProjectRef,
  clientSecret: string | undefined,
  code: string,
): Promise<ExchangeResult> {
  if (!clientSecret) throw new TypeError('exchangeCode needs the clientSecret option');
  if (typeof code !== 'string' || code.length === 0 || code.length > 512) throw new VerifyError('TOKEN_INVALID', 'Invalid code');
  return postJson<ExchangeResult>(call, `${issuer}/api/auth/exchange-code`, {
    code,
    projectId: project.customProjectId,
    clientSecret,
  });
}
