import { LocalDateResolver } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { DecimalScalar, Money, money } from '../../graphql/money.types.js';
import type { AccountRow } from '../account/account.read.js';
import { AccountObject } from '../account/account.types.js';
import type { CategoryRow } from '../category/category.read.js';
import { CategoryObject } from '../category/category.types.js';
import type { TransactionRow } from '../transaction/transaction.read.js';
import { TransactionObject } from '../transaction/transaction.types.js';
import { CreateScheduleInput, UpdateScheduleInput } from './schedule.inputs.js';
import type { OccurrenceRow, ScheduleRow } from './schedule.read.js';
import { describeRule } from './schedule.rule.js';
import { OccurrenceObject, ScheduleObject, UpcomingTransaction } from './schedule.types.js';

@Resolver(() => ScheduleObject)
export class ScheduleResolver {
  @Query(() => [ScheduleObject], { description: "The family's schedules, oldest first." })
  async schedules(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Ctx() ctx: Context,
  ): Promise<ScheduleRow[]> {
    return (await ctx.finance()).schedules.list(familyId);
  }

  @Query(() => [UpcomingTransaction], {
    description:
      'What is coming up: due ask-first occurrences waiting for an answer, then planned occurrences up to ' +
      '`days` days from today.',
  })
  async upcomingTransactions(
    @Arg('familyId', () => ID, {
      nullable: true,
      description: "The family; default: the caller's default family.",
    })
    familyId: string | null,
    @Arg('days', () => Int, { defaultValue: 30, description: 'How far ahead, 0 to 366 days.' }) days: number,
    @Ctx() ctx: Context,
  ): Promise<UpcomingTransaction[]> {
    return (await ctx.finance()).schedules.upcoming(familyId, days);
  }

  @Mutation(() => ScheduleObject, {
    description: 'Creates a recurring expense or income (members and up). One due today is handled at once.',
  })
  async createSchedule(
    @Arg('input', () => CreateScheduleInput, { description: 'The new schedule.' }) input: CreateScheduleInput,
    @Ctx() ctx: Context,
  ): Promise<ScheduleRow> {
    return (await ctx.finance()).schedules.create(await ctx.principal(), input);
  }

  @Mutation(() => ScheduleObject, {
    description: 'Pauses or resumes a schedule, or changes its amount, note, mode or rule.',
  })
  async updateSchedule(
    @Arg('id', () => ID, { description: 'The schedule.' }) id: string,
    @Arg('input', () => UpdateScheduleInput, { description: 'The changes.' }) input: UpdateScheduleInput,
    @Ctx() ctx: Context,
  ): Promise<ScheduleRow> {
    return (await ctx.finance()).schedules.update(id, input);
  }

  @Mutation(() => ID, {
    description: 'Deletes a schedule; the transactions it recorded stay. Returns its id.',
  })
  async deleteSchedule(
    @Arg('id', () => ID, { description: 'The schedule.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return (await ctx.finance()).schedules.delete(id);
  }

  @Mutation(() => OccurrenceObject, {
    description:
      'Records an occurrence as a transaction: a due ask-first one, or any one ahead of its day. ' +
      'CONFLICT when it was already recorded or skipped.',
  })
  async recordScheduledOccurrence(
    @Arg('scheduleId', () => ID, { description: 'The schedule.' }) scheduleId: string,
    @Arg('occursOn', () => LocalDateResolver, { description: 'The day of the occurrence (YYYY-MM-DD).' })
    occursOn: string,
    @Arg('amount', () => DecimalScalar, {
      nullable: true,
      description: "The real amount; default: the schedule's. An approximate one must lie within its range.",
    })
    amount: string | null,
    @Ctx() ctx: Context,
  ): Promise<OccurrenceRow> {
    return (await ctx.finance()).schedules.record(await ctx.principal(), scheduleId, occursOn, amount);
  }

  @Mutation(() => OccurrenceObject, {
    description: 'Skips an occurrence: nothing is recorded for it. CONFLICT when it was already answered.',
  })
  async skipScheduledOccurrence(
    @Arg('scheduleId', () => ID, { description: 'The schedule.' }) scheduleId: string,
    @Arg('occursOn', () => LocalDateResolver, { description: 'The day of the occurrence (YYYY-MM-DD).' })
    occursOn: string,
    @Ctx() ctx: Context,
  ): Promise<OccurrenceRow> {
    return (await ctx.finance()).schedules.skip(scheduleId, occursOn);
  }

  @FieldResolver(() => Money, { description: 'The amount; the low end when it is approximate.' })
  amount(@Root() schedule: ScheduleRow): Money {
    return money(schedule.amount, schedule.currency);
  }

  @FieldResolver(() => Money, {
    nullable: true,
    description: 'The high end of an approximate amount; null for a fixed one.',
  })
  amountMax(@Root() schedule: ScheduleRow): Money | null {
    return schedule.amountMax === null ? null : money(schedule.amountMax, schedule.currency);
  }

  @FieldResolver(() => String, { description: 'The rule in words, e.g. "every month on the 1st".' })
  description(@Root() schedule: ScheduleRow): string {
    return describeRule({ rrule: schedule.rrule, startsOn: schedule.startsOn });
  }

  @FieldResolver(() => AccountObject, { description: 'The account money leaves or arrives in.' })
  async account(@Root() schedule: ScheduleRow, @Ctx() ctx: Context): Promise<AccountRow | null> {
    return (await ctx.finance()).loaders.account.load(schedule.accountId);
  }

  @FieldResolver(() => CategoryObject, { nullable: true, description: 'The category, if any.' })
  async category(@Root() schedule: ScheduleRow, @Ctx() ctx: Context): Promise<CategoryRow | null> {
    return schedule.categoryId === null
      ? null
      : (await ctx.finance()).loaders.category.load(schedule.categoryId);
  }
}

@Resolver(() => OccurrenceObject)
export class OccurrenceResolver {
  @FieldResolver(() => ScheduleObject, { description: 'The schedule it belongs to.' })
  async schedule(@Root() occurrence: OccurrenceRow, @Ctx() ctx: Context): Promise<ScheduleRow | null> {
    return (await ctx.finance()).schedules.load(occurrence.scheduleId);
  }

  @FieldResolver(() => TransactionObject, {
    nullable: true,
    description: 'The transaction it recorded; null when skipped, pending, or the transaction was deleted.',
  })
  async transaction(@Root() occurrence: OccurrenceRow, @Ctx() ctx: Context): Promise<TransactionRow | null> {
    return occurrence.transactionId === null
      ? null
      : (await ctx.finance()).transactions.reads.one('t.id = ?', occurrence.transactionId);
  }
}
