import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Account } from '../account/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Category } from '../category/category.entity.js';
import { Family } from '../family/family.entity.js';

export enum ScheduleKind {
  EXPENSE = 'expense',
  INCOME = 'income',
}

export enum ScheduleMode {
  /** The runner records the transaction on the day. */
  AUTO_POST = 'auto_post',
  /** The runner asks the family's members, who record or skip it. */
  ASK_FIRST = 'ask_first',
}

export enum OccurrenceStatus {
  /** Recorded by the runner (auto-post). */
  POSTED = 'posted',
  /** Due, waiting for a member to record or skip it (ask-first). */
  PENDING = 'pending',
  /** Recorded by a member. */
  RECORDED = 'recorded',
  SKIPPED = 'skipped',
}

/** A recurring expense or income; the runner turns its occurrences into transactions or questions. */
@Entity({ tableName: 'schedule' })
export class Schedule {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @ManyToOne(() => Account, { ref: true, deleteRule: 'cascade' })
  account!: Ref<Account>;

  @ManyToOne(() => Category, { ref: true, nullable: true, deleteRule: 'set null' })
  category: Ref<Category> | null = null;

  @Enum({ items: () => ScheduleKind, type: 'text' })
  kind!: ScheduleKind;

  /** Minor units of `currency`, positive; the low end of the range when `amountMax` is set. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  /** The high end of an approximate amount; null for a fixed one. */
  @Property({ type: new BigIntType('bigint'), nullable: true })
  amountMax: bigint | null = null;

  /** The account's currency (an account's currency never changes). */
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Enum({ items: () => ScheduleMode, type: 'text' })
  mode!: ScheduleMode;

  @Property({ type: 'boolean' })
  paused: boolean & Opt = false;

  /** An RFC 5545 RRULE value without DTSTART; occurrences are days counted from `startsOn`. */
  @Property({ type: 'text' })
  rrule!: string;

  @Property({ type: 'date' })
  startsOn!: string;

  /** The first occurrence the runner has not handled yet; null once the rule has ended. */
  @Property({ type: 'date', nullable: true })
  nextOn: string | null = null;

  /** Transactions it posts are entered by this member. */
  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
