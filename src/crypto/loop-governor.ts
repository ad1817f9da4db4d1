import { performance } from 'node:perf_hooks';

export interface LoopGovernorOptions {
  /** Hash jobs at once while requests need the event loop: below the core count, so validation keeps a core. */
  min: number;
  /** Hash jobs at once while the loop is idle: every core. */
  max: number;
  /** Sample period. Default 20 ms. */
  sampleMs?: number;
  /**
   * The loop counts as busy when its smoothed utilisation (a moving average over about five samples) passes this,
   * or one sample passes `burstAbove`; as idle again when the average is below `idleBelow`. Defaults 0.7, 0.95, 0.55.
   */
  busyAbove?: number;
  burstAbove?: number;
  idleBelow?: number;
  /** Told when the limit rises, so that waiting jobs start at once. */
  onRaise?: () => void;
  /** The loop's utilisation since the previous call, 0–1 (tests pass their own). */
  utilisation?: () => number;
}

export interface LoopGovernor {
  limit(): number;
  stop(): void;
}

/** Event-loop utilisation since the previous call (perf_hooks' ELU: the share of time the loop was not waiting for I/O). */
export function eventLoopUtilisation(): () => number {
  let previous = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, previous);
    previous = now;
    return delta.utilization;
  };
}

/**
 * How many password hashes may run at once (DESIGN.md principle 5): every core while the event loop is idle (a
 * morning rush of sign-ins has the machine), one less as soon as requests keep the loop busy (a login storm cannot
 * starve validation). A moving average, not single samples, decides: logins alone keep the loop busy for a few
 * milliseconds now and then, which must not take the cores away; a burst of validation shrinks it at once.
 */
export function createLoopGovernor(options: LoopGovernorOptions): LoopGovernor {
  const { min, max, sampleMs = 20, busyAbove = 0.7, burstAbove = 0.95, idleBelow = 0.55, onRaise } = options;
  if (max <= min) return { limit: () => min, stop: () => {} };
  const utilisation = options.utilisation ?? eventLoopUtilisation();
  let current = min;
  let average = 1; // cautious at start: a storm may be under way
  const timer = setInterval(() => {
    const sample = utilisation();
    average = 0.8 * average + 0.2 * sample;
    if (sample > burstAbove || average > busyAbove) current = min;
    else if (average < idleBelow && current !== max) {
      current = max;
      onRaise?.();
    }
  }, sampleMs);
  timer.unref();
  return { limit: () => current, stop: () => clearInterval(timer) };
}
