/**
 * Verify throughput of the candidate EdDSA JWT implementations, one core, sequential calls.
 * Run: npx tsx bench/jwt-verify.ts   (fast-jwt is measured only if installed: npm install --no-save fast-jwt)
 */
import { generateKeyPairSync, verify as edVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { compactVerify, importJWK, jwtVerify } from 'jose';
import { verifyCompact } from '../src/crypto/jws.js';
import { createTokenService } from '../src/crypto/jwt.js';
import type { KeyRing } from '../src/domain/keys.js';
import type { UserWithProjects } from '../src/domain/models.js';

const config = { issuer: 'xtown-authenticator', audience: 'xtown-authenticator', accessTokenTtlSec: 8 * 3600 };
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const kid = 'bench-key';
const verificationKey = { algorithm: 'EdDSA' as const, publicKey, signatureBytes: 64 };
const keys: KeyRing = {
  signingKey: { kid, algorithm: 'EdDSA', privateKey },
  publicKey: (k) => (k === kid ? verificationKey : undefined),
  jwks: () => ({ body: { keys: [] }, etag: '""' }),
  refresh: async () => {},
  rotate: async () => false,
  rotateIfDue: async () => false,
};
const clock = { now: () => new Date() };
const service = createTokenService({ keys, clock, config, verifiedCacheSize: 0 });
const cachedService = createTokenService({ keys, clock, config });

const created = new Date('2024-01-01T00:00:00.000Z');
const user: UserWithProjects = {
  id: 1,
  name: 'John Doe',
  email: 'user@example.com',
  role: 'ADMIN',
  customRole: 'Developer',
  companyName: 'Acme Corp',
  companyAddress: '123 Business St, City, Country',
  companyPhone: '+1234567890',
  isActive: true,
  isSuspended: false,
  suspendedAt: null,
  suspensionReason: null,
  suspendedBy: null,
  unsuspendedAt: null,
  unsuspendedBy: null,
  subUserLimit: 5,
  createdById: null,
  lastLoginAt: null,
  createdAt: created,
  updatedAt: created,
  projects: Array.from({ length: 3 }, (_, i) => ({
    id: i + 1,
    customProjectId: `project-${i + 1}`,
    name: `Project ${i + 1}`,
    projectUrl: `https://p${i + 1}.example.com`,
    icon: null,
    isActive: true,
  })),
};
const { token } = service.signAccessToken(user, '7f1c0e6e-6f9e-4d43-9a55-0c8f1d1d2a11', 0);

const tokenBytes = Buffer.from(token, 'latin1');
const fresh = () => tokenBytes.toString('latin1');

type Case = { name: string; run: () => unknown; weight?: number };

/**
 * Rounds interleave the cases so that a noisy neighbour slows them all alike; the best round counts.
 * CPU µs per token (user + system, all threads of the process) is the steadier figure on a shared machine.
 */
async function measureAll(cases: Case[], rounds = 5, sliceMs = 300): Promise<void> {
  for (const { run } of cases) for (let i = 0; i < 1000; i++) await run();
  const best = new Map<string, { perSec: number; cpuUs: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const { name, run, weight = 1 } of cases) {
      let n = 0;
      const cpu = process.cpuUsage();
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < sliceMs) {
        for (let i = 0; i < 200; i++) {
          const r = run();
          if (r instanceof Promise) await r;
        }
        n += 200 * weight;
        elapsed = performance.now() - start;
      }
      const used = process.cpuUsage(cpu);
      const previous = best.get(name) ?? { perSec: 0, cpuUs: Infinity };
      best.set(name, {
        perSec: Math.max(previous.perSec, (n / elapsed) * 1000),
        cpuUs: Math.min(previous.cpuUs, (used.user + used.system) / n),
      });
    }
  }
  console.log(`${'case'.padEnd(62)} ${'tokens/s'.padStart(10)} ${'CPU µs/token'.padStart(13)}`);
  for (const { name } of cases) {
    const { perSec, cpuUs } = best.get(name)!;
    console.log(`${name.padEnd(62)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} ${cpuUs.toFixed(2).padStart(13)}`);
  }
}

async function main() {
  const input = Buffer.from(token.slice(0, token.lastIndexOf('.')), 'latin1');
  const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
  const cases: Case[] = [
    { name: 'copying the token string alone (part of both cache rows)', run: () => fresh() },
    { name: 'floor: crypto.verify(null, input, KeyObject, sig) alone', run: () => edVerify(null, input, publicKey, signature) || fail() },
  ];
  const joseKey = (await importJWK(
    { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), alg: 'EdDSA' } as Parameters<typeof importJWK>[0],
    'EdDSA',
  )) as CryptoKey;
  cases.push(
    { name: '(a) jose compactVerify, KeyObject', run: () => compactVerify(token, publicKey, { algorithms: ['EdDSA'] }) },
    { name: '(a) jose compactVerify, imported CryptoKey', run: () => compactVerify(token, joseKey, { algorithms: ['EdDSA'] }) },
    {
      name: '(a) jose jwtVerify (iss, aud, exp), KeyObject',
      run: () => jwtVerify(token, publicKey, { algorithms: ['EdDSA'], issuer: config.issuer, audience: config.audience }),
    },
    // jose verifies on WebCrypto, whose work runs on the libuv pool: with calls in flight it can use
    // more than one core (the pool that password hashing also needs). Counted per token, 32 per call.
    {
      name: '(a) jose jwtVerify, 32 in flight (per token)',
      weight: 32,
      run: () =>
        Promise.all(
          Array.from({ length: 32 }, () =>
            jwtVerify(token, publicKey, { algorithms: ['EdDSA'], issuer: config.issuer, audience: config.audience }),
          ),
        ),
    },
    {
      name: '(b) hand-written verifyCompact (header + signature)',
      run: () => assertOk(verifyCompact(token, (k) => (k === kid ? verificationKey : undefined))),
    },
    { name: '(b) hand-written verifyTokenSync (all claims), no cache', run: () => service.verifyTokenSync(token, 'ACCESS') },
    { name: '(b) hand-written verifyToken (async, all claims), no cache', run: () => service.verifyToken(token, 'ACCESS') },
    // A request brings a new string each time (no cached hash): copy it, as the HTTP parser would.
    { name: '(b) hand-written verifyTokenSync, cache (token seen before)', run: () => cachedService.verifyTokenSync(fresh(), 'ACCESS') },
  );

  const fastJwt = await import('fast-jwt' as string).catch(() => undefined);
  if (fastJwt) {
    const pem = (publicKey as KeyObject).export({ format: 'pem', type: 'spki' }).toString();
    const options = { key: pem, algorithms: ['EdDSA'], allowedIss: config.issuer, allowedAud: config.audience };
    const plain = fastJwt.createVerifier(options);
    const cached = fastJwt.createVerifier({ ...options, cache: true });
    cases.push(
      { name: '(c) fast-jwt createVerifier (iss, aud, exp), no cache', run: () => plain(token) },
      { name: '(c) fast-jwt createVerifier, cache: true (token seen before)', run: () => cached(fresh()) },
    );
  } else {
    console.log('fast-jwt not installed: npm install --no-save fast-jwt to include it');
  }

  console.log(`node ${process.version}, ${availableParallelism()} cores, token ${token.length} bytes\n`);
  await measureAll(cases);
}

function assertOk(result: ReturnType<typeof verifyCompact>) {
  if (!result.ok) throw new Error(`verifyCompact failed: ${result.reason}`);
  return result;
}

function fail(): never {
  throw new Error('signature refused');
}

// The warm-up calls every case; each throws (or fails its assertion) if it refuses the token.
await main();
