import { createVerifier, type Verifier, type VerifierOptions } from '@xtown/verify';
import { bearer, buildTestApp, login, registerSuperAdmin, seedProject, seedUser, type Session, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';

/**
 * The real service on a socket, its PUBLIC_URL (the tokens' `iss`) the address it listens on, with two
 * projects and an Admin assigned to crm only (and a Super Admin to suspend her).
 */
export async function startService() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t: TestApp = await buildTestApp({ env: { PUBLIC_URL: url } });
  await t.app.listen({ port, host: '127.0.0.1' });
  const crm = await seedProject(t, { customProjectId: 'crm' });
  const erp = await seedProject(t, { customProjectId: 'erp' });
  const root = await registerSuperAdmin(t);
  const janeId = await seedUser(t, { email: 'jane@acme.test', projectIds: [crm.id, erp.id] });
  const jane: Session = await login(t, 'jane@acme.test');
  /** Counts the kit's calls by path, so a test can tell offline from online. */
  const calls = new Map<string, number>();
  const countingFetch: typeof fetch = (input, init) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    calls.set(path, (calls.get(path) ?? 0) + 1);
    return fetch(input, init);
  };
  const verifiers: Verifier[] = [];

  return {
    t,
    url,
    crm,
    erp,
    root,
    janeId,
    jane,
    calls: (path: string) => calls.get(path) ?? 0,
    /** POST /project-token: the project token and the redirect's one-time code. */
    async open(project: string, accessToken = jane.accessToken) {
      const response = await t.post(`/api/auth/project-token/${project}`, undefined, bearer(accessToken));
      if (response.statusCode !== 200) throw new Error(`project-token failed (${response.statusCode}): ${response.body}`);
      const data = response.json().data as { projectToken: string; redirectUrl: string };
      return { token: data.projectToken, code: new URL(data.redirectUrl).searchParams.get('xtown_code')! };
    },
    /** A verifier of crm on the service's clock, following the project's events stream unless told otherwise. */
    verifier(options: Partial<VerifierOptions> = {}): Verifier {
      const verifier = createVerifier({
        issuer: url,
        project: 'crm',
        clientSecret: crm.clientSecret,
        fetch: countingFetch,
        now: () => t.clock.now().getTime(),
        ...options,
      });
      verifiers.push(verifier);
      return verifier;
    },
    async close() {
      for (const verifier of verifiers) verifier.close();
      await t.close();
    },
  };
}

export type Service = Awaited<ReturnType<typeof startService>>;

/** The code of a refusal, or 'accepted'. */
export const outcome = (verifier: Verifier, token: string) =>
  verifier.verify(token).then(
    () => 'accepted',
    (error: { code?: string }) => error.code ?? String(error),
  );
