/**
 * The raw rate of the password library, in its own process: @node-rs/argon2 verify with the product's
 * parameters (ARGON2_OPTIONS) and its hash pool's parallelism, nothing else. Prints one JSON line.
 * Usage: node --import tsx bench/raw-argon2.ts <concurrency> <seconds>
 */
import * as argon2 from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../src/crypto/passwords.js';

const concurrency = Number(process.argv[2] ?? 1);
const seconds = Number(process.argv[3] ?? 10);
const password = 'Bench-Passw0rd-Lz9q';
const hash = await argon2.hash(password, ARGON2_OPTIONS);

async function loop(until: number): Promise<number> {
  let n = 0;
  while (performance.now() < until) {
    if (!(await argon2.verify(hash, password))) throw new Error('verify refused the right password');
    n++;
  }
  return n;
}

await Promise.all(Array.from({ length: concurrency }, () => loop(performance.now() + 500))); // warm-up
const started = performance.now();
const counts = await Promise.all(Array.from({ length: concurrency }, () => loop(started + seconds * 1000)));
const elapsed = (performance.now() - started) / 1000;
const total = counts.reduce((a, b) => a + b, 0);
process.stdout.write(`${JSON.stringify({ concurrency, seconds: elapsed, verifies: total, perSec: total / elapsed })}\n`);
