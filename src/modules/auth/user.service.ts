import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../shared/errors.js';
import type { Principal } from './auth.service.js';
import { readUser, type UserRow } from './user.read.js';

/** Users as GraphQL shows them; needs no signed-in caller (a sign-in's answer shows its user). */
export class UserService {
  constructor(private readonly em: EntityManager) {}

  async me(principal: Principal): Promise<UserRow> {
    const user = await readUser(this.em, principal.userId);
    if (user === null) throw unauthenticated('This account no longer exists.');
    return user;
  }

  /** A user by id, e.g. after a write changed them. */
  async get(userId: string): Promise<UserRow> {
    return (await readUser(this.em, userId))!;
  }
}
