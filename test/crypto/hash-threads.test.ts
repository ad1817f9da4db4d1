import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ARGON2_OPTIONS } from '../../src/crypto/passwords.js';
import { createHashThreads, HASH_THREAD_NICE, HashThreadError, type HashThreads } from '../../src/crypto/hash-threads.js';

/** Every thread of this process with its nice value (field 19 of /proc/self/task/<tid>/stat). */
const niceByThread = () =>
  readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));

describe('hash threads', () => {
  let threads: HashThreads | undefined;
  afterEach(async () => threads?.close());

  it('start with the first jobs, no more than their number, and hash and verify both kinds', async () => {
    threads = createHashThreads(2);
    expect(threads.size()).toBe(0);
    const [argon, bcrypt] = await Promise.all([
      threads.run({ op: 'argon2.hash', plain: 'pw', options: ARGON2_OPTIONS }),
      threads.run({ op: 'bcrypt.hash', plain: 'pw', rounds: 4 }),
      threads.run({ op: 'bcrypt.hash', plain: 'other', rounds: 4 }),
    ]);
    expect(threads.size()).toBe(2);
    expect(await threads.run({ op: 'argon2.verify', stored: argon as string, plain: 'pw' })).toBe(true);
    expect(await threads.run({ op: 'argon2.verify', stored: argon as string, plain: 'pW' })).toBe(false);
    expect(await threads.run({ op: 'bcrypt.verify', stored: bcrypt as string, plain: 'pw' })).toBe(true);
  });

  it.runIf(process.platform === 'linux')('run below the event loop’s CPU priority, and only they do', async () => {
    const before = niceByThread().filter((nice) => nice === HASH_THREAD_NICE).length;
    threads = createHashThreads(2);
    await Promise.all([1, 2].map(() => threads!.run({ op: 'bcrypt.hash', plain: 'pw', rounds: 4 })));
    const nice = niceByThread();
    expect(nice.filter((value) => value === HASH_THREAD_NICE).length - before).toBe(2);
    // The main thread (the event loop) keeps its priority.
    expect(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16])).toBe(0);
  });

  it('fail a malformed job with an error and go on with the next one', async () => {
    threads = createHashThreads(1);
    await expect(threads.run({ op: 'argon2.verify', stored: 'not a hash', plain: 'pw' })).rejects.toThrow();
    const stored = await threads.run({ op: 'bcrypt.hash', plain: 'pw', rounds: 4 });
    expect(await threads.run({ op: 'bcrypt.verify', stored: stored as string, plain: 'pw' })).toBe(true);
    expect(threads.size()).toBe(1);
  });

  it('refuse jobs once closed, and fail the waiting ones', async () => {
    threads = createHashThreads(1);
    const first = threads.run({ op: 'argon2.hash', plain: 'pw', options: ARGON2_OPTIONS });
    const waiting = threads.run({ op: 'argon2.hash', plain: 'pw', options: ARGON2_OPTIONS });
    const outcomes = Promise.allSettled([first, waiting]);
    await threads.close();
    const [inFlight, queued] = await outcomes;
    expect(inFlight.status).toBe('rejected');
    expect(queued).toMatchObject({ status: 'rejected', reason: { message: 'hash threads closed' } });
    expect((queued as PromiseRejectedResult).reason).toBeInstanceOf(HashThreadError);
    await expect(threads.run({ op: 'bcrypt.hash', plain: 'pw', rounds: 4 })).rejects.toThrow(/closed/);
  });
});
