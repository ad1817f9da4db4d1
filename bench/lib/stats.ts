/** Latency samples (ms) and their summary; shared by the load worker and the harness. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  /** The 99.9th percentile (left out by summaries written before it was added). */
  p999?: number;
  max: number;
  mean: number;
}

export class Samples {
  private data = new Float64Array(1 << 14);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    const sorted = this.data.slice(0, this.n).sort();
    const at = (q: number) => (this.n === 0 ? 0 : sorted[Math.min(this.n - 1, Math.ceil(q * this.n) - 1)]!);
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += sorted[i]!;
    return {
      count: this.n,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      max: this.n ? sorted[this.n - 1]! : 0,
      mean: this.n ? sum / this.n : 0,
    };
  }
}

/** Latencies kept per answer class: 2xx, 429, 503, refused (429 and 503 together), and anything else. */
export class ClassedSamples {
  readonly byClass = new Map<string, Samples>();
  readonly byStatus: Record<string, number> = {};

  add(status: number, ms: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    const refused = status === 429 || status === 503;
    this.into(status >= 200 && status < 300 ? '2xx' : refused ? String(status) : 'other', ms);
    if (refused) this.into('refused', ms);
  }

  private into(key: string, ms: number): void {
    let samples = this.byClass.get(key);
    if (!samples) this.byClass.set(key, (samples = new Samples()));
    samples.add(ms);
  }

  summaries(): Record<string, LatencySummary> {
    return Object.fromEntries([...this.byClass].map(([key, samples]) => [key, samples.summary()]));
  }
}

/** Percentile of a plain array of numbers (for small series such as RSS samples or cold starts). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
