import type { EntityManager } from '@mikro-orm/postgresql';
import { col, shape, type Row, type RowOf } from '../../db/rows.js';
import { CATEGORY, type CategoryRow } from '../category/category.read.js';
import type { FamilySettings } from '../auth/caller.js';
import type { FamilyTable } from '../family/family-access.js';
import { SPENDING_BY_PERIOD, spendingParams, type SpendingRow } from './budget-status.js';

/** The GraphQL `Budget` as the read layer hands it over, and what standings need of it. */
export const BUDGET = shape({
  id: col.text('id'),
  categoryId: col.textOrNull('category_id'),
  amount: col.bigint('amount'),
  currency: col.text('currency'),
  rollover: col.bool('rollover'),
  startsOn: col.date('starts_on'),
  archived: col.bool('archived'),
});

export type BudgetRow = RowOf<typeof BUDGET>;

export const BUDGETS: FamilyTable<BudgetRow> = { table: 'budget', shape: BUDGET };

/**
 * The family's categories and its active budgets, and optionally its spending between two days (as
 * `spendingByPeriod` reads it), in one statement: one row of JSON arrays. A spending report and the
 * budget-alert check need these together, and every round trip costs more than the reads themselves.
 */
export async function readCategoriesAndBudgets(
  em: EntityManager,
  family: FamilySettings,
  spending?: { from: string; to: string },
): Promise<{ categories: CategoryRow[]; budgets: BudgetRow[]; spending: SpendingRow[] }> {
  const [row] = await em.execute<{ categories: Row[]; budgets: Row[]; spending: SpendingRow[] }[]>(
    `select
       (select coalesce(json_agg(${CATEGORY.json('c')}), '[]') from category c where c.family_id = ?) as categories,
       (select coalesce(json_agg(${BUDGET.json('b')} order by b.created_at, b.id), '[]')
          from budget b where b.family_id = ? and not b.archived) as budgets,
       ${spending === undefined ? `'[]'::json` : `(select coalesce(json_agg(s), '[]') from (${SPENDING_BY_PERIOD}) s)`}
         as spending`,
    [
      family.id,
      family.id,
      ...(spending === undefined ? [] : spendingParams(family, spending.from, spending.to)),
    ],
  );
  return {
    categories: row!.categories.map((c) => CATEGORY.read(c)),
    budgets: row!.budgets.map((b) => BUDGET.read(b)),
    spending: row!.spending,
  };
}
