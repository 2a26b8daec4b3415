import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';
import type { AccountType } from './account.entity.js';

/** The GraphQL `Account` as the read layer hands it over: balances in minor units of `currency`. */
export const ACCOUNT = shape({
  id: col.text('id'),
  name: col.text('name'),
  type: col.enum<AccountType>()('type'),
  currency: col.text('currency'),
  archived: col.bool('archived'),
  createdAt: col.timestamp('created_at'),
  balance: col.bigint('balance'),
  openingBalance: col.bigint('opening_balance'),
});

export type AccountRow = RowOf<typeof ACCOUNT>;

export const ACCOUNTS: FamilyTable<AccountRow> = { table: 'account', shape: ACCOUNT };
