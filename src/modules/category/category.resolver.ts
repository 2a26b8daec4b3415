import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CategoryView } from './category.read.js';
import type { Context } from '../../context.js';
import { Category, CategoryKind } from './category.entity.js';
import { CreateCategoryInput, UpdateCategoryInput } from './category.inputs.js';

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category], { description: "The family's categories, parents and children alike." })
  async categories(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('kind', () => CategoryKind, {
      nullable: true,
      description: 'Only income or only expense categories.',
    })
    kind: CategoryKind | null,
    @Arg('includeArchived', () => Boolean, {
      defaultValue: false,
      description: 'Also list archived categories.',
    })
    includeArchived: boolean,
    @Ctx() ctx: Context,
  ): Promise<Category[]> {
    return (await ctx.finance()).categories.list(familyId, kind, includeArchived);
  }

  @Mutation(() => Category, { description: 'Creates a category (members and up).' })
  async createCategory(
    @Arg('input', () => CreateCategoryInput, { description: 'The new category.' }) input: CreateCategoryInput,
    @Ctx() ctx: Context,
  ): Promise<Category> {
    return (await ctx.finance()).categories.create(input);
  }

  @Mutation(() => Category, { description: 'Renames a category, replaces its aliases or archives it.' })
  async updateCategory(
    @Arg('id', () => ID, { description: 'The category.' }) id: string,
    @Arg('input', () => UpdateCategoryInput, { description: 'The changes.' }) input: UpdateCategoryInput,
    @Ctx() ctx: Context,
  ): Promise<Category> {
    return (await ctx.finance()).categories.update(id, input);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a category without subcategories; its transactions become uncategorized.',
  })
  async deleteCategory(
    @Arg('id', () => ID, { description: 'The category.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await ctx.finance()).categories.delete(id);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The parent category, for a child category.' })
  parentId(@Root() category: CategoryView): string | null {
    return category.parent?.id ?? null;
  }
}
