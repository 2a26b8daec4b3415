import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { TransactionKind } from './transaction.entity.js';
import type { TransactionRow } from './transaction.read.js';

registerEnumType(TransactionKind, {
  name: 'TransactionKind',
  description: 'Which way money moves.',
  valuesConfig: {
    EXPENSE: { description: 'Money leaves an account.' },
    INCOME: { description: 'Money arrives in an account.' },
    TRANSFER: { description: 'Money moves between two accounts of the family.' },
  },
});

/**
 * The GraphQL `Transaction`; resolvers receive a `TransactionRow` (amounts and related objects in
 * transaction.resolver.ts).
 */
@ObjectType('Transaction', { description: 'One movement of money in the family ledger.' })
export class TransactionObject implements Pick<
  TransactionRow,
  'id' | 'kind' | 'occurredOn' | 'note' | 'tags' | 'createdAt' | 'updatedAt'
> {
  @Field(() => ID, { description: 'Stable identifier of the transaction.' })
  id!: string;

  @Field(() => TransactionKind, { description: 'Expense, income or transfer.' })
  kind!: TransactionKind;

  @Field(() => LocalDateResolver, {
    description: "The day it happened, in the family's time zone (YYYY-MM-DD).",
  })
  occurredOn!: string;

  @Field(() => String, { nullable: true, description: 'Free text, e.g. "coffee beans".' })
  note!: string | null;

  @Field(() => [String], { description: 'Free-form tags, e.g. "vacation".' })
  tags!: string[];

  @Field(() => DateTimeISOResolver, { description: 'When it was recorded.' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'When it was last changed.' })
  updatedAt!: Date;
}
