import { randomUUID } from 'node:crypto';
import { ArrayType, type Opt, type Ref } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Family } from '../family/family.entity.js';

export enum CategoryKind {
  INCOME = 'income',
  EXPENSE = 'expense',
}

registerEnumType(CategoryKind, {
  name: 'CategoryKind',
  description: 'Whether a category classifies money coming in or going out.',
  valuesConfig: {
    INCOME: { description: 'Money coming in (salary, gifts).' },
    EXPENSE: { description: 'Money going out (groceries, rent).' },
  },
});

@ObjectType({ description: 'A label for income or spending; two levels (a parent and its children).' })
@Entity({ tableName: 'category' })
export class Category {
  @Field(() => ID, { description: 'Stable identifier of the category.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Family, { ref: true, deleteRule: 'cascade' })
  family!: Ref<Family>;

  @Field(() => CategoryKind, { description: 'Income or expense.' })
  @Enum({ items: () => CategoryKind, type: 'text' })
  kind!: CategoryKind;

  @Field(() => String, { description: 'Display name, e.g. "Groceries".' })
  @Property({ type: 'text' })
  name!: string;

  @ManyToOne(() => Category, { ref: true, nullable: true, deleteRule: 'cascade' })
  parent: Ref<Category> | null = null;

  @Field(() => [String], { description: 'Other words that mean this category, e.g. "food", "supermarket".' })
  @Property({ type: ArrayType })
  aliases: string[] & Opt = [];

  @Field(() => Boolean, {
    description: 'Archived categories are hidden from pickers but keep their history.',
  })
  @Property({ type: 'boolean' })
  archived: boolean & Opt = false;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
