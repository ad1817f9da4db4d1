import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/http/password-policy.js';

const require = createRequire(import.meta.url);
const dictionaryFile = require.resolve('@zxcvbn-ts/language-common/dist/passwords.json.cjs');
// Read before any test runs: importing the policy must not have loaded the 49k-entry list.
const loadedAtImport = dictionaryFile in require.cache;

describe('passwordProblem', () => {
  it('accepts a good password', () => {
    expect(passwordProblem('violet-Kettle-72')).toBeNull();
    expect(passwordProblem('zq8mvrtx')).toBeNull(); // exactly 8
    expect(passwordProblem('a1' + 'x'.repeat(126))).toBeNull(); // exactly 128
  });

  it('refuses 7 characters', () => {
    expect(passwordProblem('abc1234')).toBe('Password must be at least 8 characters');
    expect(passwordProblem('')).toBe('Password must be at least 8 characters');
  });

  it('refuses 129 characters', () => {
    expect(passwordProblem('a1' + 'x'.repeat(127))).toBe('Password must be at most 128 characters');
  });

  it('refuses a password without a digit or without a letter', () => {
    expect(passwordProblem('violetKettle')).toBe('Password must contain a letter and a digit');
    expect(passwordProblem('82749165302')).toBe('Password must contain a letter and a digit');
    expect(passwordProblem('!!??--**##')).toBe('Password must contain a letter and a digit');
  });

  it('refuses the commonest passwords, whatever their case', () => {
    expect(passwordProblem('password1')).toBe('This password is too common');
    expect(passwordProblem('PassWord1')).toBe('This password is too common');
    expect(passwordProblem('trustno1')).toBe('This password is too common');
    expect(passwordProblem('qwerty123')).toBe('This password is too common');
  });

  it('keeps and counts leading and trailing spaces, never trimming', () => {
    // 6 visible characters: too short unless the two spaces count.
    expect(passwordProblem('  zq8mvr')).toBeNull();
    expect(passwordProblem('zq8mvr  ')).toBeNull();
    expect(passwordProblem(' zq8mvr')).toBe('Password must be at least 8 characters');
    // A common password with a space in front is no longer the common password.
    expect(passwordProblem(' password1')).toBeNull();
  });

  it('counts characters, not UTF-16 units, and accepts letters of any script', () => {
    expect(passwordProblem('🔑🔑🔑a1b')).toBe('Password must be at least 8 characters'); // 6 characters, 9 units
    expect(passwordProblem('пароль2025')).toBeNull();
  });

  it('loads the common-password list on first use, not at import, and lets the full list go', () => {
    expect(loadedAtImport).toBe(false);
    expect(passwordProblem('letmein123')).toBe('This password is too common');
    expect(dictionaryFile in require.cache).toBe(false);
  });
});
