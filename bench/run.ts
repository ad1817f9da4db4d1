/**
 * npm run bench [-- --quick] [-- --dev] [-- --only=sqlite|postgres] [-- --soak[=minutes]]
 * Starts the production build (dist/) for SQLite and PostgreSQL, drives it from separate load-generator
 * processes, measures the bare node:http limit, the raw argon2id rate and the peer (better-auth), prints
 * the table and the targets, and writes bench/results/<date>.json (and bench/RESULTS.md on full runs). `--soak` runs only
 * the memory soak (bench/scenarios/soak.ts), 30 minutes by default. BENCH_PRODUCT_ENV="KEY=VALUE ..." adds to every
 * instance's environment (bench/lib/product.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { computeRatios, judge, renderTable, renderTargets, type Machine, type Results } from './lib/report.js';
import { ROOT } from './lib/product.js';
import { readSettings } from './lib/settings.js';
import { startSmtpSink } from './lib/smtp-sink.js';
import { benchRawHash } from './scenarios/baseline.js';
import { benchPeer } from './scenarios/peer.js';
import { benchProduct } from './scenarios/product.js';
import { benchScaling, renderScaling } from './scenarios/scaling.js';
import { benchSoak } from './scenarios/soak.js';
import { benchVerifyKit } from './scenarios/verify-kit.js';

const BENCH = join(ROOT, 'bench');

function ensureBenchDependencies() {
  if (['autocannon', 'better-auth'].every((name) => existsSync(join(BENCH, 'node_modules', name, 'package.json')))) return;
  console.log('installing the bench dependencies (npm install --prefix bench)…');
  execFileSync('npm', ['install', '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** The checked-out commit, read from .git without running git. */
function commit(): string {
  try {
    const head = readFileSync(join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    if (existsSync(join(ROOT, '.git', ref))) return readFileSync(join(ROOT, '.git', ref), 'utf8').trim();
    const packed = readFileSync(join(ROOT, '.git/packed-refs'), 'utf8')
      .split('\n')
      .find((line) => line.endsWith(` ${ref}`));
    return packed?.split(' ')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const elapsed = (() => {
  const t0 = performance.now();
  return () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
})();
const log = (line: string) => console.log(`${elapsed()}  ${line}`);

async function main() {
  ensureBenchDependencies();
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: npm run build first (npm run bench does)');
  const settings = readSettings(process.argv.slice(2));
  const machine: Machine = {
    cores: settings.cores,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: { start: loadavg()[0]! },
  };
  const baseMode =
    settings.mode === 'production'
      ? 'NODE_ENV=production (SMTP to a local sink, default LOG_LEVEL=info)'
      : 'NODE_ENV=development, LOG_LEVEL=warn';
  const modeNote = process.env.BENCH_PRODUCT_ENV ? `${baseMode}; also ${process.env.BENCH_PRODUCT_ENV}` : baseMode;
  console.log(
    `Xtown Authenticator benchmark${settings.quick ? ' (--quick)' : ''}: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; ${modeNote}`,
  );
  if (machine.cores <= 2) console.log(`note: this machine has ${machine.cores} cores; server, load generator and hash thread share them`);
  if (machine.loadAverage.start > 0.5)
    console.log(
      `warning: load average ${machine.loadAverage.start.toFixed(2)} before the run: other work on this machine will skew the figures`,
    );

  const results: Results = {
    date: new Date().toISOString(),
    commit: commit(),
    quick: settings.quick,
    mode: modeNote,
    machine,
    settings: { ...settings, workDir: undefined },
    products: {},
    ratios: {},
    targets: [],
    errors: [],
  };
  const sink = await startSmtpSink();
  const soak = process.argv.slice(2).find((arg) => arg === '--soak' || arg.startsWith('--soak='));
  if (soak) {
    // Only the soak: memory over a long mixed load (issue 13), on PostgreSQL unless --only says otherwise.
    const minutes = Number(soak.split('=')[1] ?? 30);
    const kind = settings.databases.length === 1 ? settings.databases[0]! : 'postgres';
    try {
      const result = await benchSoak(kind, minutes, settings, sink, log);
      console.log(`\nsoak on ${kind}, ${minutes} min: RSS by minute (MB) ${result.rssByMinuteMb.map((mb) => mb.toFixed(0)).join(' ')}`);
      console.log(`JS heap in use by minute (MB) ${result.heapByMinuteMb.map((mb) => mb.toFixed(0)).join(' ')}`);
      console.log(
        `growth after the warm-up: ${result.growthAfterWarmupMbPer10Min.toFixed(1)} MB per 10 min; ${result.answers} answers, ${result.errors} errors, ${JSON.stringify(result.byStatus)}`,
      );
      mkdirSync(join(BENCH, 'results'), { recursive: true });
      const file = join(BENCH, 'results', `${new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, '')}-soak.json`);
      writeFileSync(file, `${JSON.stringify({ ...results, soak: result }, null, 2)}\n`);
      console.log(`results: ${file}`);
    } finally {
      await sink.stop();
    }
    return;
  }
  try {
    for (const kind of settings.databases) {
      try {
        results.products[kind] = await benchProduct(kind, settings, sink, log);
        results.errors.push(...(results.products[kind]!.partErrors ?? []));
      } catch (error) {
        results.errors.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
        log(`[${kind}] FAILED: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    if (settings.databases.includes('postgres')) {
      try {
        results.scaling = await benchScaling(settings, sink, log);
      } catch (error) {
        results.errors.push(`scaling: ${error instanceof Error ? error.message : String(error)}`);
        log(`[scaling] FAILED: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    log('@xtown/verify against jose jwtVerify');
    results.kit = await benchVerifyKit();
    log(`raw @node-rs/argon2 verify rate, ${settings.measureSec} s`);
    results.rawHash = await benchRawHash(settings);
    try {
      results.peer = await benchPeer(settings, log);
    } catch (error) {
      results.errors.push(`peer: ${error instanceof Error ? error.message : String(error)}`);
      log(`[peer] FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    }
  } finally {
    await sink.stop();
  }

  machine.loadAverage.end = loadavg()[0]!;
  results.ratios = computeRatios(results);
  results.targets = judge(results);
  const table = renderTable(results);
  const targets = renderTargets(results.targets);
  console.log(`\n${table}\n\n${targets}\n`);
  if (results.peer) console.log(`peer: ${results.peer.notes.join('; ')}`);
  if (results.scaling) console.log(`\n${renderScaling(results.scaling)}\n`);
  console.log(`load average (1 min) before / after: ${machine.loadAverage.start.toFixed(2)} / ${machine.loadAverage.end.toFixed(2)}`);
  if (results.errors.length) console.log(`errors:\n  ${results.errors.join('\n  ')}\n(logs kept in ${settings.workDir})`);

  mkdirSync(join(BENCH, 'results'), { recursive: true });
  const stamp = results.date.replace(/:/g, '-').replace(/\..*$/, '');
  const file = join(BENCH, 'results', `${stamp}${settings.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${file}`);
  if (!settings.quick && results.errors.length === 0) {
    writeResultsMd(results, table, targets, file);
    console.log('bench/RESULTS.md updated');
  }
  if (results.errors.length === 0) rmSync(settings.workDir, { recursive: true, force: true });
}

const NOTES_MARK = '<!-- notes: kept across runs -->';

/** bench/RESULTS.md: the latest full run; whatever follows the notes mark is kept. */
function writeResultsMd(r: Results, table: string, targets: string, file: string) {
  const path = join(BENCH, 'RESULTS.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const notes = previous.includes(NOTES_MARK) ? previous.slice(previous.indexOf(NOTES_MARK) + NOTES_MARK.length) : '\n';
  const text = [
    '# Benchmark results (latest full run)',
    '',
    `Written by \`npm run bench\` on ${r.date} at commit \`${r.commit}\`; raw figures in \`bench/results/${file.split('/').pop()}\`.`,
    '',
    `Machine: ${r.machine.cores} cores, ${r.machine.cpuModel}, ${r.machine.memoryGb} GiB, Node ${r.machine.node} (${r.machine.platform}). ${r.mode}.`,
    `Load average (1 min) before / after the run: ${r.machine.loadAverage.start.toFixed(2)} / ${r.machine.loadAverage.end?.toFixed(2)}.`,
    'Server, load generators and the hash thread share these cores.',
    '',
    table,
    '',
    '## Targets',
    '',
    targets,
    '',
    ...(r.peer ? [`Peer: ${r.peer.notes.join('; ')}.`, ''] : []),
    ...(r.scaling ? ['## Two instances', '', renderScaling(r.scaling), ''] : []),
    NOTES_MARK,
  ].join('\n');
  writeFileSync(path, text + notes);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
