import { columns, timestamp, type Row } from '../../db/rows.js';
import { accountColumns, accountFromRow, type AccountView } from '../account/account.read.js';
import { userColumns, userFromRow, type UserView } from '../auth/user.read.js';
import { categoryColumns, categoryFromRow, type CategoryView } from '../category/category.read.js';
import type { LedgerTransaction, TransactionKind } from './transaction.entity.js';

/**
 * The GraphQL `Transaction`: the row's own fields, and the related objects the query selected, read in
 * the same statement (null when not selected, or for a transfer's missing category and the like).
 */
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
  account: AccountView | null;
  toAccount: AccountView | null;
  category: CategoryView | null;
  createdBy: UserView | null;
  paidBy: UserView | null;
};

/** The related objects a transaction can show, each one join. */
export const RELATIONS = ['account', 'toAccount', 'category', 'createdBy', 'paidBy'] as const;
export type Relation = (typeof RELATIONS)[number];

const JOINS: Record<Relation, { columns: string; join: string }> = {
  account: { columns: accountColumns('a', 'a_'), join: 'join account a on a.id = t.account_id' },
  toAccount: {
    columns: accountColumns('ta', 'ta_'),
    join: 'left join account ta on ta.id = t.to_account_id',
  },
  category: { columns: categoryColumns('c', 'c_'), join: 'left join category c on c.id = t.category_id' },
  createdBy: { columns: userColumns('cu', 'cu_'), join: 'join app_user cu on cu.id = t.created_by_id' },
  paidBy: { columns: userColumns('pu', 'pu_'), join: 'join app_user pu on pu.id = t.paid_by_id' },
};

const TRANSACTION_COLUMNS = columns('t', '', [
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
]);

const selects = new Map<string, string>();

/**
 * Transactions with the related objects in `include` joined in, in one statement; a caller appends
 * `where ...`, `order by ...`, `limit ...` on `t`. The rest stay unread (null in the view): a query that
 * does not select them never resolves them.
 */
export function selectTransactions(include: ReadonlySet<Relation> = ALL): string {
  const wanted = RELATIONS.filter((relation) => include.has(relation));
  const key = wanted.join();
  let sql = selects.get(key);
  if (sql === undefined) {
    sql = `select ${[TRANSACTION_COLUMNS, ...wanted.map((r) => JOINS[r].columns)].join(', ')}
             from ledger_transaction t ${wanted.map((r) => JOINS[r].join).join(' ')}`;
    selects.set(key, sql);
  }
  return sql;
}

const ALL: ReadonlySet<Relation> = new Set(RELATIONS);

export function transactionFromRow(row: Row): TransactionView {
  const toAmount = row.to_amount as string | null;
  return {
    id: row.id as string,
    seq: row.seq as string,
    kind: row.kind as TransactionKind,
    occurredOn: row.occurred_on as string,
    note: row.note as string | null,
    tags: row.tags as string[],
    get createdAt() {
      return timestamp(row.created_at);
    },
    get updatedAt() {
      return timestamp(row.updated_at);
    },
    amount: BigInt(row.amount as string),
    currency: row.currency as string,
    toAmount: toAmount === null ? null : BigInt(toAmount),
    toCurrency: row.to_currency as string | null,
    account: row.a_id == null ? null : accountFromRow(row, 'a_'),
    toAccount: row.ta_id == null ? null : accountFromRow(row, 'ta_'),
    category: row.c_id == null ? null : categoryFromRow(row, 'c_'),
    createdBy: row.cu_id == null ? null : userFromRow(row, 'cu_'),
    paidBy: row.pu_id == null ? null : userFromRow(row, 'pu_'),
  };
}
