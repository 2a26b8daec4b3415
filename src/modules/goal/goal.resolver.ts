import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Money, money } from '../../graphql/money.types.js';
import type { AccountRow } from '../account/account.read.js';
import { AccountObject } from '../account/account.types.js';
import type { GoalRow } from './goal.read.js';
import { GoalObject } from './goal.types.js';
import { ContributeToGoalInput, CreateGoalInput, GoalStatus, UpdateGoalInput } from './goal.inputs.js';

@Resolver(() => GoalObject)
export class GoalResolver {
  @Query(() => [GoalStatus], { description: "The family's goals and their progress." })
  async goals(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('includeArchived', () => Boolean, { defaultValue: false, description: 'Also list archived goals.' })
    includeArchived: boolean,
    @Ctx() ctx: Context,
  ): Promise<GoalStatus[]> {
    return (await ctx.finance()).goals.list(familyId, includeArchived);
  }

  @Query(() => GoalStatus, {
    nullable: true,
    description:
      "One goal and its progress; null, with NOT_FOUND in `errors`, outside the caller's families (the rest of the response stays).",
  })
  async goal(
    @Arg('id', () => ID, { description: 'The goal.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<GoalStatus> {
    return (await ctx.finance()).goals.get(id);
  }

  @Mutation(() => GoalStatus, { description: 'Creates a savings goal (members and up).' })
  async createGoal(
    @Arg('input', () => CreateGoalInput, { description: 'The new goal.' }) input: CreateGoalInput,
    @Ctx() ctx: Context,
  ): Promise<GoalStatus> {
    return (await ctx.finance()).goals.create(input);
  }

  @Mutation(() => GoalStatus, {
    description: 'Renames a goal, changes its target or deadline, or archives it.',
  })
  async updateGoal(
    @Arg('id', () => ID, { description: 'The goal.' }) id: string,
    @Arg('input', () => UpdateGoalInput, { description: 'The changes.' }) input: UpdateGoalInput,
    @Ctx() ctx: Context,
  ): Promise<GoalStatus> {
    return (await ctx.finance()).goals.update(id, input);
  }

  @Mutation(() => ID, {
    description: 'Deletes a goal and its contributions; answers its id, for client caches to evict.',
  })
  async deleteGoal(
    @Arg('id', () => ID, { description: 'The goal.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).goals.delete(id);
  }

  @Mutation(() => GoalStatus, {
    description: 'Records money put toward a goal (negative to take some back).',
  })
  async contributeToGoal(
    @Arg('input', () => ContributeToGoalInput, { description: 'The contribution.' })
    input: ContributeToGoalInput,
    @Ctx() ctx: Context,
  ): Promise<GoalStatus> {
    return (await ctx.finance()).goals.contribute(await ctx.principal(), input);
  }

  @FieldResolver(() => Money, { description: 'The amount to reach.' })
  target(@Root() goal: GoalRow): Money {
    return money(goal.target, goal.currency);
  }

  @FieldResolver(() => AccountObject, { nullable: true, description: 'The linked account, if any.' })
  async account(@Root() goal: GoalRow, @Ctx() ctx: Context): Promise<AccountRow | null> {
    return goal.accountId === null ? null : (await ctx.finance()).loaders.account.load(goal.accountId);
  }
}
