import type { SigningAlgorithm } from '../../src/domain/keys.js';
import { encodeHeader, signCompact } from '../../src/crypto/jws.js';
import { bearer, buildTestApp, login, seedProject, seedUser, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';

/** The service as a project sees it: a real socket at PUBLIC_URL, and the tokens one signed-in user holds. */
export interface InteropService {
  t: TestApp;
  algorithm: SigningAlgorithm;
  /** PUBLIC_URL: the tokens' `iss`, the access tokens' `aud`. */
  issuer: string;
  jwksUri: string;
  /** The customProjectId the user's project token is for, and another project the user is assigned to. */
  project: string;
  otherProject: string;
  accessToken: string;
  projectToken: string;
  otherProjectToken: string;
  /** Asks the service for a fresh project token (signed by whichever key signs now). */
  freshProjectToken(): Promise<string>;
  /** The service's own key and kid over `claims`: what only an issuer check can refuse. */
  signWithOwnKey(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

export const PROJECT = 'crm';
export const OTHER_PROJECT = 'erp';

/**
 * The real app listening at `http://127.0.0.1:PORT` = PUBLIC_URL, signing with `algorithm`, with a user assigned
 * to two projects. `pendingKey`: start a rotation first, so the JWKS holds two keys (as it does for a while after
 * every rotation) and a verifier must pick the token's by `kid`.
 */
export async function startService(
  algorithm: SigningAlgorithm,
  options: { env?: Record<string, string>; pendingKey?: boolean } = {},
): Promise<InteropService> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const t = await buildTestApp({ env: { PUBLIC_URL: issuer, JWT_SIGNING_ALG: algorithm, ...options.env } });
  try {
    await t.app.listen({ port, host: '127.0.0.1' });
    if (options.pendingKey && !(await t.container.keys.rotate())) throw new Error('the rotation did not start');
    const crm = await seedProject(t, { customProjectId: PROJECT });
    const erp = await seedProject(t, { customProjectId: OTHER_PROJECT });
    await seedUser(t, { email: 'jane@acme.test', role: 'ADMIN', projectIds: [crm.id, erp.id] });
    const { accessToken } = await login(t, 'jane@acme.test');
    const projectToken = async (project: string) => {
      const response = await t.post(`/api/auth/project-token/${project}`, undefined, bearer(accessToken));
      if (response.statusCode !== 200) throw new Error(`project-token failed (${response.statusCode}): ${response.body}`);
      return response.json().data.projectToken as string;
    };
    return {
      t,
      algorithm,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      project: PROJECT,
      otherProject: OTHER_PROJECT,
      accessToken,
      projectToken: await projectToken(PROJECT),
      otherProjectToken: await projectToken(OTHER_PROJECT),
      freshProjectToken: () => projectToken(PROJECT),
      signWithOwnKey(claims) {
        const { kid, algorithm: alg, privateKey } = t.container.keys.signingKey;
        return signCompact(encodeHeader(kid, alg), claims, privateKey, alg);
      },
      close: () => t.close(),
    };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/** A compact JWS's decoded header and payload (no verification). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}
