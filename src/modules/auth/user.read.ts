import { columns, timestamp, type Row } from '../../db/rows.js';
import type { User } from './user.entity.js';

/** The fields of the GraphQL `User` type: a User entity has them, and so does a mapped row. */
export type UserView = Pick<
  User,
  'id' | 'email' | 'telegramId' | 'emailVerified' | 'firstName' | 'lastName' | 'createdAt'
>;

const COLUMNS = [
  'id',
  'email',
  'telegram_id::text',
  'email_verified',
  'first_name',
  'last_name',
  'created_at',
] as const;

/** The columns `userFromRow` reads, from the table aliased `alias`, prefixed `prefix`. */
export const userColumns = (alias: string, prefix = ''): string => columns(alias, prefix, COLUMNS);

export function userFromRow(row: Row, prefix = ''): UserView {
  return {
    id: row[`${prefix}id`] as string,
    email: row[`${prefix}email`] as string | null,
    telegramId: row[`${prefix}telegram_id`] as string | null,
    emailVerified: row[`${prefix}email_verified`] as boolean,
    firstName: row[`${prefix}first_name`] as string,
    lastName: row[`${prefix}last_name`] as string | null,
    get createdAt() {
      return timestamp(row[`${prefix}created_at`]);
    },
  };
}
