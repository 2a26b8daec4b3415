import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import { categoryFromRow, type CategoryView } from '../category/category.read.js';
import type { Budget } from './budget.entity.js';

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
 * The family's categories and its active budgets, in one statement (two JSON arrays in one row): what a
 * spending report and the budget-alert check both need, read in one round trip.
 */
export async function readCategoriesAndBudgets(
  em: EntityManager,
  familyId: string,
): Promise<{ categories: CategoryView[]; budgets: BudgetView[] }> {
  const [row] = await em.execute<{ categories: Row[]; budgets: Row[] }[]>(
    `select
       (select coalesce(json_agg(json_build_object(
                 'id', c.id, 'kind', c.kind, 'name', c.name, 'aliases', c.aliases, 'archived', c.archived,
                 'parent_id', c.parent_id)), '[]')
          from category c where c.family_id = ?) as categories,
       (select coalesce(json_agg(json_build_object(
                 'id', b.id, 'category_id', b.category_id, 'amount', b.amount::text, 'currency', b.currency,
                 'rollover', b.rollover, 'starts_on', b.starts_on::text, 'archived', b.archived)
                 order by b.created_at, b.id), '[]')
          from budget b where b.family_id = ? and not b.archived) as budgets`,
    [familyId, familyId],
  );
  return {
    categories: row!.categories.map((c) => categoryFromRow(c)),
    budgets: row!.budgets.map(budgetFromRow),
  };
}
