import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, ErrorCode, badInput } from '../../shared/errors.js';
import { randomToken } from '../../shared/crypto.js';

/** OWASP minimum for argon2id; raising any of these makes logins re-hash old hashes (P2). */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const COMMON_PASSWORDS = new Set(
  (dictionary['passwords-common'] as string[]).filter((p) => p.length >= PASSWORD_MIN_LENGTH),
);

/**
 * Length 8..128 code points, no composition rules, no truncation, not a common password (P3).
 * Too long is malformed input; too short or common is a weak password.
 */
export function assertAcceptablePassword(password: string, field: string): void {
  const length = [...password].length;
  if (length > PASSWORD_MAX_LENGTH) {
    throw badInput(field, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  if (length < PASSWORD_MIN_LENGTH) {
    throw new AppError(
      ErrorCode.WEAK_PASSWORD,
      `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`,
      {
        field,
      },
    );
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new AppError(ErrorCode.WEAK_PASSWORD, 'This password is too common. Please choose another.', {
      field,
    });
  }
}

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2_OPTIONS);

export const verifyPassword = (hash: string, password: string): Promise<boolean> =>
  argon2.verify(hash, password);

export const passwordNeedsRehash = (hash: string): boolean => argon2.needsRehash(hash, ARGON2_OPTIONS);

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same CPU as a real verify, so an unknown email cannot be told apart from a wrong password
 * by timing (L2).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomToken());
  await argon2.verify(await dummyHash, password);
  return false;
}
