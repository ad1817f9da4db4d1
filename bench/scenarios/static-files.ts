/**
 * The dashboard's static files (issue 13, item 4): GET / (index.html, no-store) and the entry script under
 * /assets/ with `Accept-Encoding: br` (the prebuilt .br), from the production build, against Fastify with
 * @fastify/static over the same web/dist (bench/servers/static.ts), one after the other in the same run.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { measure, type LoadResult, type LoadSpec } from '../lib/load.js';
import { ROOT, startProduct, type ProductOptions } from '../lib/product.js';
import { freePort, startServer, type Server } from '../lib/process.js';
import type { Settings } from '../lib/settings.js';

export interface StaticFilesResults {
  asset: { path: string; brotliBytes: number };
  connections: number;
  ours: { index: LoadResult; asset: LoadResult };
  fastifyStatic: { index: LoadResult; asset: LoadResult };
}

const CONNECTIONS = 100;

/** The entry script index.html loads: the one hashed asset every visit fetches. */
function entryAsset(): string {
  const html = readFileSync(join(ROOT, 'web/dist/index.html'), 'utf8');
  const src = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error('web/dist/index.html names no /assets/ script: build the dashboard first');
  return src;
}

/** One GET without decompression: status, content-encoding and the bytes on the wire. */
function probe(url: string, headers: Record<string, string>): Promise<{ status: number; encoding?: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, encoding: response.headers['content-encoding'], bytes }));
      })
      .on('error', reject);
  });
}

async function measureBoth(server: Server, asset: string, brotliBytes: number, settings: Settings) {
  const br = { 'accept-encoding': 'br, gzip' };
  // Both servers must answer what a browser gets, or the comparison compares different work.
  const checked = await probe(server.url + asset, br);
  if (checked.status !== 200 || checked.encoding !== 'br' || checked.bytes !== brotliBytes)
    throw new Error(`${server.url}${asset}: ${checked.status}, ${checked.encoding ?? 'identity'}, ${checked.bytes} bytes (not the .br)`);
  const base: LoadSpec = {
    kind: 'autocannon',
    url: server.url,
    method: 'GET',
    path: '/',
    connections: CONNECTIONS,
    durationSec: settings.measureSec,
    warmupSec: settings.warmupSec,
  };
  const index = await measure(server, base);
  const assetLoad = await measure(server, { ...base, path: asset, headers: br });
  return { index, asset: assetLoad };
}

export async function benchStaticFiles(
  options: ProductOptions,
  settings: Settings,
  log: (line: string) => void,
): Promise<StaticFilesResults> {
  const asset = entryAsset();
  const brotliBytes = readFileSync(join(ROOT, 'web/dist', `${asset}.br`)).length;
  log(`static files: GET / and ${asset} (br, ${Math.round(brotliBytes / 1024)} KB), ${CONNECTIONS} connections, ours then @fastify/static`);
  const product = await startProduct(options);
  let ours: StaticFilesResults['ours'];
  try {
    ours = await measureBoth(product, asset, brotliBytes, settings);
  } finally {
    await product.stop();
  }
  const port = await freePort();
  const reference = await startServer({
    args: ['--import', 'tsx', 'bench/servers/static.ts'],
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port) },
    port,
    healthPath: '/health',
    logFile: join(settings.workDir, 'fastify-static.log'),
    cwd: ROOT,
  });
  try {
    const fastifyStatic = await measureBoth(reference, asset, brotliBytes, settings);
    return { asset: { path: asset, brotliBytes }, connections: CONNECTIONS, ours, fastifyStatic };
  } finally {
    await reference.stop();
  }
}
