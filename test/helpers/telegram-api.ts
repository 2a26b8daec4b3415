import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackQuery, Chat, Message, Update, User } from 'telegraf/types';

/**
 * A local stand-in for the Telegram Bot API, enough of it for real Telegraf code: long polling with
 * offsets, webhook registration, messages with increasing ids, edits, callback answers. Every call is
 * recorded; tests queue updates as users would send them and wait for what the bot sends back.
 */

/** A Telegram user as the tests write it; ids above 2^32 are normal. */
export interface TgUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface RecordedCall {
  /** Position in `calls`, to look only at what came after a point. */
  index: number;
  token: string;
  method: string;
  payload: Record<string, unknown>;
  /** When the call arrived (epoch ms). */
  at: number;
  /** The error this server answered with instead of a result (injected failures, bad requests). */
  error?: TelegramErrorBody;
  /** What a successful call returned. */
  result?: unknown;
}

export interface TelegramErrorBody {
  error_code: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

interface Waiter {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

interface BotState {
  updates: Update[];
  nextUpdateId: number;
  waiters: Set<Waiter>;
  webhook: { url: string; secret_token?: string } | undefined;
}

interface Failure {
  method: string;
  token: string | undefined;
  chatId: number | undefined;
  error: TelegramErrorBody;
}

type Payload = Record<string, unknown>;

export interface SendOptions {
  /** The bot the update is for; default: the server's default token. */
  token?: string;
  /** Another chat than the user's private one (a group, say). */
  chat?: Chat.GroupChat | Chat.SupergroupChat | Chat.PrivateChat;
  /** Reuse a message id, as when Telegram redelivers the same message. */
  messageId?: number;
}

const COMMAND = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?/;
const METHOD_PATH = /^\/bot(\d+:[A-Za-z0-9_-]+)\/([A-Za-z]+)$/;

export class FakeTelegram {
  /** Every call any bot made, in order. */
  readonly calls: RecordedCall[] = [];
  readonly url: string;
  private readonly bots = new Map<string, BotState>();
  private readonly messages = new Map<string, Message.TextMessage>();
  private readonly failures: Failure[] = [];
  private readonly listeners = new Set<() => void>();
  private nextMessageId = 1000;
  private callbackCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly defaultToken: string,
    private readonly usernames: ReadonlyMap<string, string>,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server on a free port of 127.0.0.1. */
  static async start(
    options: { token?: string; usernames?: Record<string, string> } = {},
  ): Promise<FakeTelegram> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeTelegram(
      server,
      options.token ?? '123456:TEST-token',
      new Map(Object.entries(options.usernames ?? {})),
    );
    server.on('request', (req, res) => fake.route(req, res));
    return fake;
  }

  /** The bot account getMe describes for a token. */
  botUser(token = this.defaultToken): User {
    const id = Number(token.split(':')[0]);
    return {
      id,
      is_bot: true,
      first_name: 'Family Finance',
      username: this.usernames.get(token) ?? `family_finance_${id}_bot`,
    };
  }

  /** The webhook a bot registered with setWebhook, if any. */
  webhookOf(token = this.defaultToken): BotState['webhook'] {
    return this.state(token).webhook;
  }

  /** A private-chat text message update (commands get their bot_command entity), not queued. */
  textUpdate(
    user: TgUser,
    text: string,
    options: SendOptions = {},
  ): Update.MessageUpdate<Message.TextMessage> {
    const token = options.token ?? this.defaultToken;
    const command = COMMAND.exec(text);
    const message: Update.MessageUpdate<Message.TextMessage>['message'] = {
      message_id: options.messageId ?? this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: options.chat ?? privateChat(user),
      from: asUser(user),
      text,
      ...(command !== null && { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }),
    };
    return { update_id: this.state(token).nextUpdateId++, message };
  }

  /** Queues a message from a user, as Telegram would deliver it to the bot. */
  sendText(user: TgUser, text: string, options: SendOptions = {}): Update.MessageUpdate<Message.TextMessage> {
    const update = this.textUpdate(user, text, options);
    this.enqueue(options.token ?? this.defaultToken, update);
    return update;
  }

  /** Queues a button press on a message the bot sent earlier. */
  pressButton(
    user: TgUser,
    messageId: number,
    data: string,
    options: { token?: string; chatId?: number } = {},
  ): Update.CallbackQueryUpdate {
    const token = options.token ?? this.defaultToken;
    const chatId = options.chatId ?? user.id;
    const message = this.messages.get(messageKey(chatId, messageId));
    if (message === undefined) throw new Error(`the bot sent no message ${messageId} to chat ${chatId}`);
    const query: CallbackQuery.DataQuery = {
      id: String(++this.callbackCounter),
      from: asUser(user),
      // Telegram sends the message as it stands now, edits included.
      message: message as CallbackQuery['message'],
      chat_instance: `instance-${chatId}`,
      data,
    };
    const update: Update.CallbackQueryUpdate = {
      update_id: this.state(token).nextUpdateId++,
      callback_query: query,
    };
    this.enqueue(token, update);
    return update;
  }

  /** Answers the next call of `method` (by any bot and to any chat, or the given ones) with this error. */
  failNext(
    method: string,
    error: TelegramErrorBody,
    options: { token?: string; chatId?: number } = {},
  ): void {
    this.failures.push({ method, token: options.token, chatId: options.chatId, error });
  }

  /** How many calls are recorded so far: compare with `index` to look only at later ones. */
  mark(): number {
    return this.calls.length;
  }

  /** Successful sendMessage / editMessageText calls, optionally only those from `from` on. */
  sent(from = 0): RecordedCall[] {
    return this.calls
      .slice(from)
      .filter((c) => c.error === undefined && (c.method === 'sendMessage' || c.method === 'editMessageText'));
  }

  /** Resolves with the first recorded successful sendMessage or editMessageText matching `predicate`. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 20_000): Promise<RecordedCall> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.sent().find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = this.sent()
          .slice(-8)
          .map((c) => `${c.method} ${JSON.stringify(c.payload)}`);
        reject(new Error(`no matching message within ${timeoutMs} ms; last sent:\n${recent.join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => void check();
      if (check()) return;
      this.listeners.add(listener);
    });
  }

  /** Stops the server, ending any held long poll. */
  async close(): Promise<void> {
    for (const state of this.bots.values()) {
      for (const waiter of state.waiters) this.answerPoll(state, waiter);
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private state(token: string): BotState {
    let state = this.bots.get(token);
    if (state === undefined) {
      state = { updates: [], nextUpdateId: 100_001, waiters: new Set(), webhook: undefined };
      this.bots.set(token, state);
    }
    return state;
  }

  private enqueue(token: string, update: Update): void {
    const state = this.state(token);
    state.updates.push(update);
    for (const waiter of state.waiters) this.answerPoll(state, waiter);
  }

  private available(state: BotState, offset: number, limit: number): Update[] {
    // Telegram forgets every update before the offset the bot confirms.
    if (offset > 0) state.updates = state.updates.filter((u) => u.update_id >= offset);
    return state.updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  private answerPoll(state: BotState, waiter: Waiter): void {
    state.waiters.delete(waiter);
    clearTimeout(waiter.timer);
    if (!waiter.res.writableEnded) {
      reply(waiter.res, 200, { ok: true, result: this.available(state, waiter.offset, waiter.limit) });
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost');
    const match = METHOD_PATH.exec(path.pathname);
    readBody(req)
      .then((body) => {
        if (match === null) {
          reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
          return;
        }
        const [, token, method] = match as unknown as [string, string, string];
        const payload = { ...Object.fromEntries(path.searchParams), ...parsePayload(req, body) };
        this.handle(token, method, payload, res);
      })
      .catch(() => reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: bad body' }));
  }

  private handle(token: string, method: string, payload: Payload, res: ServerResponse): void {
    const call: RecordedCall = { index: this.calls.length, token, method, payload, at: Date.now() };
    this.calls.push(call);
    const failureIndex = this.failures.findIndex(
      (f) =>
        f.method === method &&
        (f.token === undefined || f.token === token) &&
        (f.chatId === undefined || f.chatId === toInt(payload.chat_id, NaN)),
    );
    if (failureIndex !== -1) {
      const [failure] = this.failures.splice(failureIndex, 1);
      this.fail(call, res, failure!.error);
      return;
    }
    try {
      if (method === 'getUpdates') {
        this.getUpdates(token, payload, res);
        return;
      }
      const result = this.result(token, method, payload);
      if (result === undefined) {
        this.fail(call, res, { error_code: 404, description: 'Not Found: method not found' });
        return;
      }
      call.result = result;
      reply(res, 200, { ok: true, result });
      for (const listener of [...this.listeners]) listener();
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      this.fail(call, res, { error_code: 400, description: `Bad Request: ${error.message}` });
    }
  }

  private fail(call: RecordedCall, res: ServerResponse, error: TelegramErrorBody): void {
    call.error = error;
    reply(res, error.error_code, { ok: false, ...error });
  }

  private getUpdates(token: string, payload: Payload, res: ServerResponse): void {
    const state = this.state(token);
    const offset = toInt(payload.offset, 0);
    const limit = Math.min(100, Math.max(1, toInt(payload.limit, 100)));
    const timeout = Math.max(0, toInt(payload.timeout, 0));
    const ready = this.available(state, offset, limit);
    if (ready.length > 0 || timeout === 0) {
      reply(res, 200, { ok: true, result: ready });
      return;
    }
    const waiter: Waiter = {
      res,
      offset,
      limit,
      timer: setTimeout(() => this.answerPoll(state, waiter), timeout * 1000),
    };
    state.waiters.add(waiter);
    // The bot gave up on this poll (stopping): forget it.
    res.on('close', () => {
      state.waiters.delete(waiter);
      clearTimeout(waiter.timer);
    });
  }

  /** A method's result, undefined for a method this server does not know. */
  private result(token: string, method: string, payload: Payload): unknown {
    switch (method) {
      case 'getMe':
        return { ...this.botUser(token), can_join_groups: true, can_read_all_group_messages: false };
      case 'deleteWebhook':
        this.state(token).webhook = undefined;
        return true;
      case 'setWebhook': {
        const url = requireString(payload, 'url');
        const secret = typeof payload.secret_token === 'string' ? payload.secret_token : undefined;
        this.state(token).webhook = { url, ...(secret !== undefined && { secret_token: secret }) };
        return true;
      }
      case 'setMyCommands':
        if (!Array.isArray(payload.commands)) throw new BadRequest('commands must be an array');
        return true;
      case 'answerCallbackQuery':
        requireString(payload, 'callback_query_id');
        return true;
      case 'sendMessage':
        return this.sendMessage(token, payload);
      case 'editMessageText':
        return this.editMessageText(payload);
      default:
        return undefined;
    }
  }

  private sendMessage(token: string, payload: Payload): Message.TextMessage {
    const chatId = requireChatId(payload);
    const text = requireString(payload, 'text');
    if (text.trim() === '') throw new BadRequest('message text is empty');
    if (text.length > 4096) throw new BadRequest('message is too long');
    const markup = inlineMarkup(payload.reply_markup);
    const message: Message.TextMessage = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: this.chatOf(chatId),
      from: this.botUser(token),
      text,
      ...(markup !== undefined && { reply_markup: markup }),
    };
    this.messages.set(messageKey(chatId, message.message_id), message);
    return message;
  }

  private editMessageText(payload: Payload): Message.TextMessage {
    const chatId = requireChatId(payload);
    const messageId = toInt(payload.message_id, NaN);
    const text = requireString(payload, 'text');
    const existing = this.messages.get(messageKey(chatId, messageId));
    if (existing === undefined) throw new BadRequest('message to edit not found');
    const markup = inlineMarkup(payload.reply_markup);
    if (existing.text === text && JSON.stringify(existing.reply_markup) === JSON.stringify(markup)) {
      throw new BadRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    const { reply_markup: _old, ...rest } = existing;
    const edited: Message.TextMessage = {
      ...rest,
      text,
      edit_date: Math.floor(Date.now() / 1000),
      ...(markup !== undefined && { reply_markup: markup }),
    };
    this.messages.set(messageKey(chatId, messageId), edited);
    return edited;
  }

  private chatOf(chatId: number): Chat {
    for (const message of this.messages.values()) if (message.chat.id === chatId) return message.chat;
    for (const state of this.bots.values()) {
      for (const update of state.updates) {
        if ('message' in update && update.message.chat.id === chatId) return update.message.chat;
      }
    }
    return chatId > 0
      ? { id: chatId, type: 'private', first_name: 'User' }
      : { id: chatId, type: 'group', title: 'Group' };
  }
}

/** The inline keyboard of a recorded sendMessage/editMessageText, flattened. */
export function buttonsOf(call: RecordedCall): InlineButton[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

export const textOf = (call: RecordedCall): string => String(call.payload.text ?? '');

/** The message id Telegram gave a recorded sendMessage (or the edited message's id). */
export function messageIdOf(call: RecordedCall): number {
  const result = call.result as { message_id?: number } | undefined;
  if (result?.message_id === undefined) throw new Error(`${call.method} has no message id`);
  return result.message_id;
}

class BadRequest extends Error {}

const messageKey = (chatId: number, messageId: number) => `${chatId}:${messageId}`;

function asUser(user: TgUser): User {
  return {
    id: user.id,
    is_bot: false,
    first_name: user.first_name,
    ...(user.last_name !== undefined && { last_name: user.last_name }),
    ...(user.username !== undefined && { username: user.username }),
    ...(user.language_code !== undefined && { language_code: user.language_code }),
  };
}

function privateChat(user: TgUser): Chat.PrivateChat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...(user.last_name !== undefined && { last_name: user.last_name }),
    ...(user.username !== undefined && { username: user.username }),
  };
}

function requireString(payload: Payload, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${field} is required`);
  return value;
}

function requireChatId(payload: Payload): number {
  const id = toInt(payload.chat_id, NaN);
  if (!Number.isSafeInteger(id)) throw new BadRequest('chat not found');
  return id;
}

function toInt(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return fallback;
}

function inlineMarkup(value: unknown): Message.TextMessage['reply_markup'] {
  const markup = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (markup === undefined || markup === null) return undefined;
  const keyboard = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(keyboard)) return undefined;
  return markup as Message.TextMessage['reply_markup'];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON, urlencoded or multipart (text fields) bodies, as the Bot API accepts them. */
function parsePayload(req: IncomingMessage, body: string): Payload {
  const type = req.headers['content-type'] ?? '';
  if (body === '') return {};
  if (type.startsWith('application/json')) return JSON.parse(body) as Payload;
  if (type.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(body));
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.startsWith('multipart/form-data') && boundary !== null) {
    const fields: Payload = {};
    for (const part of body.split(`--${boundary[1] ?? boundary[2]}`)) {
      const name = /name="([^"]+)"/.exec(part);
      const split = part.indexOf('\r\n\r\n');
      if (name === null || split === -1) continue;
      fields[name[1]!] = part.slice(split + 4).replace(/\r\n$/, '');
    }
    return fields;
  }
  throw new Error(`unsupported content type ${type}`);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A fresh Telegram user; ids start above 2^32 as many real ones do now. */
let userCounter = 0;
export function newTelegramUser(firstName: string): TgUser {
  const n = ++userCounter;
  return {
    id: 5_000_000_000 + n,
    first_name: firstName,
    username: `${firstName.toLowerCase()}_${n}`,
    language_code: 'en',
  };
}
