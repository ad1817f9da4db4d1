import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as argon2 from '@node-rs/argon2';
import type { Algorithm, Options as Argon2Options } from '@node-rs/argon2';
import * as bcrypt from '@node-rs/bcrypt';
import type { PasswordHasher, VerifyResult } from '../domain/ports.js';
import { createWorkPool } from './hash-pool.js';
import { createLoopGovernor } from './loop-governor.js';

export type PasswordHashKind = 'argon2id' | 'bcrypt';

export interface PasswordHasherOptions {
  kind: PasswordHashKind;
  bcryptRounds: number;
  /**
   * Hash/verify jobs at once. Default: every core while the event loop is idle, one less (at least 1) while
   * requests keep it busy (crypto/loop-governor.ts).
   */
  concurrency?: number;
  /** Jobs allowed to wait; beyond it callers get SERVICE_UNAVAILABLE at once. Default 64 (well under a second of argon2id). */
  maxQueue?: number;
}

// OWASP's argon2id recommendation. The const enum Algorithm cannot be read under isolatedModules.
const ARGON2ID = 2 as Algorithm;
const ARGON2_VERSION_0x13 = 1;
export const ARGON2_OPTIONS = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
  algorithm: ARGON2ID,
} as const satisfies Argon2Options;

type StoredKind = PasswordHashKind | 'unknown';

function kindOf(stored: string): StoredKind {
  if (/^\$argon2(id|i|d)\$/.test(stored)) return 'argon2id';
  if (/^\$2[aby]\$\d\d\$/.test(stored)) return 'bcrypt';
  return 'unknown';
}

function argon2IsWeaker(stored: string): boolean {
  const p = argon2.parseOptions(stored);
  return (
    p.algorithm !== ARGON2ID ||
    p.version !== ARGON2_VERSION_0x13 ||
    p.memoryCost < ARGON2_OPTIONS.memoryCost ||
    p.timeCost < ARGON2_OPTIONS.timeCost ||
    p.outputLen < ARGON2_OPTIONS.outputLen
  );
}

/** The cost of a $2a$/$2b$/$2y$ hash ("$2b$12$…" → 12). */
function bcryptCost(stored: string): number {
  const cost = /^\$2[aby]\$(\d{2})\$/.exec(stored)?.[1];
  if (!cost) throw new Error('not a bcrypt hash');
  return Number(cost);
}

export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const { kind, bcryptRounds } = options;
  if (kind === 'bcrypt' && !(Number.isInteger(bcryptRounds) && bcryptRounds >= 4 && bcryptRounds <= 31)) {
    throw new RangeError('bcryptRounds must be an integer between 4 and 31');
  }
  const cores = availableParallelism();
  let wake = () => {};
  const governor =
    options.concurrency === undefined
      ? createLoopGovernor({ min: defaultHashConcurrency(), max: cores, onRaise: () => wake() })
      : undefined;
  const pool = createWorkPool(governor ? governor.limit : (options.concurrency ?? defaultHashConcurrency()), options.maxQueue ?? 64);
  wake = pool.wake;

  const hashNow = (plain: string): Promise<string> =>
    kind === 'argon2id' ? argon2.hash(plain, ARGON2_OPTIONS) : bcrypt.hash(plain, bcryptRounds);

  // Made once, off the request path, so that an unknown user costs exactly what a known one does.
  const dummyHash = hashNow(randomBytes(18).toString('base64'));
  dummyHash.catch(() => {});

  async function check(stored: string, storedKind: PasswordHashKind, plain: string): Promise<boolean> {
    try {
      return storedKind === 'argon2id' ? await argon2.verify(stored, plain) : await bcrypt.verify(plain, stored);
    } catch {
      return false; // a malformed hash is a wrong password, not a 500
    }
  }

  function needsRehash(stored: string, storedKind: PasswordHashKind): boolean {
    if (storedKind !== kind) return true;
    try {
      return kind === 'argon2id' ? argon2IsWeaker(stored) : bcryptCost(stored) < bcryptRounds;
    } catch {
      return true;
    }
  }

  async function verifyNow(storedHash: string | null, plain: string): Promise<VerifyResult> {
    const storedKind = storedHash === null ? 'unknown' : kindOf(storedHash);
    if (storedHash === null || storedKind === 'unknown') {
      await check(await dummyHash, kind, plain);
      return { ok: false, needsRehash: false };
    }
    const ok = await check(storedHash, storedKind, plain);
    return { ok, needsRehash: ok && needsRehash(storedHash, storedKind) };
  }

  return {
    hash: (plain) => pool.run(() => hashNow(plain)),
    verify: (storedHash, plain) => pool.run(() => verifyNow(storedHash, plain)),
    admitVerify() {
      const place = pool.reserve();
      return { verify: (storedHash, plain) => place.run(() => verifyNow(storedHash, plain)), release: place.release };
    },
    stats: () => pool.stats(),
    close: () => governor?.stop(),
  };
}
