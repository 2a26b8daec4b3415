import { uuidArray } from '../../db/sql.js';
import { parseLocalDate } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';
import { parseAmount } from '../../shared/money.js';
import { isUuid } from '../family/family-access.js';
import type { FamilyId } from '../family/family-id.js';
import type { TransactionFilter } from './transaction.inputs.js';

/** A conjunction of SQL conditions with their `?` parameters, in order. */
export class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  constructor(condition: string, ...params: unknown[]) {
    this.add(condition, ...params);
  }

  add(condition: string, ...params: unknown[]): void {
    this.parts.push(condition);
    this.params.push(...params);
  }

  get sql(): string {
    return this.parts.join(' and ');
  }
}

/**
 * Adds a list filter's conditions on the transactions aliased `t` of `family`. Amount bounds are
 * decimals, so they need the family's currencies (each has its own minor units).
 */
export function addFilter(
  where: Conditions,
  family: FamilyId,
  filter: TransactionFilter,
  currencies: readonly string[],
): void {
  const ids = (values: string[], field: string) => {
    if (values.length > 100) throw badInput(field, 'At most 100 ids.');
    // An id that cannot exist matches nothing; it must not reach PostgreSQL as a cast error.
    return uuidArray(values.filter(isUuid));
  };
  if (filter.accountIds != null) {
    const accountIds = ids(filter.accountIds, 'filter.accountIds');
    where.add('(t.account_id = any(?::uuid[]) or t.to_account_id = any(?::uuid[]))', accountIds, accountIds);
  }
  if (filter.categoryIds != null) {
    // A parent category stands for its children too.
    const roots = ids(filter.categoryIds, 'filter.categoryIds');
    where.add(
      `t.category_id in (select c.id from category c
                          where c.family_id = ? and (c.id = any(?::uuid[]) or c.parent_id = any(?::uuid[])))`,
      family,
      roots,
      roots,
    );
  }
  if (filter.memberIds != null)
    where.add('t.paid_by_id = any(?::uuid[])', ids(filter.memberIds, 'filter.memberIds'));
  if (filter.kinds != null)
    where.add(filter.kinds.length === 0 ? 'false' : 't.kind in (?)', [...filter.kinds]);
  if (filter.dateFrom != null)
    where.add('t.occurred_on >= ?', parseLocalDate(filter.dateFrom, 'filter.dateFrom'));
  if (filter.dateTo != null) where.add('t.occurred_on <= ?', parseLocalDate(filter.dateTo, 'filter.dateTo'));
  if (filter.amountMin != null || filter.amountMax != null) {
    const byCurrency = currencies.map((currency) => {
      const bounds = new Conditions('t.currency = ?', currency);
      if (filter.amountMin != null)
        bounds.add(
          't.amount >= ?',
          parseAmount(filter.amountMin, currency, 'filter.amountMin', { allowZero: true }).toString(),
        );
      if (filter.amountMax != null)
        bounds.add(
          't.amount <= ?',
          parseAmount(filter.amountMax, currency, 'filter.amountMax', { allowZero: true }).toString(),
        );
      return bounds;
    });
    where.add(
      byCurrency.length === 0 ? 'false' : `(${byCurrency.map((b) => `(${b.sql})`).join(' or ')})`,
      ...byCurrency.flatMap((b) => b.params),
    );
  }
  if (filter.noteContains != null && filter.noteContains.trim() !== '') {
    const text = filter.noteContains.trim();
    if (text.length > 100) throw badInput('filter.noteContains', 'At most 100 characters.');
    where.add(`t.note ilike ? escape '\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
}

/** Whether the filter bounds amounts, and so needs the family's currencies. */
export const boundsAmounts = (filter: TransactionFilter | null | undefined): boolean =>
  filter != null && (filter.amountMin != null || filter.amountMax != null);
