import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECT } from '../helpers/database.js';

/** A built dashboard of three files, as Vite and scripts/build-web.mjs leave it. */
function fakeBuild() {
  const folder = mkdtempSync(join(tmpdir(), 'xtown-web-'));
  mkdirSync(join(folder, 'assets'));
  writeFileSync(
    join(folder, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>',
  );
  writeFileSync(join(folder, 'assets/index-abc123.js'), 'console.log("dashboard")');
  writeFileSync(join(folder, 'assets/index-abc123.js.gz'), gzipSync('console.log("dashboard")'));
  writeFileSync(join(folder, 'assets/index-abc123.css'), 'body{}');
  writeFileSync(join(folder, 'secret.txt'), 'not an asset');
  return folder;
}

describe(`the dashboard's files (${TEST_DIALECT})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    // The default budgets: the files must stay outside every limit even with the general one at 100.
    t = await buildTestApp({ dashboardFolder: fakeBuild(), env: { RATE_LIMIT_MAX_REQUESTS: '100' } });
  });
  afterAll(async () => t?.close());

  it('answers index.html, never cached, for / and every client-route prefix, and JSON 404 elsewhere', async () => {
    for (const path of [
      '/',
      '/login',
      '/setup',
      '/activate?email=a%40b.test',
      '/reset-password',
      '/projects',
      '/projects/7',
      '/users/3',
      '/audit',
      '/profile',
    ]) {
      const response = await t.get(path);
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control'], path).toBe('no-store');
      expect(response.body).toContain('<div id="root">');
      // The strict CSP stays: scripts from the service itself only; images from https for project icons.
      expect(response.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(response.headers['content-security-policy']).toMatch(/img-src 'self' data: https:/);
    }
    for (const path of ['/loginx', '/admin', '/index.html', '/assets', '/api/nothing', '/projectsx/1']) {
      const response = await t.get(path);
      expect(response.statusCode, path).toBe(404);
      expect(response.json().error.code, path).toBe('NOT_FOUND');
    }
  });

  it('serves hashed assets immutable for a year whatever the Accept, precompressed when asked, and nothing outside assets/', async () => {
    const plain = await t.request({ method: 'GET', url: '/assets/index-abc123.js', headers: { accept: 'text/html' } });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe('console.log("dashboard")');

    const gzipped = await t.request({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip'); // no .br was built for it
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gzipped.rawPayload).toEqual(gzipSync('console.log("dashboard")'));

    expect((await t.get('/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of [
      '/assets/../secret.txt',
      '/assets/%2e%2e%2fsecret.txt',
      '/assets/..%2Fsecret.txt',
      '/assets/.hidden',
      '/assets/nope.js',
      '/assets/sub/x.js',
    ])
      expect((await t.get(path)).statusCode, path).toBe(404);
  });

  it('counts the files and pages against no limit', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) statuses.add((await t.get(i % 2 ? '/login' : '/assets/index-abc123.js')).statusCode);
    expect([...statuses]).toEqual([200]);
  });
});

describe(`the dashboard's CSP over https (${TEST_DIALECT})`, () => {
  it('upgrades insecure requests only when PUBLIC_URL is https: over http it would send the own scripts to https', async () => {
    const https = await buildTestApp({ dashboardFolder: fakeBuild(), env: { PUBLIC_URL: 'https://auth.acme.test' } });
    const http = await buildTestApp({ dashboardFolder: fakeBuild(), env: { PUBLIC_URL: 'http://10.0.0.5:5000' } });
    try {
      expect((await https.get('/login')).headers['content-security-policy']).toContain('upgrade-insecure-requests');
      expect((await http.get('/login')).headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    } finally {
      await https.close();
      await http.close();
    }
  });
});
