import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Account } from '../account/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Family } from '../family/family.entity.js';

@Entity({ tableName: 'goal' })
export class Goal {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: new BigIntType('bigint') })
  target!: bigint;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'date', nullable: true })
  deadline: string | null = null;

  /** When set, progress is this account's balance instead of the sum of contributions. */
  @ManyToOne(() => Account, { ref: true, nullable: true, deleteRule: 'set null' })
  account: Ref<Account> | null = null;

  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Property({ type: 'datetime' })
  createdAt!: Date;
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
