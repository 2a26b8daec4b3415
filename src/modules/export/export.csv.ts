import { formatAmount } from '../../shared/money.js';
import type { TransactionRow } from '../transaction/transaction.read.js';

/** The columns of `transactions.csv`, in order (docs/export-format.md). */
export const CSV_COLUMNS = [
  'date',
  'kind',
  'amount',
  'currency',
  'account',
  'to_amount',
  'to_currency',
  'to_account',
  'category',
  'note',
  'tags',
  'paid_by',
  'created_by',
  'id',
] as const;

/**
 * OWASP's CSV-injection rule: a cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return) gets a leading `'`, so it is shown as text. Every cell goes through
 * here, amounts included: amounts are stored positive and the kind carries the direction, so a real
 * amount never starts with `-` and stays a number.
 */
export const neutralise = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

const name = (user: { firstName: string; lastName: string | null } | null): string =>
  user === null ? '' : [user.firstName, user.lastName].filter(Boolean).join(' ');

/** One transaction as a CSV record, every cell already neutralised. */
export function csvRecord(t: TransactionRow): string[] {
  return [
    t.occurredOn,
    t.kind,
    formatAmount(t.amount, t.currency),
    t.currency,
    t.account?.name ?? '',
    t.toAmount === null || t.toCurrency === null ? '' : formatAmount(t.toAmount, t.toCurrency),
    t.toCurrency ?? '',
    t.toAccount?.name ?? '',
    t.category?.name ?? '',
    t.note ?? '',
    t.tags.join(', '),
    name(t.paidBy),
    name(t.createdBy),
    t.id,
  ].map((cell) => neutralise(String(cell)));
}
