import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';

/** The GraphQL `Goal` as the read layer hands it over: the target in minor units of `currency`. */
export const GOAL = shape({
  id: col.text('id'),
  name: col.text('name'),
  target: col.bigint('target'),
  currency: col.text('currency'),
  deadline: col.dateOrNull('deadline'),
  accountId: col.textOrNull('account_id'),
  archived: col.bool('archived'),
  createdAt: col.timestamp('created_at'),
});

export type GoalRow = RowOf<typeof GOAL>;

export const GOALS: FamilyTable<GoalRow> = { table: 'goal', shape: GOAL };

/** A contribution to a goal, in minor units of the goal's currency. */
export const CONTRIBUTION = shape({
  id: col.text('id'),
  goalId: col.text('goal_id'),
  amount: col.bigint('amount'),
  occurredOn: col.date('occurred_on'),
  note: col.textOrNull('note'),
});

export type ContributionRow = RowOf<typeof CONTRIBUTION>;

export const CONTRIBUTIONS: FamilyTable<ContributionRow> = {
  table: 'goal_contribution',
  shape: CONTRIBUTION,
};
