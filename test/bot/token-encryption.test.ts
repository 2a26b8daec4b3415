import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../bot/api/client.js';
import { MeDocument, TelegramRegisterDocument } from '../../bot/api/generated/graphql.js';
import { friendlyError } from '../../bot/replies/errors.js';
import { MemoryChatStore, RedisChatStore, type ChatStore } from '../../bot/session/chat-store.js';
import { TokenCipher, parseTokenKey, tokenCipherFor, tokenKeyId } from '../../bot/session/token-cipher.js';
import { NotConnectedError, UserSessions, type Tokens } from '../../bot/session/user-session.js';
import { realRedis, startTestApp, type TestApp } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';

/**
 * The API tokens the bot keeps per chat are encrypted at rest (AES-256-GCM): the real API hands out the
 * tokens, the real Redis holds them, and the test reads what Redis really stores.
 */

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SEALED = /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/;

/** Every way a token could sit in a stored value in readable or trivially decoded form. */
const encodingsOf = (token: string) => [
  token,
  Buffer.from(token).toString('base64'),
  Buffer.from(token).toString('base64url'),
  Buffer.from(token).toString('hex'),
];

/** `text` with the character at `at` replaced by another one of the same alphabet. */
function changeOneCharacter(text: string, at: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const other =
    alphabet[(alphabet.indexOf(text[at]!) + 1 + randomInt(alphabet.length - 1)) % alphabet.length]!;
  return text.slice(0, at) + other + text.slice(at + 1);
}

describe('TokenCipher', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and sealing the same token twice gives two different values', () => {
    const cipher = new TokenCipher(key);
    const first = cipher.seal('token-value', 'chat:1:refresh');
    const second = cipher.seal('token-value', 'chat:1:refresh');
    expect(first).toMatch(SEALED);
    expect(first).not.toBe(second);
    expect(cipher.open(first, 'chat:1:refresh')).toBe('token-value');
    expect(cipher.open(second, 'chat:1:refresh')).toBe('token-value');
  });

  it('refuses a value with any single character changed, or moved to another chat', () => {
    const cipher = new TokenCipher(key);
    const sealed = cipher.seal('a refresh token of some length', 'chat:1:refresh');
    for (let at = 0; at < sealed.length; at++) {
      const changed = changeOneCharacter(sealed, at);
      expect(cipher.open(changed, 'chat:1:refresh'), `character ${at} of ${sealed}`).toBeNull();
    }
    expect(cipher.open(sealed, 'chat:2:refresh')).toBeNull();
    expect(cipher.open(sealed, 'chat:1:access')).toBeNull();
    expect(cipher.open(`${sealed}A`, 'chat:1:refresh')).toBeNull();
    expect(cipher.open('token-value', 'chat:1:refresh')).toBeNull();
    expect(cipher.open('', 'chat:1:refresh')).toBeNull();
  });

  it('reads with old keys, writes with the current one, and cannot read a key it was not given', () => {
    const oldKey = randomBytes(32);
    const sealedOld = new TokenCipher(oldKey).seal('t', 'k');
    const rotated = new TokenCipher(key, [oldKey]);
    expect(rotated.open(sealedOld, 'k')).toBe('t');
    expect(rotated.seal('t', 'k').split('.')[1]).toBe(tokenKeyId(key));
    expect(new TokenCipher(key).open(sealedOld, 'k')).toBeNull();
  });

  it('without a configured key, says so and encrypts with a key of this process only', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => void warnings.push(message) };
    const first = tokenCipherFor(undefined, logger);
    expect(warnings).toEqual([expect.stringContaining('BOT_TOKEN_KEY is unset')]);
    const sealed = first.seal('t', 'k');
    expect(first.open(sealed, 'k')).toBe('t');
    // The next process (a restart) has another key: what this one wrote is unreadable there.
    expect(tokenCipherFor(undefined, logger).open(sealed, 'k')).toBeNull();
    // With keys configured, no warning, and the keys are the ones used.
    const configured = tokenCipherFor({ current: key, previous: [] }, logger);
    expect(warnings).toHaveLength(2);
    expect(new TokenCipher(key).open(configured.seal('t', 'k'), 'k')).toBe('t');
  });

  it('takes 32-byte keys as hex, base64 or base64url, and nothing else', () => {
    expect(parseTokenKey(key.toString('hex'))).toEqual(key);
    expect(parseTokenKey(key.toString('base64'))).toEqual(key);
    expect(parseTokenKey(key.toString('base64url'))).toEqual(key);
    for (const bad of ['', 'secret', randomBytes(31).toString('base64'), randomBytes(33).toString('hex')]) {
      expect(parseTokenKey(bad), bad).toBeNull();
    }
  });
});

describe('chat tokens at rest', () => {
  const botSecret = randomBytes(36).toString('base64url');
  const prefix = `fftest:bot-tokens:${randomUUID()}:`;
  let app: TestApp;
  let api: ApiClient;
  let store: ChatStore;
  let redis: Redis | undefined;

  beforeAll(async () => {
    app = await startTestApp({ BOT_API_SECRET: botSecret });
    api = new ApiClient(`${app.url}/graphql`, botSecret);
    store = realRedis ? new RedisChatStore(TEST_REDIS_URL, prefix) : new MemoryChatStore();
    if (realRedis) redis = new Redis(TEST_REDIS_URL);
  }, 60_000);

  afterAll(async () => {
    const leftovers = (await redis?.keys(`${prefix}*`)) ?? [];
    if (leftovers.length > 0) await redis!.del(...leftovers);
    await redis?.quit();
    await store?.close();
    await app?.stop();
  });

  /** What the store really holds under a key: read from Redis by a client of its own. */
  const raw = (key: string) => (redis ? redis.get(`${prefix}${key}`) : store.get(key));
  const writeRaw = async (key: string, value: string) => {
    if (redis) await redis.set(`${prefix}${key}`, value, 'KEEPTTL');
    else await store.set(key, value, 3600);
  };

  /** A Telegram user registered through the API, as the bot does it; returns their first tokens. */
  async function registerTelegramUser(): Promise<{ telegramId: number; chatId: number; tokens: Tokens }> {
    const telegramId = 7_000_000_000 + randomInt(1_000_000_000);
    const { telegramRegister } = await api.call(
      TelegramRegisterDocument,
      {
        input: {
          telegramId: String(telegramId),
          chatId: String(telegramId),
          firstName: 'Tess',
          lastName: null,
          username: null,
          languageCode: null,
        },
      },
      { asBot: true },
    );
    return { telegramId, chatId: telegramId, tokens: telegramRegister };
  }

  const sessionsOf = (telegramId: number) =>
    app.sql<{ id: string; revoked_at: Date | null; refresh_tokens: number }>(
      `select s.id, s.revoked_at,
              (select count(*)::int from refresh_token r where r.session_id = s.id) as refresh_tokens
         from auth_session s join app_user u on u.id = s.user_id
        where u.telegram_id = $1`,
      [String(telegramId)],
    );

  async function expectNoTokenIn(chatId: number, tokens: Tokens) {
    for (const name of ['access', 'refresh']) {
      const value = await raw(`chat:${chatId}:${name}`);
      expect(value, name).toMatch(SEALED);
      expect(tokens.refreshToken).not.toBeNull();
      for (const token of [tokens.accessToken, tokens.refreshToken!]) {
        for (const encoded of encodingsOf(token)) expect(value).not.toContain(encoded);
      }
      // A JWT's header always encodes to "eyJ"; a sealed value is random bytes.
      expect(value).not.toContain('eyJhbGci');
    }
  }

  it('stores neither the access nor the refresh token, and reads both back', async () => {
    const sessions = new UserSessions(store, api, new TokenCipher(randomBytes(32)));
    const { telegramId, chatId, tokens } = await registerTelegramUser();
    expect(tokens.refreshToken).toMatch(BASE64URL);
    await sessions.save(chatId, tokens);
    await expectNoTokenIn(chatId, tokens);

    // The access token reads back as it was, and works.
    expect(await sessions.accessToken(chatId, telegramId)).toBe(tokens.accessToken);
    const { me } = await sessions.call(chatId, telegramId, MeDocument, {});
    expect(me.firstName).toBe('Tess');

    // Without the access token, the stored refresh token is decrypted and rotated: same session.
    await store.delete(`chat:${chatId}:access`);
    const fresh = await sessions.accessToken(chatId, telegramId);
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await sessionsOf(telegramId)).toEqual([
      expect.objectContaining({ revoked_at: null, refresh_tokens: 2 }),
    ]);
    // A stranger's key opens nothing.
    const refreshKey = `chat:${chatId}:refresh`;
    expect(new TokenCipher(randomBytes(32)).open((await raw(refreshKey))!, refreshKey)).toBeNull();
    await expectNoTokenIn(chatId, { ...tokens, accessToken: fresh });
  });

  it('keeps the newest refresh token in a form only its key opens', async () => {
    const key = randomBytes(32);
    const sessions = new UserSessions(store, api, new TokenCipher(key));
    const { telegramId, chatId, tokens } = await registerTelegramUser();
    await sessions.save(chatId, tokens);
    await store.delete(`chat:${chatId}:access`);
    await sessions.accessToken(chatId, telegramId);
    const refreshKey = `chat:${chatId}:refresh`;
    const newest = new TokenCipher(key).open((await raw(refreshKey))!, refreshKey)!;
    // It is the live refresh token the API knows (the API keeps only its SHA-256).
    const [live] = await app.sql<{ token_hash: string }>(
      `select r.token_hash from refresh_token r join auth_session s on s.id = r.session_id
         join app_user u on u.id = s.user_id
        where u.telegram_id = $1 and r.revoked_at is null`,
      [String(telegramId)],
    );
    expect(createHash('sha256').update(newest).digest('hex')).toBe(live!.token_hash);
    for (const encoded of encodingsOf(newest)) expect(await raw(refreshKey)).not.toContain(encoded);
  });

  it.each(['refresh', 'access'])(
    'a %s token changed by one byte does not decrypt: the chat is signed out and asked to start again',
    async (which) => {
      const sessions = new UserSessions(store, api, new TokenCipher(randomBytes(32)));
      const { telegramId, chatId, tokens } = await registerTelegramUser();
      await sessions.save(chatId, tokens);
      if (which === 'refresh') await store.delete(`chat:${chatId}:access`);
      const key = `chat:${chatId}:${which}`;
      const sealed = (await raw(key))!;
      await writeRaw(key, changeOneCharacter(sealed, Math.floor(sealed.length / 2)));

      const failure = await sessions
        .call(chatId, telegramId, MeDocument, {})
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(NotConnectedError);
      expect((failure as NotConnectedError).reason).toBe('unreadable');
      expect(friendlyError(failure)).toBe('Your session has ended. Send /start to connect again.');
      // Removed, and the bot does not open a session by itself: the user reconnects with /start.
      expect(await raw(`chat:${chatId}:access`)).toBeNull();
      expect(await raw(`chat:${chatId}:refresh`)).toBeNull();
      expect(await sessions.isConnected(chatId, telegramId)).toBe(false);
      expect(await sessionsOf(telegramId)).toHaveLength(1);
    },
  );

  it("does not accept another chat's sealed token", async () => {
    const sessions = new UserSessions(store, api, new TokenCipher(randomBytes(32)));
    const victim = await registerTelegramUser();
    const other = await registerTelegramUser();
    await sessions.save(victim.chatId, victim.tokens);
    await sessions.save(other.chatId, other.tokens);
    await writeRaw(`chat:${other.chatId}:access`, (await raw(`chat:${victim.chatId}:access`))!);
    await expect(sessions.accessToken(other.chatId, other.telegramId)).rejects.toThrow(NotConnectedError);
    expect(await sessions.accessToken(victim.chatId, victim.telegramId)).toBe(victim.tokens.accessToken);
  });

  it('still reads tokens written before a key rotation while the old key is listed, and rewrites them', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const { telegramId, chatId, tokens } = await registerTelegramUser();
    await new UserSessions(store, api, new TokenCipher(oldKey)).save(chatId, tokens);

    const rotated = new UserSessions(store, api, new TokenCipher(newKey, [oldKey]));
    expect(await rotated.accessToken(chatId, telegramId)).toBe(tokens.accessToken);
    // The refresh token written under the old key still renews the session; the new pair is written
    // under the new key.
    await store.delete(`chat:${chatId}:access`);
    await rotated.accessToken(chatId, telegramId);
    for (const name of ['access', 'refresh']) {
      expect((await raw(`chat:${chatId}:${name}`))!.split('.')[1], name).toBe(tokenKeyId(newKey));
    }
    expect(await sessionsOf(telegramId)).toEqual([expect.objectContaining({ refresh_tokens: 2 })]);

    // Without the old key in the list, a value it wrote is unreadable.
    const { telegramId: t2, chatId: c2, tokens: tokens2 } = await registerTelegramUser();
    await new UserSessions(store, api, new TokenCipher(oldKey)).save(c2, tokens2);
    const forgotten = new UserSessions(store, api, new TokenCipher(newKey));
    await expect(forgotten.accessToken(c2, t2)).rejects.toThrow(NotConnectedError);
  });
});
