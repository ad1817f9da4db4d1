/** Setup calls from the harness (not measured): JSON in, JSON out, failing loudly on an unexpected status. */
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; expect?: number } = {},
): Promise<{ status: number; json: T; headers: Headers }> {
  const response = await fetch(base + path, {
    method,
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const json = (text ? JSON.parse(text) : null) as T;
  const expected = options.expect ?? 200;
  if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} (expected ${expected}): ${text.slice(0, 300)}`);
  return { status: response.status, json, headers: response.headers };
}

/** Runs `task` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}
