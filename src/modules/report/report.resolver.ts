import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import {
  CashFlowForecast,
  CashFlowReport,
  MemberSpendingReport,
  NetWorth,
  SpendingReport,
} from './report.types.js';

const familyArg = {
  nullable: true,
  description: "The family; default: the caller's default family.",
} as const;
const fromArg = {
  nullable: true,
  description: 'First day (YYYY-MM-DD); default: the start of the current budget month.',
} as const;
const toArg = {
  nullable: true,
  description: 'Last day (YYYY-MM-DD); default: the end of the budget month of `from`.',
} as const;

@Resolver()
export class ReportResolver {
  @Query(() => SpendingReport, {
    description: "Spending per top-level category in a period, with each one's budget.",
  })
  async spendingByCategory(
    @Arg('familyId', () => ID, familyArg) familyId: string | null,
    @Arg('from', () => LocalDateResolver, fromArg) from: string | null,
    @Arg('to', () => LocalDateResolver, toArg) to: string | null,
    @Ctx() ctx: Context,
  ): Promise<SpendingReport> {
    return (await ctx.finance()).reports.spendingByCategory(familyId, from, to);
  }

  @Query(() => CashFlowReport, {
    description: 'Income, spending and net for each of the last N budget months.',
  })
  async cashFlow(
    @Arg('familyId', () => ID, familyArg) familyId: string | null,
    @Arg('months', () => Int, {
      defaultValue: 6,
      description: 'How many months, 1 to 36, the current one included.',
    })
    months: number,
    @Ctx() ctx: Context,
  ): Promise<CashFlowReport> {
    return (await ctx.finance()).reports.cashFlow(familyId, months);
  }

  @Query(() => CashFlowForecast, {
    description:
      "Income, spending and the balance of all accounts expected in the next budget months from the family's schedules.",
  })
  async cashFlowForecast(
    @Arg('familyId', () => ID, familyArg) familyId: string | null,
    @Arg('months', () => Int, {
      defaultValue: 3,
      description: 'How many months, 1 to 12, the current one included.',
    })
    months: number,
    @Ctx() ctx: Context,
  ): Promise<CashFlowForecast> {
    return (await ctx.finance()).reports.cashFlowForecast(familyId, months);
  }

  @Query(() => NetWorth, { description: 'Balances per currency and their total in the base currency.' })
  async netWorth(
    @Arg('familyId', () => ID, familyArg) familyId: string | null,
    @Ctx() ctx: Context,
  ): Promise<NetWorth> {
    return (await ctx.finance()).reports.netWorth(familyId);
  }

  @Query(() => MemberSpendingReport, { description: 'How much each member paid for in a period.' })
  async spendingByMember(
    @Arg('familyId', () => ID, familyArg) familyId: string | null,
    @Arg('from', () => LocalDateResolver, fromArg) from: string | null,
    @Arg('to', () => LocalDateResolver, toArg) to: string | null,
    @Ctx() ctx: Context,
  ): Promise<MemberSpendingReport> {
    return (await ctx.finance()).reports.spendingByMember(familyId, from, to);
  }
}
