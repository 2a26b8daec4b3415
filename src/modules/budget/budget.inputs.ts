import type { FamilyId } from '../family/family-id.js';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { CurrencyScalar, DecimalScalar, Money } from '../../graphql/money.types.js';
import type { BudgetRow } from './budget.read.js';
import { BudgetObject } from './budget.types.js';

@InputType({ description: 'A new monthly budget.' })
export class CreateBudgetInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'An expense category (its children count too); omit for all spending.',
  })
  categoryId?: string | null;

  @Field(() => DecimalScalar, { description: 'The monthly limit, positive, e.g. "400.00".' })
  amount!: string;

  @Field(() => CurrencyScalar, {
    nullable: true,
    description: "ISO 4217 currency of the limit; default: the family's base currency.",
  })
  currency?: string | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: "Carry each month's surplus or deficit into the next.",
  })
  rollover!: boolean;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'First day tracked (YYYY-MM-DD); default: the start of the current month.',
  })
  startsOn?: string | null;
}

@InputType({ description: 'Changes to a budget; omitted fields stay as they are.' })
export class UpdateBudgetInput {
  @Field(() => DecimalScalar, { nullable: true, description: 'New monthly limit.' })
  amount?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Turn rollover on or off.' })
  rollover?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Archive (true) or restore (false).' })
  archived?: boolean | null;
}

@ObjectType({
  description: "A budget month: from the family's month start day to the day before the next one.",
})
export class BudgetPeriod {
  @Field(() => LocalDateResolver, { description: 'First day, inclusive.' })
  start!: string;

  @Field(() => LocalDateResolver, { description: 'Last day, inclusive.' })
  end!: string;
}

@ObjectType({ description: 'Where a budget stands in one period, computed from the ledger.' })
export class BudgetStatus {
  @Field(() => BudgetObject, { description: 'The budget.' })
  budget!: BudgetRow;

  @Field(() => BudgetPeriod, { description: 'The period shown.' })
  period!: BudgetPeriod;

  @Field(() => Money, { description: 'Carried in from earlier months (rollover budgets; zero otherwise).' })
  rolledOver!: Money;

  @Field(() => Money, { description: 'The limit for this period: the monthly limit plus what rolled over.' })
  available!: Money;

  @Field(() => Money, {
    description: "Spent in this period, converted to the budget's currency where rates are known.",
  })
  spent!: Money;

  @Field(() => Money, { description: 'available - spent; negative when over budget.' })
  remaining!: Money;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'spent / available in percent with one decimal, e.g. "81.5"; null when nothing is available.',
  })
  percentUsed!: string | null;

  @Field(() => [CurrencyScalar], {
    description: "Currencies spent in this period with no known rate to the budget's currency (not counted).",
  })
  missingRates!: string[];

  /** Minor units behind `spent` and `available`, for threshold checks without re-parsing. */
  spentMinor!: bigint;
  availableMinor!: bigint;
  /** The budget's family, for what is computed only when asked for (`planned`, `projected`). */
  familyId!: FamilyId;
}
