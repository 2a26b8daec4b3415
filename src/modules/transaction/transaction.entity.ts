import { randomUUID } from 'node:crypto';
import { ArrayType, BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../auth/user.entity.js';
import { Account } from '../account/account.entity.js';
import { Category } from '../category/category.entity.js';
import { Family } from '../family/family.entity.js';

export enum TransactionKind {
  EXPENSE = 'expense',
  INCOME = 'income',
  TRANSFER = 'transfer',
}

registerEnumType(TransactionKind, {
  name: 'TransactionKind',
  description: 'Which way money moves.',
  valuesConfig: {
    EXPENSE: { description: 'Money leaves an account.' },
    INCOME: { description: 'Money arrives in an account.' },
    TRANSFER: { description: 'Money moves between two accounts of the family.' },
  },
});

@ObjectType('Transaction', { description: 'One movement of money in the family ledger.' })
@Entity({ tableName: 'ledger_transaction' })
export class LedgerTransaction {
  @Field(() => ID, { description: 'Stable identifier of the transaction.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Insertion order; the tiebreaker that makes keyset pagination stable within a day. */
  @Property({ type: new BigIntType('string'), persist: false })
  seq!: string & Opt;

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Field(() => TransactionKind, { description: 'Expense, income or transfer.' })
  @Enum({ items: () => TransactionKind, type: 'text' })
  kind!: TransactionKind;

  @Field(() => LocalDateResolver, {
    description: "The day it happened, in the family's time zone (YYYY-MM-DD).",
  })
  @Property({ type: 'date' })
  occurredOn!: string;

  /** Minor units of the account's currency; always positive, `kind` gives the direction. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  /** The account's currency, copied so amounts format without a join (an account's currency never changes). */
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @ManyToOne(() => Account, { ref: true, nullable: true, deleteRule: 'cascade' })
  toAccount: Ref<Account> | null = null;

  /** Minor units of the destination account's currency (transfers only). */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  toAmount: bigint | null = null;

  @Property({ type: 'string', columnType: 'char(3)', nullable: true })
  toCurrency: string | null = null;

  @ManyToOne(() => Category, { ref: true, nullable: true, deleteRule: 'set null' })
  category: Ref<Category> | null = null;

  @Field(() => String, { nullable: true, description: 'Free text, e.g. "coffee beans".' })
  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Field(() => [String], { description: 'Free-form tags, e.g. "vacation".' })
  @Property({ type: ArrayType })
  tags: string[] & Opt = [];

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @ManyToOne(() => User, { ref: true })
  paidBy!: Ref<User>;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Field(() => DateTimeISOResolver, { description: 'When it was recorded.' })
  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'When it was last changed.' })
  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
