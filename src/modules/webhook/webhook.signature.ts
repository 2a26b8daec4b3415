import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks signing (K2): `whsec_` + base64 of 32 random bytes; the HMAC key is those bytes. */
export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** `v1,` + base64 HMAC-SHA256 over `${id}.${timestamp}.${body}` (timestamp in whole seconds). */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** Tolerance of the documented verification: a timestamp further than this from now is refused. */
export const TOLERANCE_SECONDS = 5 * 60;

/**
 * The documented receiver-side check: the timestamp is within five minutes of `nowSeconds`, and one of
 * the space-separated `v1,` signatures matches. Throws on failure.
 */
export function verify(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp)) throw new Error('bad timestamp');
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) throw new Error('timestamp too old or too new');
  const expected = Buffer.from(sign(secret, headers.id, timestamp, body));
  const ok = headers.signature
    .split(' ')
    .some(
      (candidate) =>
        candidate.length === expected.length && timingSafeEqual(Buffer.from(candidate), expected),
    );
  if (!ok) throw new Error('no matching signature');
}
