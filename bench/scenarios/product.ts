import { join } from 'node:path';
import { measure, type LoadResult, type LoadSpec } from '../lib/load.js';
import { createDatabase, PASSWORD, seed, startProduct, type DatabaseKind, type Session } from '../lib/product.js';
import { cpuSecondsOfProcessesNamed, sampleRss } from '../lib/process.js';
import { median } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import type { SmtpSink } from '../lib/smtp-sink.js';
import { benchBackendBudget, type BackendBudgetResults } from './backend-budget.js';
import { benchBare } from './baseline.js';
import { benchEvents, type EventsResults } from './events.js';
import { benchStaticFiles, type StaticFilesResults } from './static-files.js';
import { loginSpec, validationSpec } from './specs.js';
import { benchOpenLoop, type OpenLoopResults } from './open-loop.js';
import { countStatements, type StatementCounts } from './statements.js';

export interface ProductResults {
  database: DatabaseKind;
  users: number;
  firstStartMs: number;
  validation: LoadResult;
  /**
   * The bare node:http endpoint under the same load, measured just before this validation: on a shared VM
   * the machine's speed drifts by a third within minutes, and the ratio must compare like with like.
   */
  bare: LoadResult;
  login: LoadResult;
  /**
   * The login clients connect before the clock starts (prewarm): hundreds of connections opened at once
   * at a saturated server overflow the kernel's listen queue, and the 1 s / 3 s SYN retransmits would
   * be measured instead of the server's refusals. listenOverflows: the kernel's drops (system-wide)
   * once the clock runs; 0 means no login of the storm waited for a SYN retransmit.
   */
  storm: { offeredLoginsPerSec: number; logins: LoadResult; validation: LoadResult; listenOverflows: number | null };
  /** Latency at fixed arrival rates, from the intended send time (bench/scenarios/open-loop.ts). */
  openLoop?: OpenLoopResults;
  refresh: LoadResult;
  refreshChains: number;
  /** PostgreSQL only: CPU its processes used per rotation (it shares the cores with the server). */
  refreshDatabaseCpuUsPerRotation?: number;
  rss: { idleAfterStartMb: number; idleAfterSetupMb: number; peakUnderLoadMb: number };
  coldStartMs: number[];
  coldStartMedianMs: number;
  /** PostgreSQL only: statements per request, counted on the wire. */
  statements?: StatementCounts;
  /** Issue 13, item 4: the dashboard's files (first database only: they do not touch it), events streams, the backend budget. */
  staticFiles?: StaticFilesResults;
  events?: EventsResults;
  backendBudget?: BackendBudgetResults;
  /** A new part that failed; the other figures stand (run.ts lists these with the errors). */
  partErrors?: string[];
}

/** One simulated project backend per token: its own client address (see startProduct). */
const clientIp = (i: number) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

export function validationItems(sessions: Session[]): NonNullable<LoadSpec['items']> {
  return sessions.map((s, i) => ({ body: JSON.stringify({ token: s.accessToken }), headers: { 'x-forwarded-for': clientIp(i) } }));
}

const json = { 'content-type': 'application/json' };

/** Every measurement of the issue against the production build on one database. */
export async function benchProduct(
  kind: DatabaseKind,
  settings: Settings,
  sink: SmtpSink,
  log: (line: string) => void,
): Promise<ProductResults> {
  const database = await createDatabase(kind, settings.workDir, settings.postgresUrl);
  const logFile = join(settings.workDir, `product-${kind}.log`);
  const options = { databaseUrl: database.url, smtpPort: sink.port, mode: settings.mode, logFile };
  try {
    log(`[${kind}] first start on a fresh database (migrations, signing key)`);
    const server = await startProduct(options);
    const firstStartMs = server.startMs;
    let sessions: Session[];
    let validation: LoadResult, bare: LoadResult, login: LoadResult, refresh: LoadResult, chains: number;
    let refreshDatabaseCpuUsPerRotation: number | undefined;
    let storm: ProductResults['storm'];
    let openLoop: OpenLoopResults;
    let idleAfterSetupMb: number, peakUnderLoadMb: number;
    try {
      log(`[${kind}] seeding ${settings.users} users and signing each in once`);
      sessions = await seed(server, database.url, sink, settings.users);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      idleAfterSetupMb = server.rss();
      const rss = sampleRss(server);
      const validationLoad = validationSpec(server.url, validationItems(sessions), settings.measureSec);
      log(`[${kind}] bare node:http JSON endpoint: 100 connections, the same ${sessions.length} bodies, ${settings.measureSec} s`);
      bare = await benchBare(settings, validationLoad.items!);
      log(`[${kind}] validate-token: 100 connections, ${sessions.length} tokens, ${settings.measureSec} s`);
      validation = await measure(server, { ...validationLoad, warmupSec: settings.warmupSec });

      const loginLoad = loginSpec(server.url, sessions, settings.measureSec);
      log(`[${kind}] login: 16 connections, ${settings.measureSec} s`);
      login = await measure(server, { ...loginLoad, warmupSec: 1 });

      const offered = Math.max(1, Math.round(3 * login.okPerSec));
      log(`[${kind}] storm: ${offered} logins/s offered (3x) beside validate-token at 100 connections, ${settings.measureSec} s`);
      const [stormValidation, stormLogins] = await Promise.all([
        measure(server, validationLoad),
        measure(server, { ...loginLoad, kind: 'open', rate: offered, connections: 2048, prewarm: { path: '/health', count: 1000 } }),
      ]);
      storm = {
        offeredLoginsPerSec: offered,
        logins: stormLogins,
        validation: stormValidation,
        listenOverflows: stormLogins.listenOverflows ?? null,
      };
      peakUnderLoadMb = rss.stop();
      openLoop = await benchOpenLoop(
        server,
        sessions,
        { validationPerSec: validation.okPerSec, loginsPerSec: login.okPerSec },
        settings,
        (l) => log(`[${kind}] ${l}`),
      );

      chains = Math.min(32, sessions.length);
      log(`[${kind}] refresh-token: ${chains} rotation chains, ${settings.measureSec} s`);
      const databaseCpuBefore = kind === 'postgres' ? cpuSecondsOfProcessesNamed('postgres') : 0;
      refresh = await measure(server, {
        kind: 'chain',
        url: server.url,
        method: 'POST',
        path: '/api/auth/refresh-token',
        headers: json,
        items: sessions.slice(-chains).map((s) => ({ body: JSON.stringify({ refreshToken: s.refreshToken }) })),
        connections: chains,
        durationSec: settings.measureSec,
      });
      if (kind === 'postgres' && refresh.total)
        refreshDatabaseCpuUsPerRotation = ((cpuSecondsOfProcessesNamed('postgres') - databaseCpuBefore) * 1e6) / refresh.total;
    } finally {
      await server.stop();
    }

    // The same port, hence the same PUBLIC_URL: the seeded tokens' iss and aud name it, elsewhere they are 401.
    const sameOrigin = { ...options, port: server.port };
    let statements: StatementCounts | undefined;
    if (kind === 'postgres') {
      log(`[${kind}] counting statements per request on the wire`);
      statements = await countStatements(sameOrigin, sessions);
    }

    // Each starts its own servers on this database; the events part suspends users, so it comes last.
    const partErrors: string[] = [];
    const part = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        partErrors.push(`${kind} ${name}: ${error instanceof Error ? error.message : String(error)}`);
        log(`[${kind}] ${name} FAILED: ${error instanceof Error ? error.stack : String(error)}`);
        return undefined;
      }
    };
    const prefixed = (line: string) => log(`[${kind}] ${line}`);
    const staticFiles =
      kind === settings.databases[0] ? await part('static files', () => benchStaticFiles(sameOrigin, settings, prefixed)) : undefined;
    const items = validationItems(sessions);
    const backendBudget = await part('backend budget', () => benchBackendBudget(sameOrigin, items, settings, prefixed));
    const events = await part('events', () =>
      benchEvents(sameOrigin, sessions, { items, calmPerSec: validation.okPerSec }, settings, prefixed),
    );

    log(`[${kind}] cold start x${settings.coldStarts} on the populated database`);
    const coldStartMs: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < settings.coldStarts; i++) {
      const again = await startProduct(options);
      coldStartMs.push(again.startMs);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      idle.push(again.rss());
      await again.stop();
    }
    return {
      database: kind,
      users: sessions.length,
      firstStartMs,
      validation,
      bare,
      login,
      storm,
      openLoop,
      refresh,
      refreshChains: chains,
      refreshDatabaseCpuUsPerRotation,
      rss: { idleAfterStartMb: median(idle), idleAfterSetupMb, peakUnderLoadMb },
      coldStartMs,
      coldStartMedianMs: median(coldStartMs),
      statements,
      staticFiles,
      events,
      backendBudget,
      partErrors,
    };
  } finally {
    await database.drop();
  }
}
