/**
 * What the backend budget (API.md "Limits": BACKEND_RATE_LIMIT_MAX per minute, per project once the call's
 * token or secret verified) costs validate-token: the same closed-loop load against the production build as
 * configured, and against the same bundle with the budget taken out.
 *
 * "Off" is not a huge BACKEND_RATE_LIMIT_MAX: that still builds the key, increments the counter and builds
 * the decision on every call, which is the cost in question. Nor is it a setting: the service has no switch
 * that turns a limit off, and should not grow one for a benchmark. So the bench writes a copy of
 * dist/main.js beside it whose `budgets.backend()` returns at once (one line, found by pattern; the bench fails
 * if the bundle no longer matches) and starts both bundles, one after the other, on the same database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure, type LoadResult, type LoadSpec } from '../lib/load.js';
import { ROOT, startProduct, type ProductOptions } from '../lib/product.js';
import type { Settings } from '../lib/settings.js';
import { validationSpec } from './specs.js';
import { systemClock } from '../../src/domain/clock.js';
import { createMemoryRateLimitStore, createRateLimiter } from '../../src/services/rate-limiter.js';

export interface BackendBudgetResults {
  /** The budget's key for this load: access tokens without projectId are counted per user. */
  keyedBy: string;
  budgetOn: LoadResult;
  budgetOff: LoadResult;
  /** The server's CPU per request with the budget minus without it (µs), and on / off of the throughput. */
  cpuCostUsPerRequest: number | null;
  throughputOnVsOff: number | null;
  /**
   * The limiter alone, in the harness: µs per awaited consume() on the memory store over the same number of
   * keys (best of three rounds). End to end, the difference drowns in a shared machine's noise; this does not.
   */
  consumeUs: number;
}

/** The in-memory limiter's consume(), as budgets.backend() calls it once per validation (best of three rounds). */
async function consumeCostUs(keys: number): Promise<number> {
  const store = createMemoryRateLimitStore();
  const limiter = createRateLimiter({ store, clock: systemClock });
  const rule = { max: 6000, windowMs: 60_000 };
  const calls = 200_000;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) await limiter.consume(`backend:project:user:${i % keys}`, rule);
    best = Math.min(best, ((performance.now() - started) * 1000) / calls);
  }
  return best;
}

const VARIANT = 'dist/main.no-backend-budget.js';
const BACKEND_METHOD = /async backend\((\w+),(\w+)\)\{/g;

/** dist/main.js with budgets.backend() a no-op, beside it (so that its external packages resolve the same). */
export function writeBudgetOffBundle(): string {
  const bundle = readFileSync(join(ROOT, 'dist/main.js'), 'utf8');
  const found = bundle.match(BACKEND_METHOD)?.length ?? 0;
  if (found !== 1)
    throw new Error(`dist/main.js: expected one budgets.backend() to take out, found ${found} (src/http/budgets.ts changed?)`);
  writeFileSync(
    join(ROOT, VARIANT),
    bundle.replace(BACKEND_METHOD, (head) => `${head}return;`),
  );
  return VARIANT;
}

/** Sums runs of the same load into one result (throughput and CPU per request over all of them). */
function combine(runs: LoadResult[]): LoadResult {
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const total = runs.reduce((a, r) => a + r.total, 0);
  const ok = runs.reduce((a, r) => a + r.ok, 0);
  const cpu = runs.reduce((a, r) => a + (r.serverCpuSec ?? 0), 0);
  const byStatus: Record<string, number> = {};
  for (const r of runs) for (const [s, n] of Object.entries(r.byStatus)) byStatus[s] = (byStatus[s] ?? 0) + n;
  // Latency percentiles do not sum: the worse run's are kept.
  const latency = runs.reduce((worst, r) => ((r.latency['2xx']?.p99 ?? 0) > (worst.latency['2xx']?.p99 ?? 0) ? r : worst)).latency;
  return {
    seconds,
    total,
    ok,
    okPerSec: ok / seconds,
    totalPerSec: total / seconds,
    byStatus,
    latency,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    timeouts: runs.reduce((a, r) => a + r.timeouts, 0),
    serverCpuSec: cpu,
    serverCpuUsPerRequest: total ? (cpu * 1e6) / total : undefined,
  };
}

export async function benchBackendBudget(
  options: ProductOptions,
  items: NonNullable<LoadSpec['items']>,
  settings: Settings,
  log: (line: string) => void,
): Promise<BackendBudgetResults> {
  const variant = writeBudgetOffBundle();
  // On a shared machine the speed drifts within minutes: quick runs on then off; full runs on, off, off, on.
  const order = settings.quick ? ['on', 'off'] : ['on', 'off', 'off', 'on'];
  const runs: Record<string, LoadResult[]> = { on: [], off: [] };
  for (const which of order) {
    log(`backend budget ${which}: validate-token, 100 connections, ${items.length} tokens, ${settings.measureSec} s`);
    const server = await startProduct(which === 'on' ? options : { ...options, entry: variant });
    try {
      runs[which]!.push(
        await measure(server, { ...validationSpec(server.url, items, settings.measureSec), warmupSec: settings.warmupSec }),
      );
    } finally {
      await server.stop();
    }
  }
  const budgetOn = combine(runs.on!);
  const budgetOff = combine(runs.off!);
  // Refused tokens (a 401 costs less than a validation) would compare something else than the budget.
  if (!budgetOn.ok || !budgetOff.ok)
    throw new Error(`validate-token answered no 200: on ${JSON.stringify(budgetOn.byStatus)}, off ${JSON.stringify(budgetOff.byStatus)}`);
  const on = budgetOn.serverCpuUsPerRequest;
  const off = budgetOff.serverCpuUsPerRequest;
  return {
    keyedBy: `user (access tokens without projectId: ${items.length} keys), BACKEND_RATE_LIMIT_MAX default`,
    budgetOn,
    budgetOff,
    cpuCostUsPerRequest: on !== undefined && off !== undefined ? on - off : null,
    throughputOnVsOff: budgetOff.okPerSec ? budgetOn.okPerSec / budgetOff.okPerSec : null,
    consumeUs: await consumeCostUs(items.length),
  };
}
