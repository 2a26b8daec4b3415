import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { readTelegramGroup, type TelegramGroupRow } from './telegram-group.read.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { uuidArray } from '../../db/sql.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { AppError, ErrorCode, badInput, conflict, notFound } from '../../shared/errors.js';
import type { AuthPayload } from '../auth/auth.inputs.js';
import type { AuthService, Principal, RequestMeta } from '../auth/auth.service.js';
import { normalizeEmail, normalizeName } from '../auth/auth.validation.js';
import { assertAcceptablePassword, hashPassword } from '../auth/password.js';
import { User } from '../auth/user.entity.js';
import { createPersonalFamily } from '../family/personal-family.js';
import { Notification } from '../notification/notification.entity.js';
import { NotificationKind } from '../notification/notification-kind.js';
import type {
  BindingInfo,
  BindingStart,
  BindingStartInput,
  BotNotification,
  SetEmailPasswordInput,
  TelegramRegisterInput,
} from './telegram.inputs.js';

/** T4: a link code lives 10 minutes. */
export const BINDING_TTL_SECONDS = 600;
/** How long a bot replica may take to deliver what it fetched before another replica may try. */
const DELIVERY_LEASE_SECONDS = 60;

const TELEGRAM_ID = /^[1-9]\d{0,18}$/;
const CHAT_ID = /^-?[1-9]\d{0,18}$/;
const USERNAME = /^[A-Za-z0-9_]{1,32}$/;
const INT64_MAX = 9223372036854775807n;

interface PendingRow {
  id: string;
  seq: string;
  kind: NotificationKind;
  payload: Record<string, unknown> | string;
  created_at: Date;
  telegram_id: string;
}

interface PendingBinding {
  telegramId: string;
  chatId: string;
  firstName: string;
  lastName: string | null;
  username: string | null;
  /** Epoch ms; checked against the app clock as well as the store's TTL. */
  expiresAt: number;
}

const bindingKey = (codeHash: string) => `binding:code:${codeHash}`;
const bindingByTelegramKey = (telegramId: string) => `binding:telegram:${telegramId}`;
const invalidCode = () =>
  new AppError(
    ErrorCode.NOT_FOUND,
    'This link code is invalid or has expired. Send /link to the bot for a new one.',
  );

/** Telegram identity: one-tap registration, linking to an email account, and the bot's outbox (T1-T5). */
export class TelegramService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly auth: AuthService,
  ) {}

  /** The family a Telegram group is connected to, for the bot; null when it is not connected. */
  group(chatId: string): Promise<TelegramGroupRow | null> {
    return readTelegramGroup(this.em, parseChatId(chatId, 'chatId'));
  }

  /** Creates a Telegram-only user with a personal family, or signs in the existing one (idempotent). */
  async register(input: TelegramRegisterInput, meta: RequestMeta): Promise<AuthPayload> {
    const telegramId = parseTelegramId(input.telegramId, 'input.telegramId');
    parseChatId(input.chatId, 'input.chatId');
    const existing = await this.em.findOne(User, { telegramId });
    if (existing !== null) return this.auth.startSession(existing, meta, 'telegram');
    const now = this.deps.clock.now();
    const user = this.em.create(User, {
      telegramId,
      firstName: normalizeName(input.firstName, 'input.firstName', true)!,
      lastName: normalizeName(input.lastName, 'input.lastName', false),
      createdAt: now,
    });
    createPersonalFamily(this.em, user, this.deps.config.defaultCurrency, now);
    try {
      await this.em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      // The same Telegram user registered twice at once: both get the one account.
      this.em.clear();
      return this.auth.startSession(await this.em.findOneOrFail(User, { telegramId }), meta, 'telegram');
    }
    return this.auth.startSession(user, meta, 'telegram');
  }

  /** Fresh tokens for a known Telegram user, so the bot recovers when its stored tokens are gone. */
  async login(rawTelegramId: string, meta: RequestMeta): Promise<AuthPayload> {
    const telegramId = parseTelegramId(rawTelegramId, 'telegramId');
    const user = await this.em.findOne(User, { telegramId });
    if (user === null) throw notFound('Telegram user');
    return this.auth.startSession(user, meta, 'telegram');
  }

  /** Issues a single-use link code (T4); a new code for the same Telegram user replaces the old one. */
  async bindingStart(input: BindingStartInput): Promise<BindingStart> {
    const pending: PendingBinding = {
      telegramId: parseTelegramId(input.telegramId, 'input.telegramId'),
      chatId: parseChatId(input.chatId, 'input.chatId'),
      firstName: normalizeName(input.firstName, 'input.firstName', true)!,
      lastName: normalizeName(input.lastName, 'input.lastName', false),
      username: parseUsername(input.username),
      expiresAt: this.deps.clock.now().getTime() + BINDING_TTL_SECONDS * 1000,
    };
    const code = randomToken(16);
    const codeHash = sha256Hex(code);
    const previous = await this.deps.kv.getDelete(bindingByTelegramKey(pending.telegramId));
    if (previous !== null) await this.deps.kv.delete(bindingKey(previous));
    await this.deps.kv.set(bindingKey(codeHash), JSON.stringify(pending), BINDING_TTL_SECONDS);
    await this.deps.kv.set(bindingByTelegramKey(pending.telegramId), codeHash, BINDING_TTL_SECONDS);
    return {
      code,
      url: `${this.deps.config.publicUrl}/link#code=${code}`,
      expiresAt: new Date(pending.expiresAt),
    };
  }

  /** Which Telegram account a code would link, for the confirmation page. Does not use the code up. */
  async bindingInfo(code: string): Promise<BindingInfo> {
    const pending = this.live(await this.deps.kv.get(bindingKey(hashCode(code))));
    return { ...pending, expiresAt: new Date(pending.expiresAt) };
  }

  /** Throws the code away (the user pressed Cancel on the page). */
  async bindingCancel(code: string): Promise<boolean> {
    const raw = await this.deps.kv.getDelete(bindingKey(hashCode(code)));
    if (raw !== null)
      await this.deps.kv.delete(bindingByTelegramKey((JSON.parse(raw) as PendingBinding).telegramId));
    return raw !== null;
  }

  /**
   * Links the code's Telegram account to the signed-in user (T4, T5). The code is consumed atomically,
   * so of two concurrent confirmations exactly one gets it. The bot hears about it through the outbox.
   */
  async bindingConfirm(principal: Principal, code: string): Promise<void> {
    const pending = this.live(await this.deps.kv.getDelete(bindingKey(hashCode(code))));
    await this.deps.kv.delete(bindingByTelegramKey(pending.telegramId));
    let linked: Notification | undefined;
    try {
      await this.em.transactional(async (em) => {
        const user = await em.findOneOrFail(User, principal.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (user.telegramId === pending.telegramId) return;
        if (user.telegramId !== null) {
          throw conflict('Your account is already linked to another Telegram account. Unlink it first.');
        }
        if ((await em.count(User, { telegramId: pending.telegramId })) > 0) throw telegramTaken();
        user.telegramId = pending.telegramId;
        const now = this.deps.clock.now();
        linked = em.create(Notification, {
          user,
          kind: NotificationKind.TELEGRAM_LINKED,
          payload: { chatId: pending.chatId, telegramId: pending.telegramId, firstName: user.firstName },
          dedupeKey: `telegram_linked:${user.id}:${pending.telegramId}:${now.getTime()}`,
          createdAt: now,
        });
        await em.flush();
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw telegramTaken();
      throw error;
    }
    this.em.clear();
    if (linked !== undefined) {
      this.deps.live.publish('notificationAdded', principal.userId, {
        id: linked.id,
        userId: principal.userId,
        familyId: null,
        kind: linked.kind,
        payload: linked.payload,
        createdAt: linked.createdAt.toISOString(),
      });
    }
  }

  /** Lets a Telegram-first user add email + password; email login works once the address is confirmed. */
  async setEmailPassword(principal: Principal, input: SetEmailPasswordInput): Promise<void> {
    const email = normalizeEmail(input.email, 'input.email');
    assertAcceptablePassword(input.password, 'input.password');
    const user = await this.em.findOneOrFail(User, principal.userId, { populate: ['passwordHash'] });
    if (user.email !== null) throw conflict('This account already has an email address.', 'input.email');
    if ((await this.em.count(User, { email })) > 0) {
      throw conflict('An account with this email already exists.', 'input.email');
    }
    user.email = email;
    // A new address signs in only once its owner has confirmed it (E3).
    user.emailVerified = false;
    user.passwordHash = await hashPassword(input.password);
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw conflict('An account with this email already exists.', 'input.email');
      }
      throw error;
    }
    this.deps.accountMail.sendVerification(user.id);
  }

  /** Unlinks Telegram and ends the sessions the bot held for this user. */
  async unlink(principal: Principal): Promise<boolean> {
    const user = await this.em.findOneOrFail(User, principal.userId);
    if (user.telegramId === null) return false;
    if (user.email === null) {
      throw conflict(
        'Add an email and password first (setEmailPassword), or you could not sign in any more.',
      );
    }
    if (!user.emailVerified) {
      throw conflict(
        'Confirm your email address first (the link we mailed to it), or you could not sign in any more.',
      );
    }
    user.telegramId = null;
    await this.em.flush();
    await this.auth.revokeSessionsVia(user.id, 'telegram', 'telegram-unlinked');
    return true;
  }

  /**
   * Undelivered notifications of users who have Telegram, oldest first, leased to this caller for a
   * minute so that another bot replica does not send them too.
   */
  async pendingNotifications(limit: number): Promise<BotNotification[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw badInput('limit', 'Limit must be 1 to 100.');
    const now = this.deps.clock.now();
    const rows: PendingRow[] = await this.em.execute(
      `update notification n
            set leased_until = ?::timestamptz + make_interval(secs => ?)
           from app_user u
          where u.id = n.user_id
            and n.id in (
              select n2.id from notification n2 join app_user u2 on u2.id = n2.user_id
               where n2.delivered_at is null and u2.telegram_id is not null
                 and (n2.leased_until is null or n2.leased_until < ?::timestamptz)
               order by n2.seq
               limit ?
               for update of n2 skip locked)
        returning n.id, n.seq::text as seq, n.kind, n.payload, n.created_at, u.telegram_id::text as telegram_id`,
      [now.toISOString(), DELIVERY_LEASE_SECONDS, now.toISOString(), limit],
    );
    // UPDATE ... RETURNING does not keep the subquery's order.
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((row) => ({
        id: row.id,
        kind: row.kind,
        telegramId: row.telegram_id,
        payload:
          typeof row.payload === 'string'
            ? (JSON.parse(row.payload) as Record<string, unknown>)
            : row.payload,
        createdAt: new Date(row.created_at),
      }));
  }

  /** Marks notifications delivered; returns how many were still pending. */
  async acknowledge(ids: string[]): Promise<number> {
    if (ids.length > 100) throw badInput('ids', 'At most 100 ids.');
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (valid.length === 0) return 0;
    const result = await this.em.execute(
      `update notification set delivered_at = ? where id = any(?::uuid[]) and delivered_at is null`,
      [this.deps.clock.now().toISOString(), uuidArray(valid)],
      'run',
    );
    return (result as { affectedRows?: number }).affectedRows ?? 0;
  }

  private live(raw: string | null): PendingBinding {
    if (raw === null) throw invalidCode();
    const pending = JSON.parse(raw) as PendingBinding;
    if (pending.expiresAt <= this.deps.clock.now().getTime()) throw invalidCode();
    return pending;
  }
}

const telegramTaken = () =>
  conflict('This Telegram account is already linked to another user. Unlink it there first.');

/** Codes are base64url of 16 bytes; anything else cannot be one (and is not worth a store lookup). */
function hashCode(code: string): string {
  const trimmed = code.trim();
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(trimmed)) throw invalidCode();
  return sha256Hex(trimmed);
}

export function parseTelegramId(value: string, field: string): string {
  if (!TELEGRAM_ID.test(value) || BigInt(value) > INT64_MAX) throw badInput(field, 'Not a Telegram user id.');
  return value;
}

export function parseChatId(value: string, field: string): string {
  if (!CHAT_ID.test(value) || BigInt(value) > INT64_MAX || BigInt(value) < -INT64_MAX) {
    throw badInput(field, 'Not a Telegram chat id.');
  }
  return value;
}

function parseUsername(value: string | null | undefined): string | null {
  if (value == null || value === '') return null;
  const username = value.replace(/^@/, '');
  if (!USERNAME.test(username)) throw badInput('input.username', 'Not a Telegram username.');
  return username;
}
