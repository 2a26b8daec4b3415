import { randomUUID } from 'node:crypto';
import { BigIntType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Category } from '../category/category.entity.js';
import { Family } from '../family/family.entity.js';

@Entity({ tableName: 'budget' })
export class Budget {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @ManyToOne(() => Category, { ref: true, nullable: true, deleteRule: 'cascade' })
  category: Ref<Category> | null = null;

  /** The monthly limit in minor units of `currency`. */
  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'boolean' })
  rollover: boolean & Opt = false;

  /** First day of the first period the budget covers (rollover counts from here). */
  @Property({ type: 'date' })
  startsOn!: string;

  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
