import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A stand-in for the service where it does not yet speak the contract: the events stream of API.md
 * "Project events" (Basic authentication, ids, replay after Last-Event-ID, `resync` for an id no longer
 * retained, heartbeat comments), plus a JWKS and validate-token whose verdict the test sets. Tokens are
 * minted here with the contract's claims. Keep it small: the integrator points these tests at the real
 * stream once it exists.
 */

export const PROJECT = 'crm';
export const SECRET = 'secret-crm-0123456789abcdef';

export interface TokenInput {
  userId?: number;
  sid?: string;
  gen?: number;
  pgen?: number;
  /** Seconds since the epoch; default now. */
  iat?: number;
  key?: SigningKey;
}
interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}
interface Stored {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function startHubFixture(options: { heartbeatMs: number }) {
  const key = await newKey('key-1');
  let published: SigningKey[] = [key];
  const events: Stored[] = [];
  const live = new Set<ServerResponse>();
  /** Ids up to this were dropped from retention; an older Last-Event-ID gets `resync`. */
  let retainedAfter = 0;
  let resyncAt = new Date().toISOString();
  let heartbeats = true;
  const calls = { jwks: 0, validate: 0, streams: [] as Array<{ lastEventId: string | undefined; authorization: string | undefined }> };
  const state: { online: (token: string) => boolean | 'down' } = { online: () => true };

  const write = (res: ServerResponse, e: Stored) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);

  const stream = (req: IncomingMessage, res: ServerResponse) => {
    const lastEventId = req.headers['last-event-id'] as string | undefined;
    calls.streams.push({ lastEventId, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${PROJECT}:${SECRET}`).toString('base64')}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"success":false}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    const after = lastEventId === undefined ? 0 : Number(lastEventId);
    if (lastEventId !== undefined && after < retainedAfter) {
      write(res, { id: retainedAfter, type: 'resync', data: { id: retainedAfter, type: 'resync', at: resyncAt } });
    }
    for (const e of events) if (e.id > after) write(res, e);
    live.add(res);
    res.on('close', () => live.delete(res));
  };

  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      calls.jwks++;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else if (req.url === `/api/projects/${PROJECT}/events`) stream(req, res);
    else if (req.url === '/api/auth/validate-token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        calls.validate++;
        const verdict = state.online((JSON.parse(body) as { token: string }).token);
        if (verdict === 'down') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"success":false}');
        const ok = verdict === true;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok ? { success: true, data: { valid: true } } : { success: false, message: 'Invalid token', error: { code: 'TOKEN_INVALID' } },
          ),
        );
      });
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ticker = setInterval(() => {
    if (heartbeats) for (const res of live) res.write(': heartbeat\n\n');
  }, options.heartbeatMs);

  return {
    url,
    calls,
    key,
    /** The verdict of validate-token for a token (default: valid; 'down': a 503). */
    set online(verdict: (token: string) => boolean | 'down') {
      state.online = verdict;
    },
    setHeartbeats(on: boolean) {
      heartbeats = on;
    },
    /** Stores an event and sends it to the open streams; answers its id. */
    emit(type: string, fields: { userId?: number; sessionId?: string; gen?: number } = {}): number {
      const id = (events.at(-1)?.id ?? retainedAfter) + 1;
      const data = {
        id,
        type,
        at: new Date().toISOString(),
        userId: null,
        sessionId: null,
        projectId: 1,
        gen: null,
        reason: null,
        ...fields,
      };
      const e = { id, type, data };
      events.push(e);
      for (const res of live) write(res, e);
      return id;
    },
    /** Cuts every open stream (a network failure or an instance going away). */
    cut() {
      for (const res of live) res.socket?.destroy();
      live.clear();
    },
    /** Drops every stored event from retention: a reconnection with an older id gets `resync` with `at`. */
    forget(at: Date) {
      retainedAfter = events.at(-1)?.id ?? retainedAfter;
      resyncAt = at.toISOString();
      events.length = 0;
    },
    publish(keys: SigningKey[]) {
      published = keys;
    },
    async token(input: TokenInput = {}): Promise<string> {
      const signing = input.key ?? key;
      const userId = input.userId ?? 7;
      const iat = input.iat ?? Math.floor(Date.now() / 1000);
      const claims = {
        id: userId,
        email: `user${userId}@acme.test`,
        name: `User ${userId}`,
        role: 'ADMIN',
        customRole: null,
        companyName: 'Acme',
        companyAddress: null,
        companyPhone: null,
        isActive: true,
        isSuspended: false,
        createdAt: '2024-01-01T00:00:00.000Z',
        project: { id: 1, customProjectId: PROJECT, name: 'CRM' },
        tokenType: 'PROJECT_ACCESS',
        gen: input.gen ?? 1,
        pgen: input.pgen ?? 1,
        sid: input.sid ?? 'session-a',
      };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: signing.kid })
        .setSubject(String(userId))
        .setIssuer(url)
        .setAudience(PROJECT)
        .setJti(crypto.randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + 8 * 3600)
        .sign(signing.privateKey);
    },
    async close() {
      clearInterval(ticker);
      for (const res of live) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type HubFixture = Awaited<ReturnType<typeof startHubFixture>>;
