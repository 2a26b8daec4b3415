import { col, shape, type Row, type RowOf } from '../../db/rows.js';
import { ACCOUNT, type AccountRow } from '../account/account.read.js';
import { USER, type UserRow } from '../auth/user.read.js';
import { CATEGORY, type CategoryRow } from '../category/category.read.js';
import type { TransactionKind } from './transaction.entity.js';

/** The GraphQL `Transaction`'s own fields: amounts in minor units of their currencies. */
export const TRANSACTION = shape({
  id: col.text('id'),
  /** Insertion order; the tiebreaker that makes keyset pagination stable within a day. */
  seq: col.int64('seq'),
  kind: col.enum<TransactionKind>()('kind'),
  occurredOn: col.date('occurred_on'),
  note: col.textOrNull('note'),
  tags: col.texts('tags'),
  createdAt: col.timestamp('created_at'),
  updatedAt: col.timestamp('updated_at'),
  amount: col.bigint('amount'),
  currency: col.text('currency'),
  toAmount: col.bigintOrNull('to_amount'),
  toCurrency: col.textOrNull('to_currency'),
});

/**
 * A transaction and the related objects the query selected, read in the same statement (null when not
 * selected, or for a transfer's missing category and the like).
 */
export type TransactionRow = RowOf<typeof TRANSACTION> & {
  account: AccountRow | null;
  toAccount: AccountRow | null;
  category: CategoryRow | null;
  createdBy: UserRow | null;
  paidBy: UserRow | null;
};

/** The related objects a transaction can show, each one join. */
export const RELATIONS = ['account', 'toAccount', 'category', 'createdBy', 'paidBy'] as const;
export type Relation = (typeof RELATIONS)[number];

const JOINS: Record<Relation, { prefix: string; columns: string; join: string }> = {
  account: {
    prefix: 'a_',
    columns: ACCOUNT.select('a', 'a_'),
    join: 'join account a on a.id = t.account_id',
  },
  toAccount: {
    prefix: 'ta_',
    columns: ACCOUNT.select('ta', 'ta_'),
    join: 'left join account ta on ta.id = t.to_account_id',
  },
  category: {
    prefix: 'c_',
    columns: CATEGORY.select('c', 'c_'),
    join: 'left join category c on c.id = t.category_id',
  },
  createdBy: {
    prefix: 'cu_',
    columns: USER.select('cu', 'cu_'),
    join: 'join app_user cu on cu.id = t.created_by_id',
  },
  paidBy: {
    prefix: 'pu_',
    columns: USER.select('pu', 'pu_'),
    join: 'join app_user pu on pu.id = t.paid_by_id',
  },
};

const selects = new Map<string, string>();

/**
 * Transactions with the related objects in `include` joined in, in one statement; a caller appends
 * `where ...`, `order by ...`, `limit ...` on `t`. The rest stay unread (null in the row): a query that
 * does not select them never resolves them.
 */
export function selectTransactions(include: ReadonlySet<Relation> = ALL): string {
  const wanted = RELATIONS.filter((relation) => include.has(relation));
  const key = wanted.join();
  let sql = selects.get(key);
  if (sql === undefined) {
    sql = `select ${[TRANSACTION.select('t'), ...wanted.map((r) => JOINS[r].columns)].join(', ')}
             from ledger_transaction t ${wanted.map((r) => JOINS[r].join).join(' ')}`;
    selects.set(key, sql);
  }
  return sql;
}

const ALL: ReadonlySet<Relation> = new Set(RELATIONS);

export function transactionFromRow(row: Row): TransactionRow {
  const related = <T>(relation: Relation, read: (row: Row, prefix: string) => T): T | null =>
    row[`${JOINS[relation].prefix}id`] == null ? null : read(row, JOINS[relation].prefix);
  return Object.assign(TRANSACTION.read(row), {
    account: related('account', ACCOUNT.read),
    toAccount: related('toAccount', ACCOUNT.read),
    category: related('category', CATEGORY.read),
    createdBy: related('createdBy', USER.read),
    paidBy: related('paidBy', USER.read),
  });
}
