import * as argon2 from '@node-rs/argon2';
import * as bcrypt from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { createWorkPool } from '../../src/crypto/hash-pool.js';
import { ARGON2_OPTIONS, createPasswordHasher } from '../../src/crypto/passwords.js';
import type { PasswordHasher } from '../../src/domain/ports.js';
import { AppError } from '../../src/errors/index.js';

const PASSWORD = 'correct horse 42';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

describe('createPasswordHasher: hash and verify', () => {
  it('argon2id: round trip with the OWASP parameters', async () => {
    const hasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12 });
    const stored = await hasher.hash(PASSWORD);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(stored, 'correct horse 43')).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.hash(PASSWORD)).not.toBe(stored); // salted
  });

  it('bcrypt: round trip with the configured rounds', async () => {
    const hasher = createPasswordHasher({ kind: 'bcrypt', bcryptRounds: 5 });
    const stored = await hasher.hash(PASSWORD);
    expect(stored).toMatch(/^\$2[aby]\$05\$/);
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(stored, 'Correct horse 42')).toEqual({ ok: false, needsRehash: false });
  });

  it('a bcrypt hash verifies under argon2id and asks for a rehash; so do $2a$ and $2y$', async () => {
    const hasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12 });
    for (const version of ['2a', '2b', '2y'] as const) {
      const legacy = (await bcrypt.hash(PASSWORD, 4)).replace(/^\$2[aby]\$/, `$${version}$`);
      expect(legacy.startsWith(`$${version}$`)).toBe(true);
      expect(await hasher.verify(legacy, PASSWORD)).toEqual({ ok: true, needsRehash: true });
      expect(await hasher.verify(legacy, 'wrong 123456')).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('an argon2id hash verifies under bcrypt and asks for a rehash', async () => {
    const hasher = createPasswordHasher({ kind: 'bcrypt', bcryptRounds: 5 });
    const stored = await argon2.hash(PASSWORD, ARGON2_OPTIONS);
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ ok: true, needsRehash: true });
  });

  it('weaker parameters than configured ask for a rehash', async () => {
    const argonHasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12 });
    const weakArgon = await argon2.hash(PASSWORD, { ...ARGON2_OPTIONS, memoryCost: 4096 });
    expect(await argonHasher.verify(weakArgon, PASSWORD)).toEqual({ ok: true, needsRehash: true });
    const fewPasses = await argon2.hash(PASSWORD, { ...ARGON2_OPTIONS, timeCost: 1 });
    expect(await argonHasher.verify(fewPasses, PASSWORD)).toEqual({ ok: true, needsRehash: true });
    const argon2i = await argon2.hash(PASSWORD, { ...ARGON2_OPTIONS, algorithm: 1 as argon2.Algorithm });
    expect(argon2i.startsWith('$argon2i$')).toBe(true);
    expect(await argonHasher.verify(argon2i, PASSWORD)).toEqual({ ok: true, needsRehash: true });

    const bcryptHasher = createPasswordHasher({ kind: 'bcrypt', bcryptRounds: 6 });
    const cheaper = await bcrypt.hash(PASSWORD, 5);
    expect(await bcryptHasher.verify(cheaper, PASSWORD)).toEqual({ ok: true, needsRehash: true });
    const stronger = await bcrypt.hash(PASSWORD, 7);
    expect(await bcryptHasher.verify(stronger, PASSWORD)).toEqual({ ok: true, needsRehash: false });
  });

  it('a null or malformed hash answers ok false without throwing', async () => {
    const hasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12 });
    const stored = await hasher.hash(PASSWORD);
    const malformed = [
      '',
      'plain text',
      '$argon2id$v=19$m=19456,t=2,p=1$not-base64!$nope',
      stored.slice(0, -10),
      '$2b$12$tooshort',
      '$2b$99$' + 'a'.repeat(53),
    ];
    expect(await hasher.verify(null, PASSWORD)).toEqual({ ok: false, needsRehash: false });
    for (const value of malformed) {
      expect(await hasher.verify(value, PASSWORD)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('rejects bcryptRounds outside 4..31 under bcrypt', () => {
    expect(() => createPasswordHasher({ kind: 'bcrypt', bcryptRounds: 3 })).toThrow(RangeError);
  });
});

describe('createPasswordHasher: same time for unknown users', () => {
  for (const [kind, bcryptRounds] of [
    ['argon2id', 12],
    ['bcrypt', 8],
  ] as const) {
    it(`${kind}: a null hash costs about what a real verify costs`, async () => {
      const hasher = createPasswordHasher({ kind, bcryptRounds });
      const stored = await hasher.hash(PASSWORD);
      await hasher.verify(null, PASSWORD); // the dummy hash is ready; warm both paths
      await hasher.verify(stored, 'wrong password 1');
      const real: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so drift in machine load hits both series alike.
      for (let i = 0; i < 15; i++) {
        real.push(await elapsed(() => hasher.verify(stored, 'wrong password 1')));
        unknown.push(await elapsed(() => hasher.verify(null, 'wrong password 1')));
      }
      const ratio = median(unknown) / median(real);
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    });
  }
});

describe('createPasswordHasher: bounded pool', () => {
  async function watchActive(hasher: PasswordHasher, work: Promise<unknown>): Promise<number> {
    let maxActive = 0;
    let done = false;
    work.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      maxActive = Math.max(maxActive, hasher.stats().active);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return maxActive;
  }

  it('with concurrency 1, four concurrent verifies run one at a time and all finish', async () => {
    const hasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12, concurrency: 1 });
    const stored = await hasher.hash(PASSWORD);
    const work = Promise.all([1, 2, 3, 4].map((i) => hasher.verify(stored, i % 2 ? PASSWORD : 'nope nope 1')));
    expect(hasher.stats()).toEqual({ active: 1, queued: 3, concurrency: 1 });
    const maxActive = await watchActive(hasher, work);
    expect(maxActive).toBe(1);
    expect((await work).map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(hasher.stats()).toEqual({ active: 0, queued: 0, concurrency: 1 });
  });

  it('the pool itself never overlaps jobs beyond its concurrency and keeps FIFO order', async () => {
    const pool = createWorkPool(2, 100);
    let active = 0;
    let maxActive = 0;
    const started: number[] = [];
    const job = (i: number) => async () => {
      started.push(i);
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => pool.run(job(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maxActive).toBe(2);
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 2 });
  });

  it('a reserved place is never refused later, counts as waiting, and can be given back', async () => {
    const pool = createWorkPool(1, 1);
    let finish!: () => void;
    const running = pool.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const place = pool.reserve();
    expect(pool.stats()).toEqual({ active: 1, queued: 1, concurrency: 1 });
    // The queue is full with the held place: a new job and a new reservation are refused at once.
    await expect(pool.run(async () => 'late')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(() => pool.reserve()).toThrow(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }));
    const held = place.run(async () => 'held');
    finish();
    await running;
    await expect(held).resolves.toBe('held');
    place.release(); // after its run: changes nothing
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 1 });

    const unused = pool.reserve();
    expect(pool.stats().queued).toBe(1);
    unused.release();
    unused.release();
    expect(pool.stats().queued).toBe(0);
  });

  it('a job that ends while a place is held (not yet run) frees its slot for whatever comes next', async () => {
    const pool = createWorkPool(1, 4);
    let finish!: () => void;
    const running = pool.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const place = pool.reserve();
    finish();
    await running;
    expect(pool.stats()).toEqual({ active: 0, queued: 1, concurrency: 1 });
    await expect(place.run(async () => 'held')).resolves.toBe('held');
    await expect(pool.run(async () => 'after')).resolves.toBe('after');
    expect(pool.stats()).toEqual({ active: 0, queued: 0, concurrency: 1 });
  });

  it('a failing job frees its slot', async () => {
    const pool = createWorkPool(1, 10);
    const failing = pool.run(async () => {
      throw new Error('boom');
    });
    const next = pool.run(async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('refuses at once with SERVICE_UNAVAILABLE when more than maxQueue are waiting', async () => {
    const hasher = createPasswordHasher({ kind: 'argon2id', bcryptRounds: 12, concurrency: 1, maxQueue: 2 });
    const stored = await hasher.hash(PASSWORD);
    const accepted = [1, 2, 3].map(() => hasher.verify(stored, PASSWORD));
    expect(hasher.stats()).toMatchObject({ active: 1, queued: 2 });
    const refused = hasher.verify(stored, PASSWORD);
    const error = await refused.catch((e: unknown) => e);
    // Settled while the first job still runs: nothing was waited for.
    expect(hasher.stats()).toMatchObject({ active: 1, queued: 2 });
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfter: 1 });
    await expect(hasher.hash(PASSWORD)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((await Promise.all(accepted)).every((r) => r.ok)).toBe(true);
  });
});
