import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CurrencyScalar, DecimalScalar, Money } from '../../graphql/money.types.js';
import type { GoalRow } from './goal.read.js';
import { GoalObject } from './goal.types.js';

@InputType({ description: 'A new savings goal.' })
export class CreateGoalInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => String, { description: 'What it is for, 1 to 100 characters.' })
  name!: string;

  @Field(() => DecimalScalar, { description: 'The amount to reach, positive.' })
  target!: string;

  @Field(() => CurrencyScalar, {
    nullable: true,
    description: "ISO 4217 currency; default: the linked account's, else the family's base currency.",
  })
  currency?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Reach it by this day (YYYY-MM-DD).' })
  deadline?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'An account whose balance is the progress (same currency); otherwise contributions count.',
  })
  accountId?: string | null;
}

@InputType({ description: 'Changes to a goal; omitted fields stay as they are.' })
export class UpdateGoalInput {
  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'New target.' })
  target?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'New deadline (YYYY-MM-DD).' })
  deadline?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True removes the deadline.' })
  clearDeadline?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Archive (true) or restore (false).' })
  archived?: boolean | null;
}

@InputType({ description: 'Money put toward a goal (negative to take some back).' })
export class ContributeToGoalInput {
  @Field(() => ID, { description: 'The goal (one without a linked account).' })
  goalId!: string;

  @Field(() => DecimalScalar, { description: "Amount in the goal's currency; negative for a withdrawal." })
  amount!: string;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'Day of the contribution (YYYY-MM-DD); default today.',
  })
  occurredOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, up to 500 characters.' })
  note?: string | null;
}

@ObjectType({ description: 'One contribution to a goal.' })
export class Contribution {
  @Field(() => ID, { description: 'Stable identifier of the contribution.' })
  id!: string;

  @Field(() => Money, { description: 'How much; negative for a withdrawal.' })
  amount!: Money;

  @Field(() => LocalDateResolver, { description: 'The day of the contribution.' })
  occurredOn!: string;

  @Field(() => String, { nullable: true, description: 'Free text.' })
  note!: string | null;
}

@ObjectType({ description: 'A goal and how far along it is.' })
export class GoalStatus {
  @Field(() => GoalObject, { description: 'The goal.' })
  goal!: GoalRow;

  @Field(() => Money, {
    description: "Saved so far: the linked account's balance, or the sum of contributions.",
  })
  saved!: Money;

  @Field(() => Money, { description: 'Still missing to the target (zero once reached).' })
  remaining!: Money;

  @Field(() => DecimalScalar, { description: 'saved / target in percent with one decimal, e.g. "42.5".' })
  percentComplete!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Whole months left until the deadline (at least 1); null without one.',
  })
  monthsLeft!: number | null;

  @Field(() => Money, {
    nullable: true,
    description: 'What to put aside each month to reach the target by the deadline; null without a deadline.',
  })
  monthlyNeeded!: Money | null;

  @Field(() => [Contribution], {
    description: 'Contributions, newest first (empty for a goal with a linked account).',
  })
  contributions!: Contribution[];
}
