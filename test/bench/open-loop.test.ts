import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { arrivals, openLoop, type OpenLoopResult, type OpenLoopSpec } from '../../bench/lib/open-loop.js';

/**
 * The open-loop generator's bookkeeping against a tiny node:http server in this process. A stall (of the server,
 * of the generator's sockets, of the generator's own event loop) must show up in the latency of every request
 * that was due during it, measured from its intended send time; a generator that measured from the moment it
 * actually sent, or waited for answers before sending, would report a few milliseconds instead.
 */

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** `handle` sees each measured request (not the generator's GET /warm that opens its sockets) and its number. */
async function serve(handle: Handler): Promise<{ url: string; received: () => number }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/warm') return res.end();
    handle(req, res, n++);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: () => n };
}

const spec = (url: string, over: Partial<OpenLoopSpec>): OpenLoopSpec => ({
  url,
  method: 'POST',
  path: '/x',
  body: '{}',
  rate: 500,
  connections: 200,
  prewarmPath: '/warm',
  warmupSec: 0,
  durationSec: 1,
  ...over,
});

/** Holds every request that arrives in the 200 ms after the 150th one, then answers them all at once. */
function pausingAt150(arrivedDuringPause: number[]): Handler {
  let holdUntil = 0;
  const held: http.ServerResponse[] = [];
  return (_req, res, n) => {
    if (n === 150) {
      holdUntil = performance.now() + 200;
      setTimeout(() => held.splice(0).forEach((r) => r.end('{}')), 200);
    }
    if (performance.now() < holdUntil) {
      arrivedDuringPause.push(n);
      held.push(res);
    } else res.end('{}');
  };
}

/** Every request's latency contains its send lag, so each order statistic does too. */
function lateIncluded(r: OpenLoopResult) {
  const latency = r.latency['2xx']!;
  for (const q of ['p50', 'p90', 'p99', 'max'] as const) expect(latency[q], q).toBeGreaterThanOrEqual(r.sendLag[q]);
}

describe('arrivals', () => {
  it('spaces requests evenly at 1/rate, or exponentially with that mean and a reproducible seed', () => {
    const uniform = arrivals(250);
    expect([uniform(), uniform(), uniform()]).toEqual([4, 4, 4]);
    const a = arrivals(100, 'poisson', 7);
    const b = arrivals(100, 'poisson', 7);
    const gaps = Array.from({ length: 20_000 }, () => a());
    expect(gaps.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(new Set(gaps.slice(0, 100)).size).toBe(100);
    expect(gaps.reduce((s, g) => s + g, 0) / gaps.length).toBeCloseTo(10, 0);
    expect(() => arrivals(0)).toThrow(/rate/);
  });
});

describe('openLoop', () => {
  it('keeps sending while the server pauses, and the paused requests show the pause', async () => {
    const during: number[] = [];
    const server = await serve(pausingAt150(during));
    const r = await openLoop(spec(server.url, {}));
    // Not waiting for answers: ~100 requests were due in the pause, all on the wire.
    expect(during.length).toBeGreaterThanOrEqual(50);
    expect(r.offered).toBeGreaterThanOrEqual(499);
    expect(r.answered).toBe(r.offered);
    expect(r.byStatus).toEqual({ 200: r.offered });
    // The first held request was due no later than it arrived, and was answered 200 ms after that.
    expect(r.latency['2xx']!.max).toBeGreaterThanOrEqual(199);
    expect(r.latency['2xx']!.p99).toBeGreaterThanOrEqual(150);
  });

  it('counts the wait for a socket when every socket is held: latency from the intended time', async () => {
    const server = await serve(pausingAt150([]));
    const r = await openLoop(spec(server.url, { connections: 4 }));
    // ~100 requests were due in the pause and 4 sockets were held: the others waited in the client.
    expect(r.maxQueued).toBeGreaterThanOrEqual(50);
    expect(r.sendLag.max).toBeGreaterThanOrEqual(150);
    // Measured from the actual send, the queued requests would take ~0 ms and p90 would be ~0.
    expect(r.latency['2xx']!.p90).toBeGreaterThanOrEqual(50);
    lateIncluded(r);
    expect(r.answered).toBe(r.offered);
  });

  it('counts the lateness of its own event loop: requests due while it was blocked are late, not dropped', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 150) {
        // Blocks this whole process (the generator too) for 200 ms.
        const until = performance.now() + 200;
        while (performance.now() < until);
      }
      res.end('{}');
    });
    const r = await openLoop(spec(server.url, {}));
    expect(r.offered).toBeGreaterThanOrEqual(499);
    expect(r.answered).toBe(r.offered);
    expect(r.sendLag.max).toBeGreaterThanOrEqual(150);
    // Each latency holds its request's lateness (measured from the late send, these would be the server's ~ms).
    lateIncluded(r);
  });

  it('records statuses by class after the warm-up only, and timeouts at their deadline', async () => {
    const server = await serve((_req, res, n) => {
      res.statusCode = n % 2 ? 503 : 200;
      res.end();
    });
    const r = await openLoop(spec(server.url, { rate: 100, warmupSec: 0.2, durationSec: 0.4, items: [{ body: '1' }, { body: '22' }] }));
    expect(server.received()).toBeGreaterThanOrEqual(59);
    expect(r.offered).toBeGreaterThanOrEqual(39);
    expect(r.offered).toBeLessThanOrEqual(41);
    expect((r.byStatus[200] ?? 0) + (r.byStatus[503] ?? 0)).toBe(r.offered);
    expect(r.latency.refused!.count).toBe(r.byStatus[503]);
    expect(r.latency.all!.count).toBe(r.offered);
    expect(r.errors + r.timeouts).toBe(0);

    const silent = await serve(() => {});
    const t = await openLoop(spec(silent.url, { rate: 50, durationSec: 0.2, timeoutMs: 150 }));
    expect(t.offered).toBeGreaterThanOrEqual(9);
    expect(t.timeouts).toBe(t.offered);
    expect(t.answered).toBe(0);
    expect(t.latency.all!.count).toBe(t.offered);
    expect(t.latency.all!.p50).toBeGreaterThanOrEqual(149);
  });
});
