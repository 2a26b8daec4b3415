import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray } from '../../db/sql.js';
import { Amount, percentOf } from '../../shared/money.js';
import type { FamilySettings } from '../auth/caller.js';
import type { FamilyId } from '../family/family-id.js';
import { RateBook } from '../rate/rate-book.js';
import type { BudgetRow } from './budget.read.js';
import { childrenByParent } from '../category/category.read.js';
import type { BudgetStatus } from './budget.inputs.js';
import { periodContaining, periodKeySql, shiftPeriod, type Period } from './period.js';

/** What the caller has already read, so it is not read twice in one request. */
interface Known {
  /** Child category ids by parent id, of the whole family. */
  children?: Map<string, string[]>;
  /** The family's rates as of a day; used when that day is the period's last. */
  rates?: { asOf: string; book: RateBook };
  /** `spendingByPeriod` from one day to another; used when those are exactly the days needed. */
  spending?: { from: string; to: string; rows: SpendingRow[] };
}

/** Expense totals of one budget period, currency and category (not rolled up to parents). */
export interface SpendingRow {
  period: string;
  currency: string;
  category_id: string | null;
  spent: string;
}

/**
 * Computes each budget's standing in the period containing `date`, from the ledger: spending of the
 * budget's category and its children (or everything), converted to the budget's currency at the rates
 * known on the period's last day, plus the rolled-over surplus or deficit of earlier periods.
 */
export async function budgetStatuses(
  em: EntityManager,
  family: FamilySettings,
  budgets: BudgetRow[],
  date: string,
  known: Known = {},
): Promise<BudgetStatus[]> {
  if (budgets.length === 0) return [];
  const startDay = family.monthStartDay;
  const current = periodContaining(date, startDay);
  const earliest = budgets
    .map((b) => (b.rollover ? periodContaining(b.startsOn, startDay) : current))
    .reduce((a, b) => (a.start < b.start ? a : b));
  const rows =
    known.spending?.from === earliest.start && known.spending.to === current.end
      ? known.spending.rows
      : await spendingByPeriod(em, family, earliest.start, current.end);
  const children = known.children ?? (await childCategories(em, family.id, budgets));
  const rates =
    known.rates?.asOf === current.end
      ? known.rates.book
      : await RateBook.loadIf(
          rows.some((row) => budgets.some((b) => b.currency !== row.currency)),
          em,
          family.id,
          current.end,
        );

  return budgets.map((budget) => {
    const categories =
      budget.categoryId === null
        ? null
        : new Set([budget.categoryId, ...(children.get(budget.categoryId) ?? [])]);
    const missing = new Set<string>();
    const spentIn = (period: Period): bigint => {
      let total = 0n;
      for (const row of rows) {
        if (row.period !== period.key) continue;
        if (categories !== null && (row.category_id === null || !categories.has(row.category_id))) continue;
        const converted = rates.convert(BigInt(row.spent), row.currency, budget.currency);
        if (converted === null) missing.add(row.currency);
        else total += converted;
      }
      return total;
    };
    let carried = 0n;
    if (budget.rollover) {
      for (
        let p = periodContaining(budget.startsOn, startDay);
        p.start < current.start;
        p = shiftPeriod(p, 1, startDay)
      ) {
        carried += budget.amount - spentIn(p);
      }
    }
    const spent = spentIn(current);
    const available = budget.amount + carried;
    return {
      budget,
      period: { start: current.start, end: current.end },
      rolledOver: new Amount(carried, budget.currency),
      available: new Amount(available, budget.currency),
      spent: new Amount(spent, budget.currency),
      remaining: new Amount(available - spent, budget.currency),
      percentUsed: available > 0n ? percentOf(spent, available) : null,
      missingRates: [...missing].sort(),
      spentMinor: spent,
      availableMinor: available,
      familyId: family.id,
    };
  });
}

/** The family's expenses between two days (inclusive), summed per budget period, currency and category. */
export function spendingByPeriod(
  em: EntityManager,
  family: FamilySettings,
  from: string,
  to: string,
): Promise<SpendingRow[]> {
  return em.execute(SPENDING_BY_PERIOD, spendingParams(family, from, to));
}

/** The statement of `spendingByPeriod`, for a caller that reads it along with other things. */
export const SPENDING_BY_PERIOD = `
  select ${periodKeySql('occurred_on')} as period, currency, category_id, sum(amount)::text as spent
    from ledger_transaction
   where family_id = ? and kind = 'expense' and occurred_on between ? and ?
   group by 1, 2, 3`;

export const spendingParams = (family: FamilySettings, from: string, to: string) => [
  family.monthStartDay,
  family.id,
  from,
  to,
];

async function childCategories(
  em: EntityManager,
  familyId: FamilyId,
  budgets: BudgetRow[],
): Promise<Map<string, string[]>> {
  const parents = budgets.flatMap((b) => (b.categoryId === null ? [] : [b.categoryId]));
  if (parents.length === 0) return new Map();
  const rows: { id: string; parent_id: string }[] = await em.execute(
    `select id, parent_id from category where family_id = ? and parent_id = any(?::uuid[])`,
    [familyId, uuidArray(parents)],
  );
  return childrenByParent(rows.map((row) => ({ id: row.id, parentId: row.parent_id })));
}
