import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import {
  ARGON2_OPTIONS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  assertAcceptablePassword,
  hashPassword,
  passwordNeedsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/modules/auth/password.js';
import { AppError } from '../../src/shared/errors.js';

const FIELD = 'input.password';

/** The AppError `assertAcceptablePassword` throws, or undefined when it accepts the password. */
function rejectionOf(password: string): AppError | undefined {
  try {
    assertAcceptablePassword(password, FIELD);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
}

/** `length` code points of a password that is not on any list: a letter cycle, no repetition of words. */
const plain = (length: number): string =>
  Array.from({ length }, (_, i) => 'qzjxkvbwyhgfmdpu'[(i * 7) % 16]).join('');

describe('assertAcceptablePassword (P3)', () => {
  it('pins the bounds at 8 and 128', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
  });

  it('accepts exactly 8 and exactly 128 code points', () => {
    expect(plain(8)).toHaveLength(8);
    expect(plain(128)).toHaveLength(128);
    expect(rejectionOf(plain(8))).toBeUndefined();
    expect(rejectionOf(plain(128))).toBeUndefined();
  });

  it('rejects 7 code points as WEAK_PASSWORD naming the field', () => {
    const error = rejectionOf(plain(7));
    expect(error?.extensions.code).toBe('WEAK_PASSWORD');
    expect(error?.extensions.field).toBe(FIELD);
    expect(rejectionOf('')?.extensions.code).toBe('WEAK_PASSWORD');
  });

  it('rejects 129 code points as BAD_USER_INPUT with extensions.field', () => {
    const error = rejectionOf(plain(129));
    expect(error?.extensions.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions.field).toBe(FIELD);
    expect(error?.message).toMatch(/128/);
    const elsewhere = (() => {
      try {
        assertAcceptablePassword(plain(129), 'input.newPassword');
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(elsewhere?.extensions.field).toBe('input.newPassword');
  });

  it('counts code points, not UTF-16 units (emoji)', () => {
    const emoji = '\u{1F600}'; // one code point, two UTF-16 units
    expect(emoji).toHaveLength(2);
    // 8 code points, 16 UTF-16 units: long enough.
    expect(rejectionOf(emoji.repeat(8))).toBeUndefined();
    // 7 code points, 14 UTF-16 units: still too short.
    expect(rejectionOf(emoji.repeat(7))?.extensions.code).toBe('WEAK_PASSWORD');
    // 4 emoji + 3 letters = 7 code points (11 units): too short.
    expect(rejectionOf(`${emoji.repeat(4)}abc`)?.extensions.code).toBe('WEAK_PASSWORD');
    // 128 code points, 256 UTF-16 units: not too long.
    expect(emoji.repeat(128)).toHaveLength(256);
    expect(rejectionOf(emoji.repeat(128))).toBeUndefined();
    expect(rejectionOf(`${emoji.repeat(64)}${plain(64)}`)).toBeUndefined();
    // 129 code points: too long.
    expect(rejectionOf(emoji.repeat(129))?.extensions.code).toBe('BAD_USER_INPUT');
    expect(rejectionOf(`${emoji.repeat(64)}${plain(65)}`)?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('rejects common passwords, case-insensitively, as WEAK_PASSWORD', () => {
    for (const common of [
      'password1',
      'PASSWORD1',
      'Password1',
      'password123',
      'Password123',
      'iloveyou',
      'ILoveYou',
      '12345678',
      'qwertyuiop',
      'trustno1',
    ]) {
      const error = rejectionOf(common);
      expect(error?.extensions.code, common).toBe('WEAK_PASSWORD');
      expect(error?.extensions.field, common).toBe(FIELD);
      expect(error?.message, common).toMatch(/common/i);
    }
  });

  it('has no composition rules: a long all-lowercase passphrase passes', () => {
    expect(rejectionOf('correct horse battery staple')).toBeUndefined();
    expect(rejectionOf('the quick brown fox jumps over the lazy dog again and again')).toBeUndefined();
    // Only lowercase letters, no digits, no symbols, no uppercase.
    expect(rejectionOf('meadowlarkgrapevine')).toBeUndefined();
    // Only digits that are not a common password.
    expect(rejectionOf('90417352816')).toBeUndefined();
  });
});

describe('password hashing (P1, P2, L2)', () => {
  it('hashes with argon2id and the pinned OWASP parameters', async () => {
    expect(ARGON2_OPTIONS).toMatchObject({ type: argon2.argon2id, parallelism: 1 });
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(ARGON2_OPTIONS.timeCost).toBeGreaterThanOrEqual(2);
    const hash = await hashPassword('correct horse battery staple');
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBe(ARGON2_OPTIONS.memoryCost);
    expect(Number(match![2])).toBe(ARGON2_OPTIONS.timeCost);
    expect(Number(match![3])).toBe(1);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapl')).toBe(false);
    expect(passwordNeedsRehash(hash)).toBe(false);
  });

  it('flags hashes with weaker parameters for re-hashing', async () => {
    const weak = await argon2.hash('correct horse battery staple', {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    expect(passwordNeedsRehash(weak)).toBe(true);
  });

  it('verifies against a dummy hash and always fails', async () => {
    expect(await verifyAgainstDummy('correct horse battery staple')).toBe(false);
    expect(await verifyAgainstDummy('')).toBe(false);
  });
});
