/**
 * The new parts' figures (issue 13, item 4) for report.ts: ratios, targets and table rows, kept apart so that
 * report.ts only calls in. Static files are measured on the first database only (they do not touch it).
 */
import type { ProductResults } from '../scenarios/product.js';
import { EVENTS_VALIDATION_SHARE } from '../scenarios/events.js';
import { fmt, ms, ratio } from './format.js';
import type { LoadResult } from './load.js';
import { offered, spread, withFaults } from './open-loop-report.js';

type Products = Partial<Record<'sqlite' | 'postgres', ProductResults>>;
type Row = (label: string, f: (p: ProductResults, db: string) => string) => void;
type Add = (
  name: string,
  target: string,
  value: number | null | undefined,
  met: (v: number) => boolean,
  show: (v: number) => string,
) => void;

const p99 = (l: LoadResult) => ms(l.latency['2xx']?.p99);
const nonOk = (l: LoadResult) => (l.total - l.ok + l.errors ? ` (${fmt(l.total - l.ok)} non-2xx, ${fmt(l.errors)} errors)` : '');

export function newPartsRatios(products: Products): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [db, p] of Object.entries(products)) {
    if (p.staticFiles) {
      const { ours, fastifyStatic } = p.staticFiles;
      out[`${db}.staticIndexVsFastifyStatic`] = ratio(ours.index.okPerSec, fastifyStatic.index.okPerSec);
      out[`${db}.staticAssetVsFastifyStatic`] = ratio(ours.asset.okPerSec, fastifyStatic.asset.okPerSec);
    }
    if (p.backendBudget) out[`${db}.validationBudgetOnVsOff`] = p.backendBudget.throughputOnVsOff;
  }
  return out;
}

/** API.md "Project events": within one second of the change; the issue gives no other target for these parts. */
export function judgeNewParts(products: Products, add: Add): void {
  for (const [db, p] of Object.entries(products)) {
    if (!p.events) continue;
    add(
      `${db}: suspension to user.revoked at all ${fmt(p.events.streams)} open streams, max (validation at ${EVENTS_VALIDATION_SHARE}× calm)`,
      '≤ 1,000 ms',
      p.events.toEveryStreamMs.max,
      (v) => v <= 1000,
      // How much of the offered validation was answered: below it all, the server was saturated.
      (v) =>
        `${ms(v)} ms (validation ${fmt(p.events!.validation.answeredPerSec)} of ${fmt(p.events!.validation.offeredPerSec)}/s answered)`,
    );
  }
}

export function newPartsRows(row: Row, ratios: Record<string, number | null>): void {
  const files = (p: ProductResults, f: (s: NonNullable<ProductResults['staticFiles']>) => string) =>
    p.staticFiles ? f(p.staticFiles) : '– (first database only)';
  row('dashboard GET / req/s: ours; @fastify/static; ratio', (p, db) =>
    files(
      p,
      (s) =>
        `${fmt(s.ours.index.okPerSec)}${nonOk(s.ours.index)}; ${fmt(s.fastifyStatic.index.okPerSec)}; ${fmt(ratios[`${db}.staticIndexVsFastifyStatic`], 2)}×`,
    ),
  );
  row('  p99 ms: ours; @fastify/static', (p) => files(p, (s) => `${p99(s.ours.index)}; ${p99(s.fastifyStatic.index)}`));
  row('dashboard entry script (br) req/s: ours; @fastify/static; ratio', (p, db) =>
    files(
      p,
      (s) =>
        `${fmt(s.ours.asset.okPerSec)}${nonOk(s.ours.asset)}; ${fmt(s.fastifyStatic.asset.okPerSec)}; ${fmt(ratios[`${db}.staticAssetVsFastifyStatic`], 2)}× (${fmt(s.asset.brotliBytes / 1024)} KB)`,
    ),
  );
  row('  p99 ms: ours; @fastify/static', (p) => files(p, (s) => `${p99(s.ours.asset)}; ${p99(s.fastifyStatic.asset)}`));
  row('  server CPU µs/request (/, asset): ours; @fastify/static', (p) =>
    files(
      p,
      (s) =>
        `${fmt(s.ours.index.serverCpuUsPerRequest)}, ${fmt(s.ours.asset.serverCpuUsPerRequest)}; ${fmt(s.fastifyStatic.index.serverCpuUsPerRequest)}, ${fmt(s.fastifyStatic.asset.serverCpuUsPerRequest)}`,
    ),
  );
  const events = (p: ProductResults, f: (e: NonNullable<ProductResults['events']>) => string) => (p.events ? f(p.events) : '–');
  row('events: open streams; KB per stream, RSS / heap', (p) =>
    events(
      p,
      (e) =>
        `${fmt(e.streams)} (opened in ${fmt(e.openSec, 1)} s); ${fmt(e.memory.perStreamKb.rss, 1)} / ${fmt(e.memory.perStreamKb.heapUsed, 1)} (RSS ${fmt(e.memory.before.rssMb, 1)} → ${fmt(e.memory.after.rssMb, 1)} MB, heap ${fmt(e.memory.before.heapUsedMb, 1)} → ${fmt(e.memory.after.heapUsedMb, 1)} MB)`,
    ),
  );
  row('  suspension → user.revoked p50 / p99 / max ms: first stream; all streams', (p) =>
    events(
      p,
      (e) =>
        `${ms(e.toFirstStreamMs.p50)} / ${ms(e.toFirstStreamMs.p99)} / ${ms(e.toFirstStreamMs.max)}; ${ms(e.toEveryStreamMs.p50)} / ${ms(e.toEveryStreamMs.p99)} / ${ms(e.toEveryStreamMs.max)} (${e.suspensions} suspensions; suspend answered p50 ${ms(e.suspendAnswerMs.p50)})`,
    ),
  );
  row('  meanwhile validate-token/s (open loop, after a warm-up): p50 / p90 / p99 / p99.9 / max ms', (p) =>
    events(p, (e) => `${withFaults(offered(e.validation), e.validation)}; ${spread(e.validation.latency.all)}`),
  );
  const budget = (p: ProductResults, f: (b: NonNullable<ProductResults['backendBudget']>) => string) =>
    p.backendBudget ? f(p.backendBudget) : '–';
  row('backend budget on; off: validate-token req/s; ratio', (p, db) =>
    budget(
      p,
      (b) =>
        `${fmt(b.budgetOn.okPerSec)}${nonOk(b.budgetOn)}; ${fmt(b.budgetOff.okPerSec)}${nonOk(b.budgetOff)}; ${fmt(ratios[`${db}.validationBudgetOnVsOff`], 2)}×`,
    ),
  );
  row("  server CPU µs/request: on; off; the budget's cost", (p) =>
    budget(
      p,
      (b) =>
        `${fmt(b.budgetOn.serverCpuUsPerRequest)}; ${fmt(b.budgetOff.serverCpuUsPerRequest)}; ${fmt(b.cpuCostUsPerRequest)} (consume() alone: ${fmt(b.consumeUs, 2)})`,
    ),
  );
}
