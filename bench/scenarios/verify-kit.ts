/**
 * @xtown/verify's verify() next to jose's raw jwtVerify of the same ES256 project token, one core, sequential calls.
 * Goals (issue 12): a cached verify ≤ 5 µs; an uncached one ≤ 1.2 × jose's jwtVerify. It serves its own JWKS and
 * needs no service; a few seconds.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '@xtown/verify';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

export interface KitResults {
  /** Microseconds per call, the best of interleaved rounds. */
  rawUs: number;
  uncachedUs: number;
  cachedUs: number;
}

export async function benchVerifyKit(): Promise<KitResults> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const token = await new SignJWT({
    id: 7,
    email: 'jane@acme.test',
    name: 'Jane Roe',
    role: 'ADMIN',
    customRole: 'Developer',
    companyName: 'Acme',
    companyAddress: '1 Main St',
    companyPhone: '+15550100',
    isActive: true,
    isSuspended: false,
    createdAt: '2024-01-01T00:00:00.000Z',
    project: { id: 1, customProjectId: 'crm', name: 'CRM' },
    tokenType: 'PROJECT_ACCESS',
    gen: 1,
    pgen: 1,
    sid: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'bench' })
    .setSubject('7')
    .setIssuer(issuer)
    .setAudience('crm')
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('8h')
    .sign(privateKey);

  const options = { issuer, project: 'crm', events: false } as const;
  const cached = createVerifier(options);
  const uncached = createVerifier({ ...options, cacheSize: 0 });
  await Promise.all([cached.ready(), uncached.ready()]);

  const cases: Record<string, () => Promise<unknown>> = {
    'jose jwtVerify (raw)': () => jwtVerify(token, publicKey, { issuer, audience: 'crm', algorithms: ['ES256'] }),
    'verify(), uncached': () => uncached.verify(token),
    'verify(), cached': () => cached.verify(token),
  };

  /** Rounds interleave the cases, so that a noisy neighbour slows them all alike; the best round counts. */
  async function measure(rounds = 5, sliceMs = 300): Promise<Map<string, number>> {
    for (const run of Object.values(cases)) for (let i = 0; i < 500; i++) await run();
    const best = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(cases)) {
        let n = 0;
        const start = performance.now();
        while (performance.now() - start < sliceMs) {
          for (let i = 0; i < 100; i++) await run();
          n += 100;
        }
        const usPerOp = ((performance.now() - start) * 1000) / n;
        best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, usPerOp));
      }
    }
    return best;
  }

  try {
    const results = await measure();
    return {
      rawUs: results.get('jose jwtVerify (raw)')!,
      uncachedUs: results.get('verify(), uncached')!,
      cachedUs: results.get('verify(), cached')!,
    };
  } finally {
    cached.close();
    uncached.close();
    server.close();
  }
}
