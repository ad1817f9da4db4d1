import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningAlgorithm } from '../../src/domain/keys.js';
import { decodeJwt, type InteropService, startService } from './service.js';
import { expressJwt } from './verifiers/express-jwt.js';
import { fastJwt } from './verifiers/fast-jwt.js';
import { fastifyJwtVerifier } from './verifiers/fastify-jwt.js';
import { hono } from './verifiers/hono.js';
import { jose } from './verifiers/jose.js';
import { jsonwebtoken } from './verifiers/jsonwebtoken.js';
import { passportJwt } from './verifiers/passport-jwt.js';
import { pyjwt } from './verifiers/pyjwt.js';
import type { Verifier, VerifierSpec } from './verifiers/types.js';

/**
 * The JWT libraries projects use, each configured as its README shows with nothing but the service's JWKS URL (or
 * its issuer), verifying real tokens of a running service for every algorithm it supports (README "Verifying
 * tokens in a project" has the table). A project checks `iss` and `aud`; that alone must tell an access token
 * from a project token, one project's token from another's, and this service's tokens from another's.
 */
const VERIFIERS: VerifierSpec[] = [jose, jsonwebtoken, expressJwt, passportJwt, fastJwt, fastifyJwtVerifier, hono, pyjwt];
const ALGORITHMS: SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

describe.each(ALGORITHMS)('tokens signed with %s', (algorithm) => {
  let ours: InteropService;
  /** Another service of the same algorithm with a project of the same customProjectId: only `iss` and the key differ. */
  let theirs: InteropService;
  beforeAll(async () => {
    [ours, theirs] = await Promise.all([startService(algorithm, { pendingKey: true }), startService(algorithm)]);
  });
  afterAll(async () => {
    await Promise.all([ours?.close(), theirs?.close()]);
  });

  it('names its key: every token has the kid of a published key of that algorithm, beside a pending one', async () => {
    const { keys } = (await (await fetch(ours.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(2);
    for (const token of [ours.accessToken, ours.projectToken]) {
      const { header } = decodeJwt(token);
      expect(header).toEqual({ alg: algorithm, typ: 'JWT', kid: expect.any(String) });
      expect(keys.find((key) => key.kid === header.kid)).toMatchObject({ alg: algorithm, use: 'sig' });
    }
  });

  const config = (audience: string) => ({ jwksUri: ours.jwksUri, issuer: ours.issuer, audience, algorithm });

  for (const spec of VERIFIERS.filter((candidate) => candidate.supports.includes(algorithm))) {
    describe(spec.name, () => {
      /** A project's backend (aud = its customProjectId), and a service that takes access tokens (aud = PUBLIC_URL). */
      let asProject: Verifier;
      let asService: Verifier;
      beforeAll(async () => {
        asProject = await spec.create(config(ours.project));
        asService = await spec.create(config(ours.issuer));
      });
      afterAll(async () => {
        await Promise.all([asProject?.close(), asService?.close()]);
      });

      it('verifies a project token with audience = customProjectId and issuer = PUBLIC_URL', async () => {
        expect(await asProject.verify(ours.projectToken)).toMatchObject({
          ok: true,
          claims: {
            iss: ours.issuer,
            aud: ours.project,
            sub: expect.stringMatching(/^\d+$/),
            sid: expect.any(String),
            pgen: expect.any(Number),
            tokenType: 'PROJECT_ACCESS',
            email: 'jane@acme.test',
            project: { customProjectId: ours.project },
          },
        });
      });

      it("refuses an access token and another project's token where a project token is expected (aud)", async () => {
        expect(await asProject.verify(ours.accessToken)).toMatchObject({ ok: false });
        expect(await asProject.verify(ours.otherProjectToken)).toMatchObject({ ok: false });
      });

      it('verifies an access token with audience = PUBLIC_URL, and refuses a project token there (aud)', async () => {
        expect(await asService.verify(ours.accessToken)).toMatchObject({
          ok: true,
          claims: { iss: ours.issuer, aud: ours.issuer, tokenType: 'ACCESS', email: 'jane@acme.test' },
        });
        expect(await asService.verify(ours.projectToken)).toMatchObject({ ok: false });
      });

      it('refuses the tokens of another issuer', async () => {
        expect(await asProject.verify(theirs.projectToken)).toMatchObject({ ok: false });
        expect(await asService.verify(theirs.accessToken)).toMatchObject({ ok: false });
        // This service's own key and kid over another `iss`: only the issuer check can refuse these.
        const reissued = (token: string) => ours.signWithOwnKey({ ...decodeJwt(token).payload, iss: theirs.issuer });
        expect(await asProject.verify(reissued(ours.projectToken))).toMatchObject({ ok: false });
        expect(await asService.verify(reissued(ours.accessToken))).toMatchObject({ ok: false });
      });
    });
  }

  for (const spec of VERIFIERS.filter((candidate) => candidate.refuses?.includes(algorithm))) {
    it(`${spec.name} cannot verify ${algorithm}: it refuses even a good token (it fails closed)`, async () => {
      const verifier = await spec.create(config(ours.project));
      try {
        expect(await verifier.verify(ours.projectToken)).toMatchObject({ ok: false });
      } finally {
        await verifier.close();
      }
    });
  }
});
