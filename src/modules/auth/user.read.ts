import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type RowOf } from '../../db/rows.js';
import { User } from './user.entity.js';

/** The GraphQL `User` as the read layer hands it over, wherever it is read (alone or joined). */
export const USER = shape({
  id: col.text('id'),
  email: col.textOrNull('email'),
  telegramId: col.int64OrNull('telegram_id'),
  emailVerified: col.bool('email_verified'),
  firstName: col.text('first_name'),
  lastName: col.textOrNull('last_name'),
  language: col.textOrNull('language'),
  createdAt: col.timestamp('created_at'),
  defaultFamilyId: col.textOrNull('default_family_id'),
});

export type UserRow = RowOf<typeof USER> & {
  /** Set on the user a sign-in answers with: the caller's own user, though the request carried no token. */
  own?: true;
};

/** The names the auth service reads users by: `UserRow`, `USER.select`, `USER.read`. */
export type UserView = UserRow;
export const userColumns = (alias: string, prefix = ''): string => USER.select(alias, prefix);
export const userFromRow = (row: Record<string, unknown>, prefix = ''): UserRow => USER.read(row, prefix);

/** A user by id (the caller's own, or one a family row points at). */
export async function readUser(em: EntityManager, id: string): Promise<UserRow | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select ${USER.select('u')} from app_user u where u.id = ?`,
    [id],
  );
  return row === undefined ? null : USER.read(row);
}

/** The row of a user the unit of work holds (a sign-up, a refresh): every field of `USER`, checked here. */
export function userFromEntity(user: User): UserRow {
  return {
    id: user.id,
    email: user.email,
    telegramId: user.telegramId,
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    language: user.language,
    createdAt: user.createdAt,
    defaultFamilyId: user.defaultFamily?.id ?? null,
  } satisfies RowOf<typeof USER>;
}

/** The user a sign-in answers with: the caller's own, though the request carried no token yet. */
export function ownUser(user: UserRow | User): UserRow {
  return Object.assign(user instanceof User ? userFromEntity(user) : user, { own: true as const });
}
