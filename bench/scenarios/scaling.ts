import { connect } from 'node:net';
import { join } from 'node:path';
import { startBalancer } from '../lib/balancer.js';
import { runLoad, type LoadSpec } from '../lib/load.js';
import { cpuSecondsOfProcessesNamed, freePort } from '../lib/process.js';
import { createDatabase, seed, startProduct } from '../lib/product.js';
import type { Settings } from '../lib/settings.js';
import type { SmtpSink } from '../lib/smtp-sink.js';
import { validationItems } from './product.js';
import { loginSpec, validationSpec } from './specs.js';

export interface ScaledOperation {
  /** Answers per second through the balancer. */
  perSec: number;
  /** Share of the answers each instance served (from its CPU is not possible: from connections). */
  connectionsPerInstance: number[];
  /** CPU µs per answer of all the answers (both instances'): each instance, PostgreSQL (all its processes), Redis. */
  cpuUsPerOp: { instances: number[]; postgres: number; redis: number };
  /** Answers per CPU-second of everything involved: what one core sustains (the sizing table's figure). */
  perCore: number;
  /** Answers other than 2xx (a wrong set-up shows here: each instance must accept the other's tokens). */
  refused: number;
}

export interface ScalingResults {
  validation: ScaledOperation;
  login: ScaledOperation;
  refresh: ScaledOperation;
  /** Each instance's RSS after the run, MB. */
  rssMb: number[];
}

/** The Redis database the two instances share (the bench's own: it is emptied before each run). */
const REDIS_DB = 7;

/** FLUSHDB on one Redis database, over a plain socket (the bench has no Redis client of its own). */
function flushRedisDb(db: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(6379, '127.0.0.1', () => socket.write(`SELECT ${db}\r\nFLUSHDB\r\n`));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.split('\r\n').filter(Boolean).length < 2) return;
      socket.end();
      if (answer.startsWith('+OK\r\n+OK')) resolve();
      else reject(new Error(`Redis FLUSHDB answered ${JSON.stringify(answer)}`));
    });
    socket.on('error', reject);
  });
}

/**
 * Two instances on one PostgreSQL and Redis behind a local TCP balancer (issue 13, item 6). On two cores they cannot
 * add throughput; what this shows is the CPU each operation costs on each part, and that the instances share the
 * work evenly with nothing serialised between them (each instance's CPU per operation stays the single-instance one).
 */
export async function benchScaling(settings: Settings, sink: SmtpSink, log: (line: string) => void): Promise<ScalingResults> {
  const database = await createDatabase('postgres', settings.workDir, settings.postgresUrl);
  // One PUBLIC_URL for both, the balancer's, as in a deployment: it is every token's issuer.
  const balancerPort = await freePort();
  const env = { REDIS_URL: `redis://127.0.0.1:6379/${REDIS_DB}`, PUBLIC_URL: `http://127.0.0.1:${balancerPort}` };
  // Limits are counted in Redis, which outlives a run: the last run's sign-ins would still count in this one's window.
  await flushRedisDb(REDIS_DB);
  const start = (name: string) =>
    startProduct({
      databaseUrl: database.url,
      smtpPort: sink.port,
      mode: settings.mode,
      logFile: join(settings.workDir, `${name}.log`),
      env,
    });
  const a = await start('scaling-a');
  const b = await start('scaling-b');
  const balancer = await startBalancer([a.port, b.port], balancerPort);
  try {
    log('[scaling] seeding through instance A; two instances behind a TCP balancer, one PostgreSQL, one Redis');
    const sessions = await seed(a, database.url, sink, settings.users);
    const instances = [a, b];
    const run = async (spec: LoadSpec): Promise<ScaledOperation> => {
      // The warm-up apart: the CPU read around the measured run only.
      if (spec.warmupSec) await runLoad({ ...spec, durationSec: spec.warmupSec, warmupSec: undefined });
      const before = {
        instances: instances.map((i) => i.cpu()),
        postgres: cpuSecondsOfProcessesNamed('postgres'),
        redis: cpuSecondsOfProcessesNamed('redis-server'),
      };
      const connectionsBefore = [...balancer.connections];
      const result = await runLoad({ ...spec, warmupSec: undefined });
      const per = (seconds: number) => (result.total ? (seconds * 1e6) / result.total : 0);
      const instanceUs = instances.map((i, n) => per(i.cpu() - before.instances[n]!));
      const postgres = per(cpuSecondsOfProcessesNamed('postgres') - before.postgres);
      const redis = per(cpuSecondsOfProcessesNamed('redis-server') - before.redis);
      const totalUs = instanceUs.reduce((sum, us) => sum + us, 0) + postgres + redis;
      return {
        perSec: result.okPerSec,
        connectionsPerInstance: balancer.connections.map((count, n) => count - connectionsBefore[n]!),
        cpuUsPerOp: { instances: instanceUs, postgres, redis },
        perCore: totalUs ? 1e6 / totalUs : 0,
        refused: result.total - result.ok,
      };
    };
    const { warmupSec } = settings;
    log(`[scaling] validate-token: 100 connections, ${settings.measureSec} s`);
    const validation = await run({ ...validationSpec(balancer.url, validationItems(sessions), settings.measureSec), warmupSec });
    log(`[scaling] login: 16 connections, ${settings.measureSec} s`);
    const login = await run({ ...loginSpec(balancer.url, sessions, settings.measureSec), warmupSec });
    const chains = Math.min(32, sessions.length);
    log(`[scaling] refresh-token: ${chains} rotation chains, ${settings.measureSec} s`);
    const refresh = await run({
      url: balancer.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      durationSec: settings.measureSec,
      // No warm-up: a chain's tokens are used once, a warm-up would spend them.
      kind: 'chain',
      path: '/api/auth/refresh-token',
      items: sessions.slice(-chains).map((s) => ({ body: JSON.stringify({ refreshToken: s.refreshToken }) })),
      connections: chains,
    });
    return { validation, login, refresh, rssMb: instances.map((i) => i.rss()) };
  } finally {
    await balancer.close();
    await Promise.all([a.stop(), b.stop()]);
    await database.drop();
  }
}

/** The scaling figures and the sizing table (per core, from what every part of the system spent), as text. */
export function renderScaling(r: ScalingResults): string {
  const row = (name: string, op: ScaledOperation) =>
    `| ${name} | ${op.perSec.toFixed(0)} | ${op.refused} | ${op.connectionsPerInstance.join(' / ')} | ${op.cpuUsPerOp.instances.map((us) => us.toFixed(0)).join(' / ')} | ${op.cpuUsPerOp.postgres.toFixed(0)} | ${op.cpuUsPerOp.redis.toFixed(0)} | ${op.perCore.toFixed(0)} |`;
  return [
    "Two instances behind a TCP balancer, one PostgreSQL, one Redis (on this machine they share the same cores). Each part's CPU is divided by all the answers, the two instances' together: an instance's cost per answer it served is about twice its column.",
    '',
    '| operation | answers/s | refused | connections A / B | CPU µs per answer: A / B | PostgreSQL | Redis | per core (answers per CPU-second of all parts) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('validate-token', r.validation),
    row('login', r.login),
    row('refresh rotation', r.refresh),
    '',
    `RSS per instance after the run: ${r.rssMb.map((mb) => `${mb.toFixed(0)} MB`).join(' / ')}`,
  ].join('\n');
}
