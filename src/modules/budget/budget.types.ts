import { Field, ID, ObjectType } from 'type-graphql';
import type { BudgetRow } from './budget.read.js';

/** The GraphQL `Budget`; resolvers receive a `BudgetRow` (limit and category in budget.resolver.ts). */
@ObjectType('Budget', {
  description: 'A monthly spending limit for one expense category (with its children) or for all spending.',
})
export class BudgetObject implements Pick<BudgetRow, 'id' | 'rollover' | 'archived'> {
  @Field(() => ID, { description: 'Stable identifier of the budget.' })
  id!: string;

  @Field(() => Boolean, { description: "Whether each month's surplus or deficit carries into the next." })
  rollover!: boolean;

  @Field(() => Boolean, { description: 'Archived budgets are no longer tracked.' })
  archived!: boolean;
}
