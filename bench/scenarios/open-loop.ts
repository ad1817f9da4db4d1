/**
 * Latency as users feel it (issue 13, item 3): load offered at a fixed rate by the open-loop generator
 * (bench/lib/open-loop.ts), each latency from its intended send time. The closed-loop scenarios in product.ts
 * keep measuring throughput; with 100 connections their p99 is mostly the generator's own queue (Little's law).
 *  - calm: validate-token offered at half of its calm capacity (the closed-loop req/s of the same run);
 *  - storm: logins offered at 3× login capacity and, at the same time, validate-token at 30% of its calm
 *    capacity (the storm may take up to 55% of it, so 50% would be saturation); the refused logins (429/503)
 *    are reported apart.
 * Arrivals are Poisson (independent clients), seeded so that two runs offer the same sequence.
 */
import { join } from 'node:path';
import { runOpenLoop, type OpenLoopResult, type OpenLoopSpec } from '../lib/open-loop.js';
import { freePort, startServer, type Server } from '../lib/process.js';
import { PASSWORD, ROOT, type Session } from '../lib/product.js';
import type { Settings } from '../lib/settings.js';
import { validationItems } from './product.js';

export const OPEN_LOOP_SHARES = { calmValidation: 0.5, stormValidation: 0.3, stormLogins: 3 } as const;

export interface OpenLoopResults {
  /** The closed-loop capacities of the same run that the offered rates derive from. */
  capacity: { validationPerSec: number; loginsPerSec: number };
  calm: OpenLoopResult;
  /**
   * The same stream (rate, arrivals, bodies) against the bare node:http JSON endpoint right after: the latency
   * the machine and the generator give on their own at that moment, the floor under `calm`.
   */
  calmBare: OpenLoopResult;
  storm: { validation: OpenLoopResult; logins: OpenLoopResult };
}

/**
 * Sockets per stream: validation at ~3,500/s needs ~35 at 10 ms, and 128 leave room for a GC pause before
 * requests wait in the client (which would count, but as the client's queue). A storm's admitted logins wait
 * up to a second for the hash pool: 512 cover 3× capacity.
 */
export const VALIDATION_SOCKETS = 128;
const LOGIN_SOCKETS = 512;
/** Time for the generators to start (a tsx child each) and open their sockets before the first request is due. */
export const START_MARGIN_MS = 3000;

const json = { 'content-type': 'application/json' };

export async function benchOpenLoop(
  server: Server,
  sessions: Session[],
  capacity: OpenLoopResults['capacity'],
  settings: Settings,
  log: (line: string) => void,
): Promise<OpenLoopResults> {
  const timing = { warmupSec: settings.warmupSec, durationSec: settings.measureSec };
  const validation = (share: number, seed: number): OpenLoopSpec => ({
    url: server.url,
    method: 'POST',
    path: '/api/auth/validate-token',
    headers: json,
    items: validationItems(sessions),
    rate: Math.max(1, Math.round(share * capacity.validationPerSec)),
    arrival: 'poisson',
    seed,
    connections: VALIDATION_SOCKETS,
    prewarmPath: '/health',
    ...timing,
  });

  const calmSpec = validation(OPEN_LOOP_SHARES.calmValidation, 1);
  log(`open loop: validate-token at ${calmSpec.rate}/s (0.5x calm capacity), Poisson, ${settings.measureSec} s`);
  const calm = await runOpenLoop(calmSpec);
  log(`open loop: the same stream against the bare node:http endpoint`);
  const calmBare = await againstBare(calmSpec, settings);

  const startAt = Date.now() + START_MARGIN_MS;
  const stormValidation = { ...validation(OPEN_LOOP_SHARES.stormValidation, 2), startAt };
  const logins: OpenLoopSpec = {
    url: server.url,
    method: 'POST',
    path: '/api/auth/login',
    headers: json,
    // Each account signs in from an address of its own (TRUST_PROXY=1): from one address, the refusals would soon
    // spend LOGIN_FAILURES_PER_IP_MAX and come back as that limiter's 429 instead of the hash pool's 503.
    items: sessions.map((s, i) => ({
      body: JSON.stringify({ email: s.email, password: PASSWORD }),
      headers: { 'x-forwarded-for': `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}` },
    })),
    rate: Math.max(1, Math.round(OPEN_LOOP_SHARES.stormLogins * capacity.loginsPerSec)),
    arrival: 'poisson',
    seed: 3,
    connections: LOGIN_SOCKETS,
    prewarmPath: '/health',
    startAt,
    ...timing,
  };
  log(
    `open-loop storm: ${logins.rate} logins/s (3x) and validate-token at ${stormValidation.rate}/s (0.3x calm), Poisson, ${settings.measureSec} s`,
  );
  const [validationDuringStorm, loginStorm] = await Promise.all([runOpenLoop(stormValidation), runOpenLoop(logins)]);
  return { capacity, calm, calmBare, storm: { validation: validationDuringStorm, logins: loginStorm } };
}

async function againstBare(spec: OpenLoopSpec, settings: Settings): Promise<OpenLoopResult> {
  const port = await freePort();
  const bare = await startServer({
    args: ['--import', 'tsx', 'bench/servers/bare.ts'],
    env: { PATH: process.env.PATH, PORT: String(port) },
    port,
    healthPath: '/health',
    logFile: join(settings.workDir, 'bare-open-loop.log'),
    cwd: ROOT,
  });
  try {
    return await runOpenLoop({ ...spec, url: bare.url, path: '/validate' });
  } finally {
    await bare.stop();
  }
}
