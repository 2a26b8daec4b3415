import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { BalancesChangedEvent, BudgetAlertEvent, TransactionChangedEvent } from './live-events.js';

export enum ChangeKind {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
}

registerEnumType(ChangeKind, {
  name: 'ChangeKind',
  description: 'What happened to an object.',
  valuesConfig: {
    CREATED: { description: 'It was created.' },
    UPDATED: { description: 'It was changed.' },
    DELETED: { description: 'It was deleted: evict it from caches.' },
  },
});

@ObjectType({ description: 'A transaction of the family was created, changed or deleted.' })
export class TransactionChange implements Pick<TransactionChangedEvent, 'familyId' | 'transactionId'> {
  @Field(() => ChangeKind, { description: 'Created, updated or deleted.' })
  change!: ChangeKind;

  @Field(() => ID, { description: 'The transaction (also when it was deleted).' })
  transactionId!: string;

  @Field(() => ID, { description: 'The family.' })
  familyId!: string;
  // `transaction` is resolved in live.resolver.ts (one read per event and process).
}

@ObjectType({ description: 'Accounts of the family whose balances changed.' })
export class BalancesChange implements Pick<BalancesChangedEvent, 'familyId'> {
  @Field(() => ID, { description: 'The family.' })
  familyId!: string;
  // `accounts` is resolved in live.resolver.ts (one read per event and process).
}

@ObjectType({ description: "A budget's spending reached 80 % or 100 % of what is available this period." })
export class BudgetAlert implements Omit<BudgetAlertEvent, 'spent' | 'available'> {
  @Field(() => ID, { description: 'The family.' })
  familyId!: string;

  @Field(() => ID, { description: 'The budget.' })
  budgetId!: string;

  @Field(() => String, { nullable: true, description: "The budget's category name; null for all spending." })
  category!: string | null;

  @Field(() => Int, { description: 'The threshold crossed, in percent: 80 or 100.' })
  threshold!: number;

  @Field(() => LocalDateResolver, { description: 'First day of the budget period.' })
  periodStart!: string;

  @Field(() => LocalDateResolver, { description: 'Last day of the budget period.' })
  periodEnd!: string;

  @Field(() => String, { nullable: true, description: 'Spent as a percentage of available, e.g. "82.5".' })
  percentUsed!: string | null;
}
