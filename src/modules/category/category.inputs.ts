import { Field, ID, InputType } from 'type-graphql';
import { CategoryKind } from './category.entity.js';

@InputType({ description: 'A new category.' })
export class CreateCategoryInput {
  @Field(() => ID, { nullable: true, description: "The family; default: the caller's default family." })
  familyId?: string | null;

  @Field(() => CategoryKind, { description: "Income or expense; a child has its parent's kind." })
  kind!: CategoryKind;

  @Field(() => String, { description: 'Display name, 1 to 100 characters, unique among its siblings.' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Parent category (top-level only: two levels at most).' })
  parentId?: string | null;

  @Field(() => [String], { nullable: true, description: 'Other words for it, used by the bot to match.' })
  aliases?: string[] | null;
}

@InputType({ description: 'Changes to a category; omitted fields stay as they are.' })
export class UpdateCategoryInput {
  @Field(() => String, { nullable: true, description: 'New display name.' })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the aliases.' })
  aliases?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Archive (true) or restore (false).' })
  archived?: boolean | null;
}
