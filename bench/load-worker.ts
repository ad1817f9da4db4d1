/**
 * The load generator, run as a child process of the harness (never inside the server it measures).
 * It takes one LoadSpec over IPC, runs it, answers with a LoadResult and exits.
 *  - autocannon: closed loop, N keep-alive connections, request bodies/headers cycled over `items`;
 *  - chain: N keep-alive loops, each following its own refresh-token chain (autocannon resets its
 *    per-connection context on every loop, so it cannot carry a rotated token forward);
 *  - open: open loop at a fixed offered rate, whatever the answers take (a storm does not wait).
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { listenOverflows } from './lib/process.js';
import { ClassedSamples } from './lib/stats.js';
import type { LoadResult, LoadSpec } from './lib/load.js';

type Item = NonNullable<LoadSpec['items']>[number];

function cycler(items: Item[] | undefined) {
  let next = 0;
  return (): Item => (items && items.length ? items[next++ % items.length]! : {});
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const nextItem = cycler(spec.items);
  const samples = new ClassedSamples();
  const started = performance.now();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: 30,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        setupRequest: (request: Record<string, unknown>) => {
          const item = nextItem();
          return { ...request, headers: { ...spec.headers, ...item.headers }, body: item.body ?? spec.body };
        },
      },
    ],
  } as autocannon.Options);
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => samples.add(status, ms));
  const result = await instance;
  return summarize(samples, (performance.now() - started) / 1000, result.errors, result.timeouts);
}

function summarize(
  samples: ClassedSamples,
  seconds: number,
  errors: number,
  timeouts: number,
  extra: Partial<LoadResult> = {},
): LoadResult {
  const latency = samples.summaries();
  const ok = latency['2xx']?.count ?? 0;
  const total = Object.values(samples.byStatus).reduce((a, b) => a + b, 0);
  return {
    seconds,
    total,
    ok,
    okPerSec: ok / seconds,
    totalPerSec: total / seconds,
    byStatus: samples.byStatus,
    latency,
    errors,
    timeouts,
    ...extra,
  };
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function send(agent: http.Agent, url: URL, spec: LoadSpec, item: Item): Promise<Answer> {
  const body = item.body ?? spec.body;
  const headers: Record<string, string | number> = { ...spec.headers, ...item.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Each loop starts from its own item and sends the refresh token the previous answer returned. */
async function runChain(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const samples = new ClassedSamples();
  const starts = spec.items ?? [];
  let errors = 0;
  let brokenChains = 0;
  const started = performance.now();
  const deadline = started + spec.durationSec * 1000;
  await Promise.all(
    Array.from({ length: spec.connections }, async (_, i) => {
      let token = JSON.parse(starts[i % starts.length]!.body!).refreshToken as string;
      while (performance.now() < deadline) {
        try {
          const answer = await send(agent, url, spec, { body: JSON.stringify({ refreshToken: token }) });
          samples.add(answer.status, answer.ms);
          if (answer.status !== 200) {
            brokenChains++;
            return;
          }
          token = JSON.parse(answer.body).data.refreshToken;
        } catch {
          errors++;
          return;
        }
      }
    }),
  );
  agent.destroy();
  return summarize(samples, (performance.now() - started) / 1000, errors, 0, { brokenChains });
}

/** Sends at `rate` per second for the duration, then waits for the answers still out. */
async function runOpen(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
  const url = new URL(spec.url);
  if (spec.prewarm) {
    // Connections opened beforehand, so the storm measures the server's answers, not TCP set-up.
    const { path, count } = spec.prewarm;
    await Promise.all(
      Array.from({ length: count }, () => send(agent, url, { ...spec, method: 'GET', path, headers: {} }, { body: undefined })),
    );
  }
  const nextItem = cycler(spec.items);
  const samples = new ClassedSamples();
  const rate = spec.rate ?? 1;
  const overflowsBefore = listenOverflows();
  let sent = 0;
  let outstanding = 0;
  let errors = 0;
  let skipped = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const end = started + spec.durationSec * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      sent++;
      // More answers owed than sockets: the generator, not the server, would be the limit.
      if (outstanding >= spec.connections) {
        skipped++;
        continue;
      }
      outstanding++;
      const p: Promise<void> = send(agent, url, spec, nextItem())
        .then(
          (answer) => samples.add(answer.status, answer.ms),
          () => void errors++,
        )
        .finally(() => {
          outstanding--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const offeredSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  const overflowsAfter = listenOverflows();
  agent.destroy();
  const overflows = overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore;
  return summarize(samples, offeredSeconds, errors, 0, {
    offered: sent,
    offeredPerSec: sent / offeredSeconds,
    skipped,
    listenOverflows: overflows,
  });
}

process.once('message', async (spec: LoadSpec) => {
  try {
    let result: LoadResult;
    if (spec.kind === 'chain') result = await runChain(spec);
    else if (spec.kind === 'open') result = await runOpen(spec);
    else result = await runAutocannon(spec);
    process.send!({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    process.send!({ ok: false, error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1));
  }
});
