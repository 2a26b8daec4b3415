import { columns, timestamp, type Row } from '../../db/rows.js';
import type { Account, AccountType } from './account.entity.js';

/** The fields of the GraphQL `Account` type: an Account entity has them, and so does a mapped row. */
export type AccountView = Pick<
  Account,
  'id' | 'name' | 'type' | 'currency' | 'archived' | 'createdAt' | 'balance' | 'openingBalance'
>;

const COLUMNS = [
  'id',
  'name',
  'type',
  'currency',
  'archived',
  'created_at',
  'balance::text',
  'opening_balance::text',
] as const;

/** The columns `accountFromRow` reads, from the table aliased `alias`, prefixed `prefix`. */
export const accountColumns = (alias: string, prefix = ''): string => columns(alias, prefix, COLUMNS);

export function accountFromRow(row: Row, prefix = ''): AccountView {
  return {
    id: row[`${prefix}id`] as string,
    name: row[`${prefix}name`] as string,
    type: row[`${prefix}type`] as AccountType,
    currency: row[`${prefix}currency`] as string,
    archived: row[`${prefix}archived`] as boolean,
    get createdAt() {
      return timestamp(row[`${prefix}created_at`]);
    },
    balance: BigInt(row[`${prefix}balance`] as string),
    openingBalance: BigInt(row[`${prefix}opening_balance`] as string),
  };
}
