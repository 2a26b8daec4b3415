import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Logger } from 'pino';
import { ApiError, type ApiClient } from '../api/client.js';
import { RefreshTokenDocument, TelegramLoginDocument } from '../api/generated/graphql.js';
import { LANGUAGE_TTL_SECONDS, languageKey, NO_CHOICE } from '../i18n/index.js';
import type { ChatStore } from './chat-store.js';
import type { TokenCipher } from './token-cipher.js';

export interface Tokens {
  accessToken: string;
  /** Always in the body for the bot: it never asks for the browser's cookie mode. */
  refreshToken: string | null;
  expiresIn: number;
  /** The user the tokens are for; their chosen reply language comes along with every sign-in. */
  user?: { language?: string | null };
}

/**
 * Thrown when a chat has no account behind it: never connected or logged out (`signed-out`), the
 * Telegram account was unlinked (`unlinked`), or the stored tokens could not be decrypted (`unreadable`).
 */
export class NotConnectedError extends Error {
  constructor(readonly reason: 'signed-out' | 'unlinked' | 'unreadable') {
    super(`not connected (${reason})`);
    this.name = 'NotConnectedError';
  }
}

/**
 * Thrown for a user operation outside a private chat (T3): sessions are kept per chat, so in a group
 * one member's session would act for everyone in it.
 */
export class PrivateChatOnlyError extends Error {
  constructor() {
    super('Please talk to me in a private chat for that: tap my name and press Start.');
    this.name = 'PrivateChatOnlyError';
  }
}

const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
/** Refresh a little before the API would refuse the access token. */
const ACCESS_EARLY_SECONDS = 30;

const keys = (chatId: number) => ({
  access: `chat:${chatId}:access`,
  refresh: `chat:${chatId}:refresh`,
  loggedOut: `chat:${chatId}:logged-out`,
  connected: `chat:${chatId}:connected`,
});

/**
 * Per-chat API tokens in the chat store, encrypted, TTLs matching the tokens. An expired access token is
 * refreshed without the user noticing; when both are gone the bot signs the user in again with its own
 * credential (telegramLogin), unless they logged out. A token that does not decrypt (tampered with, or
 * written under a key this process does not have) ends the chat's connection: the user is asked to
 * start again, and the bot does not open a session for them by itself.
 */
export class UserSessions {
  private readonly renewals = new Map<number, Promise<string>>();

  constructor(
    private readonly store: ChatStore,
    private readonly api: ApiClient,
    private readonly cipher: TokenCipher,
    private readonly logger?: Logger,
  ) {}

  async save(chatId: number, tokens: Tokens): Promise<void> {
    if (tokens.refreshToken === null) throw new Error('the API answered without a refresh token');
    const k = keys(chatId);
    const accessTtl = Math.max(1, tokens.expiresIn - ACCESS_EARLY_SECONDS);
    await this.store.set(k.access, this.cipher.seal(tokens.accessToken, k.access), accessTtl);
    await this.store.set(k.refresh, this.cipher.seal(tokens.refreshToken, k.refresh), REFRESH_TTL_SECONDS);
    await this.store.set(k.connected, '1', REFRESH_TTL_SECONDS);
    await this.store.delete(k.loggedOut);
    // A private chat's id is its user's Telegram id: the language the user chose anywhere applies here.
    if (tokens.user !== undefined) {
      await this.store.set(languageKey(chatId), tokens.user.language ?? NO_CHOICE, LANGUAGE_TTL_SECONDS);
    }
  }

  /** Forgets the chat's tokens; after a logout the bot will not sign the user in again by itself. */
  async clear(chatId: number, loggedOut: boolean): Promise<void> {
    const k = keys(chatId);
    await this.store.delete(k.access, k.refresh, k.connected);
    if (loggedOut) await this.store.set(k.loggedOut, '1', REFRESH_TTL_SECONDS);
  }

  async isConnected(chatId: number, telegramId: number): Promise<boolean> {
    try {
      await this.accessToken(chatId, telegramId);
      return true;
    } catch (error) {
      if (error instanceof NotConnectedError) return false;
      throw error;
    }
  }

  /** A valid access token for the chat's user, or NotConnectedError. */
  async accessToken(chatId: number, telegramId: number): Promise<string> {
    const access = await this.readToken(chatId, keys(chatId).access);
    if (access !== null) return access;
    // One renewal per chat at a time: parallel calls of one update share it instead of racing the
    // single-use refresh token (which would end in an extra session).
    let renewal = this.renewals.get(chatId);
    if (renewal === undefined) {
      renewal = this.renew(chatId, telegramId).finally(() => this.renewals.delete(chatId));
      this.renewals.set(chatId, renewal);
    }
    return renewal;
  }

  private async renew(chatId: number, telegramId: number): Promise<string> {
    const k = keys(chatId);
    const refresh = await this.readToken(chatId, k.refresh);
    if (refresh !== null) {
      try {
        const { refreshToken } = await this.api.call(
          RefreshTokenDocument,
          { refreshToken: refresh },
          { asBot: true },
        );
        await this.save(chatId, refreshToken);
        return refreshToken.accessToken;
      } catch (error) {
        if (!(error instanceof ApiError) || !isAuthFailure(error.code)) throw error;
        await this.store.delete(k.refresh);
      }
    }
    const wasConnected = (await this.store.get(k.connected)) !== null;
    if ((await this.store.get(k.loggedOut)) !== null) throw new NotConnectedError('signed-out');
    try {
      const { telegramLogin } = await this.api.call(
        TelegramLoginDocument,
        { telegramId: String(telegramId) },
        { asBot: true },
      );
      await this.save(chatId, telegramLogin);
      return telegramLogin.accessToken;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NOT_FOUND') {
        await this.store.delete(k.connected);
        throw new NotConnectedError(wasConnected ? 'unlinked' : 'signed-out');
      }
      throw error;
    }
  }

  /** The stored token under `key`, or null when there is none; NotConnectedError when it does not decrypt. */
  private async readToken(chatId: number, key: string): Promise<string | null> {
    const sealed = await this.store.get(key);
    if (sealed === null) return null;
    const token = this.cipher.open(sealed, key);
    if (token !== null) return token;
    this.logger?.warn({ chatId, key }, 'a stored chat token does not decrypt: the chat has to connect again');
    await this.clear(chatId, true);
    throw new NotConnectedError('unreadable');
  }

  /** Runs a user operation for the chat; one retry with fresh tokens if the API says the token died. */
  async call<R, V extends Record<string, unknown>>(
    chatId: number,
    telegramId: number,
    document: TypedDocumentNode<R, V>,
    variables: V,
    requestId?: string,
    options: { withBotCredential?: boolean } = {},
  ): Promise<R> {
    const token = await this.accessToken(chatId, telegramId);
    // Some user operations also want the bot's word that it saw the user do this (connecting a group).
    const asBot = options.withBotCredential === true;
    try {
      return await this.api.call(document, variables, { token, requestId, asBot });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
      await this.store.delete(keys(chatId).access);
      const fresh = await this.accessToken(chatId, telegramId);
      return this.api.call(document, variables, { token: fresh, requestId, asBot });
    }
  }
}

const isAuthFailure = (code: string) => code === 'UNAUTHENTICATED' || code === 'REFRESH_TOKEN_REUSED';
