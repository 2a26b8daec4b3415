import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { CategoryKind } from './category.entity.js';
import type { CategoryRow } from './category.read.js';
import { CategoryObject } from './category.types.js';
import { CreateCategoryInput, UpdateCategoryInput } from './category.inputs.js';

@Resolver(() => CategoryObject)
export class CategoryResolver {
  @Query(() => [CategoryObject], { description: "The family's categories, parents and children alike." })
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
  ): Promise<CategoryRow[]> {
    return (await ctx.finance()).categories.list(familyId, kind, includeArchived);
  }

  @Mutation(() => CategoryObject, { description: 'Creates a category (members and up).' })
  async createCategory(
    @Arg('input', () => CreateCategoryInput, { description: 'The new category.' }) input: CreateCategoryInput,
    @Ctx() ctx: Context,
  ): Promise<CategoryRow> {
    return (await ctx.finance()).categories.create(input);
  }

  @Mutation(() => CategoryObject, { description: 'Renames a category, replaces its aliases or archives it.' })
  async updateCategory(
    @Arg('id', () => ID, { description: 'The category.' }) id: string,
    @Arg('input', () => UpdateCategoryInput, { description: 'The changes.' }) input: UpdateCategoryInput,
    @Ctx() ctx: Context,
  ): Promise<CategoryRow> {
    return (await ctx.finance()).categories.update(id, input);
  }

  @Mutation(() => ID, {
    description:
      'Deletes a category without subcategories; its transactions become uncategorized; answers its id, for client caches to evict.',
  })
  async deleteCategory(
    @Arg('id', () => ID, { description: 'The category.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).categories.delete(id);
  }
}
