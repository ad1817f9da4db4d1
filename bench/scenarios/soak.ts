import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, createDatabase, PASSWORD, seed, startProduct, type DatabaseKind } from '../lib/product.js';
import type { Settings } from '../lib/settings.js';
import type { SmtpSink } from '../lib/smtp-sink.js';

export interface SoakResults {
  database: DatabaseKind;
  minutes: number;
  /** The server's RSS at the end of each minute, MB. */
  rssByMinuteMb: number[];
  /** Its JS heap in use then (from /metrics), MB: growth here is a leak in our objects, growth in RSS alone is not. */
  heapByMinuteMb: number[];
  answers: number;
  errors: number;
  byStatus: Record<string, number>;
  /** RSS growth from the end of the warm-up (the first fifth, at least a minute) to the end, MB per 10 minutes. */
  growthAfterWarmupMbPer10Min: number;
}

/**
 * `npm run bench -- --soak[=minutes]` (default 30): 40 users looping sign-in, /me, validations, refresh, project list
 * and sign-out, and an Admin writing and deleting sub-users, for the given minutes; the server's RSS each minute.
 * Memory that stays flat after the warm-up means every cache and table in memory is bounded by its working set.
 */
export async function benchSoak(
  kind: DatabaseKind,
  minutes: number,
  settings: Settings,
  sink: SmtpSink,
  log: (line: string) => void,
): Promise<SoakResults> {
  const database = await createDatabase(kind, settings.workDir, settings.postgresUrl);
  const server = await startProduct({
    databaseUrl: database.url,
    smtpPort: sink.port,
    mode: settings.mode,
    logFile: join(settings.workDir, `soak-${kind}.log`),
    // Each looping user makes hundreds of signed-in calls a minute: the soak measures memory, not the per-user budget.
    env: { RATE_LIMIT_MAX_AUTHENTICATED: '10000000' },
  });
  try {
    log(`[soak ${kind}] seeding 40 users`);
    const sessions = await seed(server, database.url, sink, 40);
    const worker = fork(join(ROOT, 'bench/soak-worker.ts'), [], { execArgv: ['--import', 'tsx'], cwd: ROOT });
    const done = new Promise<{ answers: number; errors: number; byStatus: Record<string, number> }>((resolve, reject) => {
      worker.once('message', (counts) => resolve(counts as never));
      worker.once('exit', (code) => (code ? reject(new Error(`the soak worker exited with ${code}`)) : undefined));
    });
    worker.send({
      url: server.url,
      emails: sessions.map((session) => session.email),
      password: PASSWORD,
      adminToken: sessions[0]!.accessToken,
      durationSec: minutes * 60,
    });
    const rssByMinuteMb: number[] = [];
    const heapByMinuteMb: number[] = [];
    for (let minute = 1; minute <= minutes; minute++) {
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      rssByMinuteMb.push(server.rss());
      heapByMinuteMb.push(await heapUsedMb(server.url));
      log(`[soak ${kind}] minute ${minute}: RSS ${rssByMinuteMb.at(-1)!.toFixed(1)} MB, heap ${heapByMinuteMb.at(-1)!.toFixed(1)} MB`);
    }
    const counts = await done;
    const warm = Math.max(1, Math.round(minutes / 5));
    const start = rssByMinuteMb[warm - 1]!;
    const end = rssByMinuteMb.at(-1)!;
    const growth = minutes > warm ? ((end - start) / (minutes - warm)) * 10 : 0;
    return { database: kind, minutes, rssByMinuteMb, heapByMinuteMb, ...counts, growthAfterWarmupMbPer10Min: growth };
  } finally {
    await server.stop();
    await database.drop();
  }
}

/** prom-client's nodejs_heap_size_used_bytes, read from /metrics (loopback callers may). */
async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
}
