import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { CategoryKind } from './category.entity.js';
import type { CategoryRow } from './category.read.js';

registerEnumType(CategoryKind, {
  name: 'CategoryKind',
  description: 'Whether a category classifies money coming in or going out.',
  valuesConfig: {
    INCOME: { description: 'Money coming in (salary, gifts).' },
    EXPENSE: { description: 'Money going out (groceries, rent).' },
  },
});

/** The GraphQL `Category`; resolvers receive a `CategoryRow`. */
@ObjectType('Category', {
  description: 'A label for income or spending; two levels (a parent and its children).',
})
export class CategoryObject implements CategoryRow {
  @Field(() => ID, { description: 'Stable identifier of the category.' })
  id!: string;

  @Field(() => CategoryKind, { description: 'Income or expense.' })
  kind!: CategoryKind;

  @Field(() => String, { description: 'Display name, e.g. "Groceries".' })
  name!: string;

  @Field(() => [String], { description: 'Other words that mean this category, e.g. "food", "supermarket".' })
  aliases!: string[];

  @Field(() => Boolean, {
    description: 'Archived categories are hidden from pickers but keep their history.',
  })
  archived!: boolean;

  @Field(() => ID, { nullable: true, description: 'The parent category, for a child category.' })
  parentId!: string | null;
}
