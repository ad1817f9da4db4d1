export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it answers a truthy value and resolves with that value; rejects, naming
 * `what`, once `timeoutMs` has passed. The one way a test waits for something to happen: the pause
 * between probes only paces the loop, it never stands in for the event itself. A probe that throws
 * fails the wait at once (catch inside the probe what only means "not yet").
 */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
