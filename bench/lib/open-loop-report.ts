/** The open-loop scenario's rows in the results table and its targets (bench/scenarios/open-loop.ts). */
import type { OpenLoopResults } from '../scenarios/open-loop.js';
import type { ProductResults } from '../scenarios/product.js';
import type { OpenLoopResult } from './open-loop.js';
import type { Target } from './report.js';
import { fmt, ms } from './format.js';
import type { LatencySummary } from './stats.js';

export const spread = (l: LatencySummary | undefined) => (l ? [l.p50, l.p90, l.p99, l.p999, l.max].map(ms).join(' / ') : '–');

/** Answers that were not 2xx, errors, timeouts: a latency target on a stream with any of them is not met. */
function faults(r: OpenLoopResult, expected: (status: number) => boolean = (s) => s >= 200 && s < 300): string {
  const other = Object.entries(r.byStatus)
    .filter(([status]) => !expected(Number(status)))
    .reduce((n, [, count]) => n + count, 0);
  const parts = [
    other && `${fmt(other)} unexpected status`,
    r.errors && `${fmt(r.errors)} errors`,
    r.timeouts && `${fmt(r.timeouts)} timeouts`,
  ];
  return parts.filter(Boolean).join(', ');
}

export const offered = (r: OpenLoopResult) => `${fmt(r.offeredPerSec)} offered, ${fmt(r.answeredPerSec)} answered`;
const generator = (r: OpenLoopResult) =>
  `${fmt(r.cpuUsPerRequest)} µs CPU/request, send lag p99 ${ms(r.sendLag.p99)} ms, ≤ ${fmt(r.maxQueued)} waiting for a socket, drained ${ms(r.drainMs)} ms after${r.lateStartMs > 100 ? `, started ${ms(r.lateStartMs)} ms late` : ''}`;
export const withFaults = (text: string, r: OpenLoopResult, expected?: (status: number) => boolean) => {
  const f = faults(r, expected);
  return f ? `${text} (${f})` : text;
};
const login = (status: number) => status === 200 || status === 429 || status === 503;

/** [label, cell] pairs for renderTable's `row`: latencies from the intended send time, Poisson arrivals. */
export function openLoopRows(): Array<[string, (p: ProductResults) => string]> {
  const of = (f: (o: OpenLoopResults) => string) => (p: ProductResults) => (p.openLoop ? f(p.openLoop) : '–');
  return [
    ['open loop: validate-token/s at 0.5× calm', of((o) => withFaults(offered(o.calm), o.calm))],
    ['  p50 / p90 / p99 / p99.9 / max ms', of((o) => spread(o.calm.latency.all))],
    ['  generator', of((o) => generator(o.calm))],
    [
      '  same stream, bare node:http: p50 / p90 / p99 / p99.9 / max ms',
      of((o) => (o.calmBare ? withFaults(spread(o.calmBare.latency.all), o.calmBare) : '–')),
    ],
    ['open-loop storm: logins/s at 3× capacity', of((o) => withFaults(offered(o.storm.logins), o.storm.logins, login))],
    [
      '  answers by status (count)',
      of((o) =>
        Object.entries(o.storm.logins.byStatus)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', '),
      ),
    ],
    ['  refused (429/503) p50 / p90 / p99 / p99.9 / max ms', of((o) => spread(o.storm.logins.latency.refused))],
    ['  accepted logins p50 / p90 / p99 / p99.9 / max ms', of((o) => spread(o.storm.logins.latency['2xx']))],
    ['  validate-token/s at 0.3× calm', of((o) => withFaults(offered(o.storm.validation), o.storm.validation))],
    ['  validate-token p50 / p90 / p99 / p99.9 / max ms', of((o) => spread(o.storm.validation.latency.all))],
    ['  generators: validation; logins', of((o) => `${generator(o.storm.validation)}; ${generator(o.storm.logins)}`)],
  ];
}

/** The issue's three open-loop targets for one database; p99 over every request, failures included. */
export function openLoopTargets(db: string, o: OpenLoopResults | undefined): Target[] {
  const target = (
    name: string,
    limit: number,
    r: OpenLoopResult | undefined,
    latency: LatencySummary | undefined,
    f = '',
    what = '',
    beside = '',
  ) => {
    const measured =
      r && latency && latency.count > 0
        ? `${ms(latency.p99)} ms (${fmt(r.offeredPerSec)}/s offered${what ? `, ${fmt(latency.count)} ${what}` : ''}${beside ? `; ${beside}` : ''}${f ? `; ${f}` : ''})`
        : 'not measured';
    return {
      name: `${db}: ${name}`,
      target: `≤ ${limit} ms`,
      measured,
      met: measured === 'not measured' ? null : latency!.p99 <= limit && !f,
    };
  };
  return [
    target(
      'open loop, validation p99 at 0.5× calm capacity',
      10,
      o?.calm,
      o?.calm.latency.all,
      o && faults(o.calm),
      '',
      o?.calmBare && `bare node:http ${ms(o.calmBare.latency.all?.p99)} ms`,
    ),
    target(
      'open-loop storm, validation p99 at 0.3× calm capacity',
      20,
      o?.storm.validation,
      o?.storm.validation.latency.all,
      o && faults(o.storm.validation),
    ),
    target(
      'open-loop storm, refused logins p99',
      5,
      o?.storm.logins,
      o?.storm.logins.latency.refused,
      o && faults(o.storm.logins, login),
      'refused',
    ),
  ];
}
