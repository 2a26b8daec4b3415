import { Field, ObjectType } from 'type-graphql';
import { CurrencyScalar, Money } from '../../graphql/money.types.js';
import type { UserRow } from '../auth/user.read.js';
import { UserObject } from '../auth/user.types.js';
import { BudgetPeriod, BudgetStatus } from '../budget/budget.inputs.js';
import type { CategoryRow } from '../category/category.read.js';
import { CategoryObject } from '../category/category.types.js';

@ObjectType({ description: 'Spending of one top-level category (its subcategories included).' })
export class CategorySpending {
  @Field(() => CategoryObject, {
    nullable: true,
    description: 'The category; null for uncategorized spending.',
  })
  category!: CategoryRow | null;

  @Field(() => Money, { description: "Spent, in the family's base currency." })
  spent!: Money;

  @Field(() => BudgetStatus, {
    nullable: true,
    description: "This category's budget for the period, if it has one.",
  })
  budget!: BudgetStatus | null;
}

@ObjectType({ description: 'Where the money went in a period.' })
export class SpendingReport {
  @Field(() => BudgetPeriod, { description: 'The days covered, inclusive.' })
  period!: BudgetPeriod;

  @Field(() => Money, { description: "All spending, in the family's base currency." })
  total!: Money;

  @Field(() => [CategorySpending], { description: 'By top-level category, largest first.' })
  categories!: CategorySpending[];

  @Field(() => [CurrencyScalar], {
    description: 'Currencies with no known rate to the base currency (left out of the sums).',
  })
  missingRates!: string[];
}

@ObjectType({ description: 'Income and spending of one budget month.' })
export class CashFlowMonth {
  @Field(() => BudgetPeriod, { description: "The month (from the family's month start day)." })
  period!: BudgetPeriod;

  @Field(() => Money, { description: 'Income, in the base currency.' })
  income!: Money;

  @Field(() => Money, { description: 'Spending, in the base currency.' })
  expense!: Money;

  @Field(() => Money, { description: 'income - expense.' })
  net!: Money;
}

@ObjectType({ description: 'Income, spending and net per month; transfers are not counted.' })
export class CashFlowReport {
  @Field(() => [CashFlowMonth], { description: 'Oldest month first, the current month last.' })
  months!: CashFlowMonth[];

  @Field(() => [CurrencyScalar], {
    description: 'Currencies with no known rate to the base currency (left out).',
  })
  missingRates!: string[];
}

@ObjectType({ description: 'What the family owns minus what it owes.' })
export class NetWorth {
  @Field(() => [Money], {
    description: 'The sum of account balances per currency (archived accounts included).',
  })
  byCurrency!: Money[];

  @Field(() => Money, { description: 'Everything converted to the base currency where a rate is known.' })
  total!: Money;

  @Field(() => [CurrencyScalar], {
    description: 'Currencies with no known rate to the base currency (left out of total).',
  })
  missingRates!: string[];
}

@ObjectType({ description: 'How much one member paid for in a period.' })
export class MemberSpending {
  @Field(() => UserObject, { description: 'The member who paid.' })
  user!: UserRow;

  @Field(() => Money, { description: "Spent, in the family's base currency." })
  spent!: Money;
}

@ObjectType({ description: 'Who spent what in a period.' })
export class MemberSpendingReport {
  @Field(() => BudgetPeriod, { description: 'The days covered, inclusive.' })
  period!: BudgetPeriod;

  @Field(() => [MemberSpending], { description: 'Per member, largest first.' })
  members!: MemberSpending[];

  @Field(() => [CurrencyScalar], {
    description: 'Currencies with no known rate to the base currency (left out).',
  })
  missingRates!: string[];
}

@ObjectType({ description: 'One budget month of a cash-flow forecast.' })
export class ForecastMonth {
  @Field(() => BudgetPeriod, {
    description: "The month (from the family's month start day); the first one is the current month.",
  })
  period!: BudgetPeriod;

  @Field(() => Money, {
    description:
      'Expected income from schedules, in the base currency: occurrences from today on (the first month ' +
      'also holds due ask-first ones not answered yet); an approximate amount at the middle of its range.',
  })
  income!: Money;

  @Field(() => Money, { description: 'Expected spending from schedules, counted as income is.' })
  expense!: Money;

  @Field(() => Money, { description: 'income - expense.' })
  net!: Money;

  @Field(() => Money, {
    description: "The balance of all accounts at the end of the month: today's, plus every net so far.",
  })
  projectedBalance!: Money;
}

@ObjectType({
  description:
    "The months ahead as the family's active schedules shape them; other spending and income is not guessed.",
})
export class CashFlowForecast {
  @Field(() => Money, {
    description: 'The balance of all accounts today (archived ones included), in the base currency.',
  })
  startingBalance!: Money;

  @Field(() => [ForecastMonth], { description: 'The current month first.' })
  months!: ForecastMonth[];

  @Field(() => [CurrencyScalar], {
    description:
      'Currencies of accounts or schedules with no known rate to the base currency (left out of every figure).',
  })
  missingRates!: string[];
}
