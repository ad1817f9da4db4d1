import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Outcome, VerifierSpec } from './types.js';

/** Debian's interpreter, which has python3-jwt and python3-cryptography (the `python3` on PATH may be another). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, '../pyjwt_verify.py');

/** PyJWT's PyJWKClient and jwt.decode, in a long-running Python process (its JWKS cache lives as in a real app). */
export const pyjwt: VerifierSpec = {
  name: 'PyJWT',
  supports: ['ES256', 'EdDSA', 'RS256'],
  async create({ jwksUri, issuer, audience, algorithm }) {
    const child = spawn(PYTHON, [SCRIPT, jwksUri, issuer, audience, algorithm], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const waiting: Array<{ resolve: (outcome: Outcome) => void; reject: (error: Error) => void }> = [];
    createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line) as Outcome));
    // An exception other than PyJWT's ends the script: every pending call fails with its traceback.
    child.on('exit', (code) => {
      for (const call of waiting.splice(0)) call.reject(new Error(`pyjwt_verify.py exited (${code}): ${stderr}`));
    });
    return {
      verify: (token) =>
        new Promise<Outcome>((resolve, reject) => {
          if (child.exitCode !== null) return reject(new Error(`pyjwt_verify.py exited (${child.exitCode}): ${stderr}`));
          waiting.push({ resolve, reject });
          child.stdin.write(`${token}\n`);
        }),
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.stdin.end();
        }),
    };
  },
};
