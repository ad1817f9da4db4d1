import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, mapLimit } from '../lib/http.js';
import { measure, type LoadResult } from '../lib/load.js';
import { ROOT } from '../lib/product.js';
import { freePort, startServer } from '../lib/process.js';
import type { Settings } from '../lib/settings.js';

export interface PeerResults {
  name: string;
  version: string;
  users: number;
  startMs: number;
  signIn: LoadResult;
  getSession: LoadResult;
  idleRssMb: number;
  notes: string[];
}

const PASSWORD = 'Bench-Passw0rd-Lz9q';

/** better-auth on its own SQLite file, measured by the same harness as the product. */
export async function benchPeer(settings: Settings, log: (line: string) => void): Promise<PeerResults> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'bench/node_modules/better-auth/package.json'), 'utf8')) as { version: string };
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = await startServer({
    args: ['--import', 'tsx', 'bench/servers/better-auth.ts'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      PEER_DB_FILE: join(settings.workDir, 'better-auth.db'),
      BETTER_AUTH_SECRET: 'bench-peer-secret-0123456789abcdef0123456789',
    },
    port,
    healthPath: '/health',
    logFile: join(settings.workDir, 'better-auth.log'),
    cwd: ROOT,
  });
  try {
    log(`[peer] better-auth ${pkg.version}: signing up ${settings.peerUsers} users (each sign-up opens a session)`);
    const emails = Array.from({ length: settings.peerUsers }, (_, i) => `peer${String(i).padStart(5, '0')}@bench.test`);
    const cookies = await mapLimit(emails, 4, async (email, i) => {
      const { headers } = await call(origin, 'POST', '/api/auth/sign-up/email', {
        headers: { origin },
        body: { email, password: PASSWORD, name: `Peer User ${i}` },
      });
      const cookie = headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token='));
      if (!cookie) throw new Error('better-auth sign-up set no session cookie');
      return cookie.split(';')[0]!;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRssMb = server.rss();
    const headers = { 'content-type': 'application/json', origin };
    log(`[peer] sign-in/email: 16 connections, ${settings.measureSec} s`);
    const signIn = await measure(server, {
      kind: 'autocannon',
      url: origin,
      method: 'POST',
      path: '/api/auth/sign-in/email',
      headers,
      items: emails.map((email) => ({ body: JSON.stringify({ email, password: PASSWORD }) })),
      connections: 16,
      durationSec: settings.measureSec,
      warmupSec: 1,
    });
    log(`[peer] get-session with the cookie: 100 connections, ${cookies.length} sessions, ${settings.measureSec} s`);
    const getSession = await measure(server, {
      kind: 'autocannon',
      url: origin,
      method: 'GET',
      path: '/api/auth/get-session',
      headers: { origin },
      items: cookies.map((cookie) => ({ headers: { cookie } })),
      connections: 100,
      durationSec: settings.measureSec,
      warmupSec: settings.warmupSec,
    });
    return {
      name: 'better-auth',
      version: pkg.version,
      users: cookies.length,
      startMs: server.startMs,
      signIn,
      getSession,
      idleRssMb,
      notes: [
        'email and password on its own SQLite file (better-sqlite3, its default journal mode), NODE_ENV=production',
        'its rate limiter (on by default in production) switched off for the measurement: rateLimit.enabled = false',
        'served by node:http through better-auth/node toNodeHandler; every call carries Origin = its baseURL',
      ],
    };
  } finally {
    await server.stop();
  }
}
