import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import { categoryFromRow, type CategoryView } from '../category/category.read.js';
import type { FamilySettings } from '../auth/caller.js';
import type { Budget } from './budget.entity.js';
import { SPENDING_BY_PERIOD, spendingParams, type SpendingRow } from './budget-status.js';

/** The fields of the GraphQL `Budget` type and what standings need: a Budget entity has them, so does a mapped row. */
export type BudgetView = Pick<Budget, 'id' | 'amount' | 'currency' | 'rollover' | 'startsOn' | 'archived'> & {
  category: { id: string } | null;
};

function budgetFromRow(row: Row): BudgetView {
  return {
    id: row.id as string,
    amount: BigInt(row.amount as string),
    currency: row.currency as string,
    rollover: row.rollover as boolean,
    startsOn: row.starts_on as string,
    archived: row.archived as boolean,
    category: row.category_id === null ? null : { id: row.category_id as string },
  };
}

/**
 * The family's categories and its active budgets, and optionally its spending between two days (as
 * `spendingByPeriod` reads it), in one statement: one row of JSON arrays. A spending report and the
 * budget-alert check need these together, and every round trip costs more than the reads themselves.
 */
export async function readCategoriesAndBudgets(
  em: EntityManager,
  family: FamilySettings,
  spending?: { from: string; to: string },
): Promise<{ categories: CategoryView[]; budgets: BudgetView[]; spending: SpendingRow[] }> {
  const [row] = await em.execute<{ categories: Row[]; budgets: Row[]; spending: SpendingRow[] }[]>(
    `select
       (select coalesce(json_agg(json_build_object(
                 'id', c.id, 'kind', c.kind, 'name', c.name, 'aliases', c.aliases, 'archived', c.archived,
                 'parent_id', c.parent_id)), '[]')
          from category c where c.family_id = ?) as categories,
       (select coalesce(json_agg(json_build_object(
                 'id', b.id, 'category_id', b.category_id, 'amount', b.amount::text, 'currency', b.currency,
                 'rollover', b.rollover, 'starts_on', b.starts_on::text, 'archived', b.archived)
                 order by b.created_at, b.id), '[]')
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
    categories: row!.categories.map((c) => categoryFromRow(c)),
    budgets: row!.budgets.map(budgetFromRow),
    spending: row!.spending,
  };
}
