import { randomUUID } from 'node:crypto';
import { ArrayType, BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../auth/user.entity.js';
import { Account } from '../account/account.entity.js';
import { Category } from '../category/category.entity.js';
import { Family } from '../family/family.entity.js';

export enum TransactionKind {
  EXPENSE = 'expense',
  INCOME = 'income',
  TRANSFER = 'transfer',
}

@Entity({ tableName: 'ledger_transaction' })
export class LedgerTransaction {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Insertion order; the tiebreaker that makes keyset pagination stable within a day. */
  @Property({ type: new BigIntType('string'), persist: false })
  seq!: string & Opt;

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Enum({ items: () => TransactionKind, type: 'text' })
  kind!: TransactionKind;

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

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: ArrayType })
  tags: string[] & Opt = [];

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @ManyToOne(() => User, { ref: true })
  paidBy!: Ref<User>;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
