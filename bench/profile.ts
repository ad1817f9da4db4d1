/**
 * npm run bench:profile [-- --route=validate|refresh|login] [-- --db=sqlite|postgres] [-- --sec=N] [-- --redis]
 * Starts the production build with --cpu-prof, loads one route from a separate process, and
 * prints where the server's CPU went (self time by function and by package). The harness of
 * `npm run bench`, pointed at one question: what does a request of this route cost, and why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './lib/load.js';
import { cpuSecondsOfProcessesNamed, cpuTimes } from './lib/process.js';
import { createDatabase, seed, startProduct, type DatabaseKind } from './lib/product.js';
import { readSettings } from './lib/settings.js';
import { startSmtpSink } from './lib/smtp-sink.js';
import { validationItems } from './scenarios/product.js';
import { loginSpec, validationSpec } from './scenarios/specs.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const argv = process.argv.slice(2);
const route = argv.find((a) => a.startsWith('--route='))?.slice(8) ?? 'validate';
const kind = (argv.find((a) => a.startsWith('--db='))?.slice(5) ?? 'sqlite') as DatabaseKind;
const seconds = Number(argv.find((a) => a.startsWith('--sec='))?.slice(6) ?? 5);
// With Redis, as every instance of a multi-instance deployment runs (limits and invalidations go through it).
const env = argv.includes('--redis') ? { REDIS_URL: 'redis://127.0.0.1:6379/7' } : undefined;
const settings = readSettings(['--quick']);
const profDir = join(settings.workDir, 'prof');

const sink = await startSmtpSink();
const database = await createDatabase(kind, settings.workDir, settings.postgresUrl);
const options = {
  databaseUrl: database.url,
  smtpPort: sink.port,
  mode: 'production' as const,
  logFile: join(settings.workDir, 'server.log'),
  env,
};
// Seeded by one process, profiled in a second one on the same database: the profile holds the load, not the set-up.
const seeder = await startProduct(options);
const sessions = await seed(seeder, database.url, sink, 200);
await seeder.stop();
// On the seeder's port: the port is in PUBLIC_URL, every seeded token's issuer.
const server = await startProduct({ ...options, port: seeder.port, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
const json = { 'content-type': 'application/json' };
// User and system CPU apart: system time is the kernel's work for our sockets (HTTP and the database's).
const times = () => cpuTimes(`/proc/${server.child.pid}/stat`);
const before = times();
// The database server's CPU too: PostgreSQL shares these cores.
const postgresBefore = cpuSecondsOfProcessesNamed('postgres');
const result =
  route === 'refresh'
    ? await measure(server, {
        kind: 'chain',
        url: server.url,
        method: 'POST',
        path: '/api/auth/refresh-token',
        headers: json,
        items: sessions.slice(-32).map((s) => ({ body: JSON.stringify({ refreshToken: s.refreshToken }) })),
        connections: 32,
        durationSec: seconds,
      })
    : route === 'login'
      ? // The event loop's share of a sign-in (the hashes run on libuv's pool, listed below).
        await measure(server, { ...loginSpec(server.url, sessions, seconds), warmupSec: 1 })
      : await measure(server, { ...validationSpec(server.url, validationItems(sessions), seconds), warmupSec: 1 });
const after = times();
const postgresUsed = cpuSecondsOfProcessesNamed('postgres') - postgresBefore;
// Per thread: the main thread is the event loop; the others are V8's (GC, compiler) and libuv's.
for (const tid of readdirSync(`/proc/${server.child.pid}/task`)) {
  const { userMs, systemMs } = cpuTimes(`/proc/${server.child.pid}/task/${tid}/stat`);
  if (userMs + systemMs > 50)
    console.log(`thread ${tid}${tid === String(server.child.pid) ? ' (main)' : ''}: user ${userMs} ms, system ${systemMs} ms (whole life)`);
}
await server.stop();
await sink.stop();
await database.drop();
console.log(
  [
    `${route}: ${result.okPerSec.toFixed(0)} ok/s, ${result.serverCpuUsPerRequest?.toFixed(0)} µs server CPU per request`,
    `statuses ${JSON.stringify(result.byStatus)}; user ${after.userMs - before.userMs} ms, system ${after.systemMs - before.systemMs} ms`,
    ...(kind === 'postgres' ? [`PostgreSQL ${((postgresUsed * 1e6) / result.total).toFixed(0)} µs per request`] : []),
  ].join(', '),
);

function shortUrl(url: string) {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, 'dist/');
}
function nameOf(node: ProfileNode) {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

const file = readdirSync(profDir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${profDir}`);
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
const idle = profile.nodes.filter((n) => ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName));
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (!hits) continue;
  const { functionName, url } = node.callFrame;
  const where = shortUrl(url);
  const fn = nameOf(node);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  const pkg = url.includes('/node_modules/')
    ? where
        .split('/')
        .slice(0, where.startsWith('@') ? 2 : 1)
        .join('/')
    : url.includes('/dist/')
      ? where.split('/').slice(0, 2).join('/')
      : url.startsWith('node:')
        ? 'node:' + url.slice(5).split('/')[0]
        : url || functionName;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
}
// Inclusive time: a sample counts once for every distinct function on its stack.
const parent = new Map<number, ProfileNode>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
const inclusive = new Map<string, number>();
for (const node of profile.nodes) {
  if (!node.hitCount) continue;
  const seen = new Set<string>();
  for (let at: ProfileNode | undefined = node; at; at = parent.get(at.id)) seen.add(nameOf(at));
  for (const fn of seen) inclusive.set(fn, (inclusive.get(fn) ?? 0) + node.hitCount);
}
const pct = (hits: number) => `${((100 * hits) / total).toFixed(1).padStart(5)}%`;
console.log(`\nsamples: ${total}; ${idle.map((n) => `${n.callFrame.functionName} ${pct(n.hitCount ?? 0)}`).join(', ')}`);
console.log('\nself time by package or folder:');
for (const [name, hits] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(hits)}  ${name}`);
console.log('\nself time by function:');
for (const [name, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 40)))
  console.log(`${pct(hits)}  ${name}`);
console.log('\ninclusive time by function (self and callees):');
for (const [name, hits] of [...inclusive]
  .sort((a, b) => b[1] - a[1])
  .filter(([name]) => !name.startsWith('(root)'))
  .slice(0, 60))
  console.log(`${pct(hits)}  ${name}`);
