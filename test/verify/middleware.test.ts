import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressAuth, fastifyAuth, withXtownUser, type Verifier, type XtownUser } from '@xtown/verify';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startService, type Service } from './service.js';

/** What the plugin put on the request (a project declares it on FastifyRequest; here it stays local to the test). */
const userOf = (request: unknown) => (request as { xtownUser: XtownUser | null }).xtownUser;

/**
 * Each framework's middleware in a real server of that framework, verifying the real service's tokens:
 * a project token passes with its user, anything else gets the service's 401 envelope.
 */
describe('@xtown/verify: Express, Fastify and fetch middleware', () => {
  let s: Service;
  let verifier: Verifier;
  let token: string;
  beforeEach(async () => {
    s = await startService();
    verifier = s.verifier();
    token = (await s.open('crm')).token;
  });
  afterEach(async () => {
    await s.close();
  });

  /** The answers of `call` to: the project token, no header, a Basic header, an access token, garbage. */
  async function expectBehaviour(call: (authorization?: string) => Promise<Response>) {
    const ok = await call(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ email: 'jane@acme.test', project: 'crm' });

    const cases: Array<[string | undefined, string]> = [
      [undefined, 'UNAUTHENTICATED'],
      [`Basic ${Buffer.from('crm:x').toString('base64')}`, 'UNAUTHENTICATED'],
      [`Bearer ${s.jane.accessToken}`, 'TOKEN_INVALID'],
      ['Bearer not-a-token', 'TOKEN_INVALID'],
    ];
    for (const [authorization, code] of cases) {
      const refused = await call(authorization);
      expect(refused.status, String(authorization)).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await refused.json()).toEqual({ success: false, message: expect.any(String), error: { code } });
    }
  }
  const get = (base: string) => (authorization?: string) => fetch(`${base}/me`, { headers: authorization ? { authorization } : {} });

  it('Express: req.xtownUser, or the 401 envelope', async () => {
    const app = express();
    app.get('/me', expressAuth(verifier), (req, res) => {
      const user = (req as { xtownUser?: XtownUser }).xtownUser!;
      res.json({ email: user.email, project: user.project.customProjectId });
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      await expectBehaviour(get(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('Fastify', () => {
    let app: FastifyInstance;
    afterEach(async () => {
      await app.close();
    });
    const listen = async () => `http://127.0.0.1:${(await app.listen({ port: 0, host: '127.0.0.1' })).split(':').at(-1)}`;

    it('protects every route of the instance that registers the plugin', async () => {
      app = Fastify();
      await app.register(fastifyAuth(verifier));
      app.get('/me', async (request) => ({ email: userOf(request)!.email, project: userOf(request)!.project.customProjectId }));
      await expectBehaviour(get(await listen()));
    });

    it('with protectAll: false, only the routes that use xtownAuthenticate', async () => {
      app = Fastify();
      await app.register(fastifyAuth(verifier, { protectAll: false }));
      const authenticate = (app as unknown as { xtownAuthenticate: never }).xtownAuthenticate;
      app.get('/me', { onRequest: authenticate }, async (request) => ({
        email: userOf(request)!.email,
        project: userOf(request)!.project.customProjectId,
      }));
      app.get('/public', async (request) => ({ user: userOf(request) }));
      const base = await listen();
      await expectBehaviour(get(base));
      expect(await (await fetch(`${base}/public`)).json()).toEqual({ user: null });
    });
  });

  it('fetch-style handlers (Hono, Next.js): the handler runs with the user, or the refusal is the answer', async () => {
    const handler = withXtownUser(verifier, (_request, user) =>
      Response.json({ email: user.email, project: user.project.customProjectId }),
    );
    await expectBehaviour((authorization) =>
      handler(new Request('http://project.test/me', { headers: authorization ? { authorization } : {} })),
    );
  });

  it('answers 503 (fail closed) when the hub cannot be reached', async () => {
    const unreachable = s.verifier({ issuer: 'http://127.0.0.1:9' });
    const response = await withXtownUser(
      unreachable,
      () => new Response('never'),
    )(new Request('http://project.test/me', { headers: { authorization: `Bearer ${token}` } }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
  });
});
