import { availableParallelism } from 'node:os';
import { workDir } from './product.js';
import type { DatabaseKind } from './product.js';

export interface Settings {
  quick: boolean;
  /** Seconds of each measured load (warm-up excluded). */
  measureSec: number;
  warmupSec: number;
  /** Distinct users, each with one session, for validate-token and login. */
  users: number;
  peerUsers: number;
  coldStarts: number;
  mode: 'production' | 'development';
  databases: DatabaseKind[];
  postgresUrl: string;
  workDir: string;
  cores: number;
}

/**
 * `--quick`: every scenario, briefly (under two minutes). `--dev`: NODE_ENV=development, LOG_LEVEL=warn
 * instead of production with the local SMTP sink. `--only=sqlite|postgres`. BENCH_POSTGRES_URL: the
 * server in which a fresh database is created and dropped (default postgres@127.0.0.1:5432).
 */
export function readSettings(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  return {
    quick,
    measureSec: quick ? 2 : 10,
    warmupSec: quick ? 1 : 2,
    users: quick ? 200 : 1000,
    peerUsers: quick ? 30 : 200,
    coldStarts: quick ? 1 : 3,
    mode: argv.includes('--dev') ? 'development' : 'production',
    databases: only ? [only as DatabaseKind] : ['sqlite', 'postgres'],
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    workDir: workDir(),
    cores: availableParallelism(),
  };
}
