import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { GoalRow } from './goal.read.js';
import { CurrencyScalar } from '../../graphql/money.types.js';

/** The GraphQL `Goal`; resolvers receive a `GoalRow` (target and account in goal.resolver.ts). */
@ObjectType('Goal', {
  description: 'Something the family saves for: a target amount, maybe a deadline and a linked account.',
})
export class GoalObject implements Pick<
  GoalRow,
  'id' | 'name' | 'currency' | 'deadline' | 'archived' | 'createdAt'
> {
  @Field(() => ID, { description: 'Stable identifier of the goal.' })
  id!: string;

  @Field(() => String, { description: 'What it is for, e.g. "Summer holiday".' })
  name!: string;

  @Field(() => CurrencyScalar, { description: 'ISO 4217 currency of the target.' })
  currency!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The day it should be reached by, if any.' })
  deadline!: string | null;

  @Field(() => Boolean, { description: 'Archived goals are hidden from lists.' })
  archived!: boolean;

  @Field(() => DateTimeISOResolver, { description: 'When the goal was created.' })
  createdAt!: Date;
}
