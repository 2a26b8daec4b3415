import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const TOKEN_KEY_BYTES = 32;

/**
 * Names a key inside each sealed value, so that after a rotation a value finds the key it was written
 * with. Derived from the key (a hash, which reveals nothing usable about it), so an operator only ever
 * handles the keys themselves.
 */
export function tokenKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('family-finance bot token key\0')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
}

/**
 * AES-256-GCM for the API tokens the bot keeps per chat, so that a copy of Redis (a backup, a replica, a
 * stray MONITOR) holds no usable token. A sealed value is `v1.<key id>.<base64url(iv | ciphertext | tag)>`,
 * with a fresh 96-bit IV for every write. The store key is authenticated with it: a value moved to another
 * chat's key does not open.
 */
export class TokenCipher {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  /** Writes with `current`; reads values written with `current` or any of `previous`. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== TOKEN_KEY_BYTES) throw new Error(`a token key must be ${TOKEN_KEY_BYTES} bytes`);
      if (!this.keys.has(tokenKeyId(key))) this.keys.set(tokenKeyId(key), key);
    }
    this.currentId = tokenKeyId(current);
  }

  /** A key that lives as long as this process: what it seals cannot be read after a restart. */
  static ephemeral(): TokenCipher {
    return new TokenCipher(randomBytes(TOKEN_KEY_BYTES));
  }

  seal(plaintext: string, storeKey: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(additionalData(this.currentId, storeKey));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    return `${FORMAT}.${this.currentId}.${payload}`;
  }

  /** The plaintext, or null for anything that is not an intact value sealed by one of our keys. */
  open(sealed: string, storeKey: string): string | null {
    const [format, keyId, payload, ...rest] = sealed.split('.');
    if (format !== FORMAT || keyId === undefined || payload === undefined || rest.length > 0) return null;
    const key = this.keys.get(keyId);
    if (key === undefined) return null;
    const bytes = Buffer.from(payload, 'base64url');
    // Node's decoder skips characters outside the alphabet and ignores spare bits: only the canonical
    // encoding counts, so that any change to the stored text is a change to the bytes.
    if (bytes.toString('base64url') !== payload || bytes.length < IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(keyId, storeKey));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

const additionalData = (keyId: string, storeKey: string) =>
  Buffer.from(`${FORMAT}.${keyId}.${storeKey}`, 'utf8');

/** A 32-byte key written as 64 hex digits or as base64 / base64url; null for anything else. */
export function parseTokenKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  return key.length === TOKEN_KEY_BYTES ? key : null;
}

/**
 * The cipher for the configured keys. Outside production BOT_TOKEN_KEY may be missing: a key for this
 * process keeps the tokens encrypted all the same, at the price of every chat connecting again after a
 * restart (development is one process, and /start reconnects in one tap). Production refuses to start
 * without the key (bot/config.ts).
 */
export function tokenCipherFor(
  keys: { current: Buffer; previous: readonly Buffer[] } | undefined,
  logger: Pick<Logger, 'warn'>,
): TokenCipher {
  if (keys !== undefined) return new TokenCipher(keys.current, keys.previous);
  logger.warn('BOT_TOKEN_KEY is unset: chat tokens are encrypted with a key that dies with this process');
  return TokenCipher.ephemeral();
}
