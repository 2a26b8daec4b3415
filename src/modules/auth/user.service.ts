import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, unauthenticated } from '../../shared/errors.js';
import type { Principal } from './auth.service.js';
import { User } from './user.entity.js';
import { readUser, type UserRow } from './user.read.js';

/** The languages the clients reply in (the bot: English and Russian). */
export const SUPPORTED_LANGUAGES = ['en', 'ru'] as const;

/** Users as GraphQL shows them; needs no signed-in caller (a sign-in's answer shows its user). */
export class UserService {
  constructor(private readonly em: EntityManager) {}

  async me(principal: Principal): Promise<UserRow> {
    const user = await readUser(this.em, principal.userId);
    if (user === null) throw unauthenticated('This account no longer exists.');
    return user;
  }

  /** Stores the caller's reply language; anything but a supported code is BAD_USER_INPUT on `language`. */
  async setLanguage(principal: Principal, language: string): Promise<UserRow> {
    const code = language.trim().toLowerCase();
    if (!(SUPPORTED_LANGUAGES as readonly string[]).includes(code)) {
      throw badInput('language', `Supported languages: ${SUPPORTED_LANGUAGES.join(', ')}.`);
    }
    await this.em.nativeUpdate(User, { id: principal.userId }, { language: code });
    return this.me(principal);
  }

  /** A user by id, e.g. after a write changed them. */
  async get(userId: string): Promise<UserRow> {
    return (await readUser(this.em, userId))!;
  }
}
