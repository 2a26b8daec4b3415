import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Family } from '../family/family.entity.js';

export enum AccountType {
  CASH = 'cash',
  CHECKING = 'checking',
  SAVINGS = 'savings',
  CREDIT_CARD = 'credit_card',
  LOAN = 'loan',
  INVESTMENT = 'investment',
}

registerEnumType(AccountType, {
  name: 'AccountType',
  description: 'What kind of account this is.',
  valuesConfig: {
    CASH: { description: 'Notes and coins, a wallet.' },
    CHECKING: { description: 'An everyday bank account.' },
    SAVINGS: { description: 'A savings account.' },
    CREDIT_CARD: { description: 'A credit card; its balance is usually negative.' },
    LOAN: { description: 'A loan or mortgage; its balance is usually negative.' },
    INVESTMENT: { description: 'A brokerage or pension account.' },
  },
});

@ObjectType({ description: 'A place money is kept, in one currency.' })
@Entity({ tableName: 'account' })
export class Account {
  @Field(() => ID, { description: 'Stable identifier of the account.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Field(() => String, { description: 'Display name, e.g. "Wallet" or "Joint checking".' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => AccountType, { description: 'What kind of account this is.' })
  @Enum({ items: () => AccountType, type: 'text' })
  type!: AccountType;

  @Field(() => String, { description: "ISO 4217 code of the account's currency." })
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** Minor units. */
  @Property({ type: new BigIntType('bigint') })
  openingBalance: bigint & Opt = 0n;

  /** Minor units; always openingBalance + the sum of the account's transactions, kept in the same DB transaction. */
  @Property({ type: new BigIntType('bigint') })
  balance: bigint & Opt = 0n;

  @Field(() => Boolean, { description: 'Archived accounts are hidden from pickers but keep their history.' })
  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Field(() => DateTimeISOResolver, { description: 'When the account was created.' })
  @Property({ type: 'datetime' })
  createdAt!: Date;
}
