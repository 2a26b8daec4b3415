import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Family } from '../family/family.entity.js';

export enum AccountType {
  CASH = 'cash',
  CHECKING = 'checking',
  SAVINGS = 'savings',
  CREDIT_CARD = 'credit_card',
  LOAN = 'loan',
  INVESTMENT = 'investment',
}

@Entity({ tableName: 'account' })
export class Account {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => AccountType, type: 'text' })
  type!: AccountType;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** Minor units. */
  @Property({ type: new BigIntType('bigint') })
  openingBalance: bigint & Opt = 0n;

  /** Minor units; always openingBalance + the sum of the account's transactions, kept in the same DB transaction. */
  @Property({ type: new BigIntType('bigint') })
  balance: bigint & Opt = 0n;

  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
