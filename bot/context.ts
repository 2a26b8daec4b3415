import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Logger } from 'pino';
import { Context } from 'telegraf';
import type { ApiClient } from './api/client.js';
import { translator, type BotLanguage, type Translate } from './i18n/index.js';
import type { BotMetrics } from './metrics.js';
import type { ChatStore } from './session/chat-store.js';
import { PrivateChatOnlyError, type UserSessions } from './session/user-session.js';

/** What every handler can reach besides Telegram. */
export interface BotDeps {
  metrics: BotMetrics;
  api: ApiClient;
  store: ChatStore;
  sessions: UserSessions;
  logger: Logger;
}

/** Telegraf's context plus the API, bound to the chat and the Telegram user of the update. */
export class BotContext extends Context {
  deps!: BotDeps;
  /** Sent to the API as X-Request-Id so its log line matches this update's. */
  readonly requestId = randomUUID();
  /** The reply language: the user's choice, else Telegram's language_code (set by a middleware). */
  language: BotLanguage = 'en';
  /** Whether `language` is the user's own choice (/language), not Telegram's language_code. */
  languageChosen = false;
  t: Translate = translator('en');

  get chatId(): number {
    return this.chat!.id;
  }

  get telegramId(): number {
    return this.from!.id;
  }

  get isPrivate(): boolean {
    return this.chat?.type === 'private';
  }

  /** In a group connected to a family: that family (set by the group composer); undefined elsewhere. */
  groupFamilyId: string | undefined = undefined;

  /**
   * Runs an operation as the person acting: the chat's user in a private chat; in a group, the sender,
   * through the session of their own private chat (identity from Telegram's `from`, never taken over in
   * the group: T3), so their role in the family is what the API checks.
   */
  actor<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    options: { withBotCredential?: boolean } = {},
  ): Promise<R> {
    // A group that is not connected to a family shows nobody's money.
    if (!this.isPrivate && this.groupFamilyId === undefined)
      return Promise.reject(new PrivateChatOnlyError());
    const id = this.isPrivate ? this.chatId : this.telegramId;
    return this.deps.sessions.call(id, this.telegramId, document, variables, this.requestId, options);
  }

  /** Runs a user operation as the chat's user (tokens handled by UserSessions). */
  user<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    options: { withBotCredential?: boolean } = {},
  ): Promise<R> {
    if (!this.isPrivate) return Promise.reject(new PrivateChatOnlyError());
    return this.deps.sessions.call(
      this.chatId,
      this.telegramId,
      document,
      variables,
      this.requestId,
      options,
    );
  }

  /** Runs a bot-only operation with the bot credential. */
  asBot<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    return this.deps.api.call(document, variables, { asBot: true, requestId: this.requestId });
  }
}
