import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { measure, type LoadResult, type LoadSpec } from '../lib/load.js';
import { ROOT } from '../lib/product.js';
import { freePort, startServer } from '../lib/process.js';
import type { Settings } from '../lib/settings.js';

/** The bare node:http JSON endpoint under exactly the load validate-token gets (same bodies, same connections). */
export async function benchBare(settings: Settings, items: NonNullable<LoadSpec['items']>): Promise<LoadResult> {
  const port = await freePort();
  const server = await startServer({
    args: ['--import', 'tsx', 'bench/servers/bare.ts'],
    env: { PATH: process.env.PATH, PORT: String(port) },
    port,
    healthPath: '/health',
    logFile: join(settings.workDir, 'bare.log'),
    cwd: ROOT,
  });
  try {
    return await measure(server, {
      kind: 'autocannon',
      url: server.url,
      method: 'POST',
      path: '/validate',
      headers: { 'content-type': 'application/json' },
      items,
      connections: 100,
      durationSec: settings.measureSec,
      warmupSec: settings.warmupSec,
    });
  } finally {
    await server.stop();
  }
}

export interface RawHashResult {
  concurrency: number;
  seconds: number;
  verifies: number;
  perSec: number;
}

/**
 * @node-rs/argon2 verify at the product's parameters, one verify per core, in its own process: the machine's limit,
 * which logins on an otherwise idle service should approach now that the hash pool grows while the loop is idle.
 */
export async function benchRawHash(settings: Settings): Promise<RawHashResult> {
  const concurrency = availableParallelism();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/raw-argon2.ts', String(concurrency), String(settings.measureSec)],
    { cwd: ROOT },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as RawHashResult;
}
