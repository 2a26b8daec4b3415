import { columns, timestamp, type Row } from '../../db/rows.js';
import { accountColumns, accountFromRow, type AccountView } from '../account/account.read.js';
import { userColumns, userFromRow, type UserView } from '../auth/user.read.js';
import { categoryColumns, categoryFromRow, type CategoryView } from '../category/category.read.js';
import type { LedgerTransaction, TransactionKind } from './transaction.entity.js';

/** The GraphQL `Transaction`: the row's own fields, and the related objects a list shows, already loaded. */
export type TransactionView = Pick<
  LedgerTransaction,
  | 'id'
  | 'seq'
  | 'kind'
  | 'occurredOn'
  | 'note'
  | 'tags'
  | 'createdAt'
  | 'updatedAt'
  | 'amount'
  | 'currency'
  | 'toAmount'
  | 'toCurrency'
> & {
  account: AccountView;
  toAccount: AccountView | null;
  category: CategoryView | null;
  createdBy: UserView;
  paidBy: UserView;
};

/**
 * Transactions with everything their GraphQL type can show, in one statement; a caller appends
 * `where ...`, `order by ...`, `limit ...` on `t`.
 */
export const SELECT_TRANSACTIONS = `
  select ${columns('t', '', [
    'id',
    'seq::text',
    'kind',
    'occurred_on::text',
    'amount::text',
    'currency',
    'to_amount::text',
    'to_currency',
    'note',
    'tags',
    'created_at',
    'updated_at',
  ])},
         ${accountColumns('a', 'a_')}, ${accountColumns('ta', 'ta_')}, ${categoryColumns('c', 'c_')},
         ${userColumns('cu', 'cu_')}, ${userColumns('pu', 'pu_')}
    from ledger_transaction t
    join account a on a.id = t.account_id
    left join account ta on ta.id = t.to_account_id
    left join category c on c.id = t.category_id
    join app_user cu on cu.id = t.created_by_id
    join app_user pu on pu.id = t.paid_by_id`;

export function transactionFromRow(row: Row): TransactionView {
  const toAmount = row.to_amount as string | null;
  return {
    id: row.id as string,
    seq: row.seq as string,
    kind: row.kind as TransactionKind,
    occurredOn: row.occurred_on as string,
    note: row.note as string | null,
    tags: row.tags as string[],
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
    amount: BigInt(row.amount as string),
    currency: row.currency as string,
    toAmount: toAmount === null ? null : BigInt(toAmount),
    toCurrency: row.to_currency as string | null,
    account: accountFromRow(row, 'a_'),
    toAccount: row.ta_id === null ? null : accountFromRow(row, 'ta_'),
    category: row.c_id === null ? null : categoryFromRow(row, 'c_'),
    createdBy: userFromRow(row, 'cu_'),
    paidBy: userFromRow(row, 'pu_'),
  };
}
