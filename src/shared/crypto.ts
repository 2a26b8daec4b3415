import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `bytes` random bytes from the CSPRNG, base64url-encoded. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Compares two secrets in time independent of where they differ (hashing first hides their lengths). */
export function constantTimeEquals(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
