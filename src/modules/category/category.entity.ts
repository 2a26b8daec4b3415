import { randomUUID } from 'node:crypto';
import { ArrayType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Family } from '../family/family.entity.js';

export enum CategoryKind {
  INCOME = 'income',
  EXPENSE = 'expense',
}

@Entity({ tableName: 'category' })
export class Category {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Enum({ items: () => CategoryKind, type: 'text' })
  kind!: CategoryKind;

  @Property({ type: 'text' })
  name!: string;

  @ManyToOne(() => Category, { ref: true, nullable: true, deleteRule: 'cascade' })
  parent: Ref<Category> | null = null;

  @Property({ type: ArrayType })
  aliases: string[] & Opt = [];

  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
