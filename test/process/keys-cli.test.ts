import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { startService, type Service } from './service.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const ENV = { JWT_SECRET: 'keys-cli-test-secret-0123456789abcdef', JWKS_MAX_AGE: '2s' };

/** `npm run keys:rotate` against a running service: the service learns the stored keys without a restart. */
describe('npm run keys:rotate', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService(ENV);
  });
  afterAll(() => service.kill());

  const rotate = async (...args: string[]) =>
    (
      await promisify(execFile)(TSX, [resolve(ROOT, 'src/keys-cli.ts'), ...args], {
        cwd: service.cwd,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'file:./data/xtown.db', LOG_LEVEL: 'silent', ...ENV },
      })
    ).stdout;
  const jwks = async () => {
    const response = await fetch(`${service.base}/.well-known/jwks.json`);
    return { response, kids: ((await response.json()) as { keys: Array<{ kid: string; alg: string }> }).keys.map((key) => key.kid) };
  };

  it('serves one ES256 key with its cache lifetime and an ETag, and 304 for an unchanged set', async () => {
    const { response, kids } = await jwks();
    expect(kids).toHaveLength(1);
    expect(response.headers.get('cache-control')).toBe('public, max-age=2');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${service.base}/.well-known/jwks.json`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('publishes a new key that every running instance serves, then drops the signing key at once after a compromise', async () => {
    const [first] = (await jwks()).kids;
    expect(await rotate()).toMatch(/A new key is published/);
    const published = await until('the service to publish the new key', async () => {
      const { kids } = await jwks();
      return kids.length === 2 ? kids : undefined;
    });
    expect(published).toContain(first);

    const [, leaked, replacement] = /Key (\S+) is unpublished; (\S+) signs from now/.exec(await rotate('--compromised')) ?? [];
    expect(published).toContain(leaked);
    await until('the service to drop the compromised key and serve its replacement', async () => {
      const { kids } = await jwks();
      return !kids.includes(leaked!) && kids.includes(replacement!);
    });
  });
});
