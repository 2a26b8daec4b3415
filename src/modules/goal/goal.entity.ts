import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Money, money } from '../../graphql/money.types.js';
import { Account } from '../account/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Family } from '../family/family.entity.js';

@ObjectType({
  description: 'Something the family saves for: a target amount, maybe a deadline and a linked account.',
})
@Entity({ tableName: 'goal' })
export class Goal {
  @Field(() => ID, { description: 'Stable identifier of the goal.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Field(() => String, { description: 'What it is for, e.g. "Summer holiday".' })
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: new BigIntType('bigint') })
  target!: bigint;

  @Field(() => String, { description: 'ISO 4217 currency of the target.' })
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The day it should be reached by, if any.' })
  @Property({ type: 'date', nullable: true })
  deadline: string | null = null;

  /** When set, progress is this account's balance instead of the sum of contributions. */
  @ManyToOne(() => Account, { ref: true, nullable: true, deleteRule: 'set null' })
  account: Ref<Account> | null = null;

  @Field(() => Boolean, { description: 'Archived goals are hidden from lists.' })
  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Field(() => DateTimeISOResolver, { description: 'When the goal was created.' })
  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Field(() => Money, { name: 'target', description: 'The amount to reach.' })
  get targetMoney(): Opt<Money> {
    return money(this.target, this.currency);
  }
}

/** Money put toward (or, negative, taken from) a goal without a linked account. */
@Entity({ tableName: 'goal_contribution' })
export class GoalContribution {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Goal, { ref: true, deleteRule: 'cascade' })
  goal!: Ref<Goal>;

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  /** Minor units of the goal's currency. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'date' })
  occurredOn!: string;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
