/** Run: npx tsx bench/verify.ts (also part of npm run bench): @xtown/verify against jose's raw jwtVerify. */
import { benchVerifyKit } from './scenarios/verify-kit.js';

const { rawUs, uncachedUs, cachedUs } = await benchVerifyKit();
for (const [name, us] of [
  ['jose jwtVerify (raw)', rawUs],
  ['verify(), uncached', uncachedUs],
  ['verify(), cached', cachedUs],
] as const)
  console.log(`${name.padEnd(24)} ${us.toFixed(2).padStart(8)} µs/op  ${(us / rawUs).toFixed(3)} × raw`);
const ratio = uncachedUs / rawUs;
console.log(
  `cached ≤ 5 µs: ${cachedUs <= 5 ? 'met' : 'MISSED'} (${cachedUs.toFixed(2)} µs); uncached ≤ 1.2 × raw: ${ratio <= 1.2 ? 'met' : 'MISSED'} (${ratio.toFixed(3)})`,
);
