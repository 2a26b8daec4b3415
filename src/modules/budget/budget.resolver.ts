import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Money, money } from '../../graphql/money.types.js';
import type { CategoryRow } from '../category/category.read.js';
import { CategoryObject } from '../category/category.types.js';
import type { BudgetRow } from './budget.read.js';
import { BudgetObject } from './budget.types.js';
import { BudgetStatus, CreateBudgetInput, UpdateBudgetInput } from './budget.inputs.js';

@Resolver(() => BudgetObject)
export class BudgetResolver {
  @Query(() => [BudgetStatus], {
    description: "The family's active budgets and where each stands this month.",
  })
  async budgets(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('date', () => LocalDateResolver, {
      nullable: true,
      description: 'Show the period containing this day (YYYY-MM-DD); default today.',
    })
    date: string | null,
    @Ctx() ctx: Context,
  ): Promise<BudgetStatus[]> {
    return (await ctx.finance()).budgets.statuses(familyId, date);
  }

  @Query(() => BudgetStatus, {
    nullable: true,
    description:
      "One budget and where it stands; null, with NOT_FOUND in `errors`, outside the caller's families (the rest of the response stays).",
  })
  async budget(
    @Arg('id', () => ID, { description: 'The budget.' }) id: string,
    @Arg('date', () => LocalDateResolver, {
      nullable: true,
      description: 'Show the period containing this day; default today.',
    })
    date: string | null,
    @Ctx() ctx: Context,
  ): Promise<BudgetStatus> {
    return (await ctx.finance()).budgets.status(id, date);
  }

  @Mutation(() => BudgetStatus, { description: 'Creates a monthly budget (members and up).' })
  async createBudget(
    @Arg('input', () => CreateBudgetInput, { description: 'The new budget.' }) input: CreateBudgetInput,
    @Ctx() ctx: Context,
  ): Promise<BudgetStatus> {
    return (await ctx.finance()).budgets.create(input);
  }

  @Mutation(() => BudgetStatus, { description: "Changes a budget's limit or rollover, or archives it." })
  async updateBudget(
    @Arg('id', () => ID, { description: 'The budget.' }) id: string,
    @Arg('input', () => UpdateBudgetInput, { description: 'The changes.' }) input: UpdateBudgetInput,
    @Ctx() ctx: Context,
  ): Promise<BudgetStatus> {
    return (await ctx.finance()).budgets.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a budget; answers its id, for client caches to evict.' })
  async deleteBudget(
    @Arg('id', () => ID, { description: 'The budget.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).budgets.delete(id);
  }

  @FieldResolver(() => CategoryObject, {
    nullable: true,
    description: 'The category budgeted; null for all spending.',
  })
  async category(@Root() budget: BudgetRow, @Ctx() ctx: Context): Promise<CategoryRow | null> {
    return budget.categoryId === null ? null : (await ctx.finance()).loaders.category.load(budget.categoryId);
  }

  @FieldResolver(() => Money, { description: 'The monthly limit.' })
  limit(@Root() budget: BudgetRow): Money {
    return money(budget.amount, budget.currency);
  }
}

@Resolver(() => BudgetStatus)
export class BudgetStatusResolver {
  @FieldResolver(() => Money, {
    description:
      "Still to be spent in this period by the family's expense schedules in the budget's categories: " +
      'their occurrences from today to the period end not yet recorded or skipped (as upcomingTransactions ' +
      "lists them), an approximate amount at its range's midpoint, in the budget's currency.",
  })
  async planned(@Root() status: BudgetStatus, @Ctx() ctx: Context): Promise<Money> {
    return money(await (await ctx.finance()).budgets.planned(status), status.budget.currency);
  }

  @FieldResolver(() => Money, { description: 'spent + planned: where the period is heading.' })
  async projected(@Root() status: BudgetStatus, @Ctx() ctx: Context): Promise<Money> {
    const planned = await (await ctx.finance()).budgets.planned(status);
    return money(status.spentMinor + planned, status.budget.currency);
  }
}
