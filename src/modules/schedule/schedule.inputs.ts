import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar } from '../../graphql/money.types.js';
import { ScheduleKind, ScheduleMode } from './schedule.entity.js';
import { ScheduleFrequency, Weekday, type RuleSpec } from './schedule.rule.js';

@InputType({
  description:
    'When a schedule occurs: a frequency with presets, or a raw RFC 5545 RRULE (not both). Days are ' +
    "calendar days in the family's time zone.",
})
export class ScheduleRuleInput implements RuleSpec {
  @Field(() => ScheduleFrequency, { nullable: true, description: 'Preset: how often it repeats.' })
  frequency?: ScheduleFrequency | null;

  @Field(() => Int, { nullable: true, description: 'Preset: every N periods, e.g. 2 for every two weeks.' })
  interval?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Preset, monthly or yearly: day 1 to 31; a shorter month takes its last day. Default: startsOn's day.",
  })
  dayOfMonth?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Preset, monthly or yearly: the last Monday-to-Friday of the month.',
  })
  lastBusinessDay?: boolean | null;

  @Field(() => [Weekday], {
    nullable: true,
    description: "Preset, weekly: the days of the week. Default: startsOn's weekday.",
  })
  weekdays?: Weekday[] | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description:
      'The day the rule counts from (YYYY-MM-DD); default today. Occurrences before today are not posted.',
  })
  startsOn?: string | null;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'Preset: the last possible day (YYYY-MM-DD).',
  })
  until?: string | null;

  @Field(() => Int, { nullable: true, description: 'Preset: how many occurrences in all.' })
  count?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A raw RRULE instead of the presets, e.g. "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1". DAILY at most often; ' +
      'no DTSTART (use startsOn), no times of day.',
  })
  rrule?: string | null;
}

@InputType({ description: 'A new schedule.' })
export class CreateScheduleInput {
  @Field(() => ID, { description: 'The account money leaves or arrives in; its family owns the schedule.' })
  accountId!: string;

  @Field(() => ID, { nullable: true, description: 'A category of the same kind.' })
  categoryId?: string | null;

  @Field(() => ScheduleKind, { description: 'Expense or income.' })
  kind!: ScheduleKind;

  @Field(() => DecimalScalar, {
    description: "The amount in the account's currency; the low end when amountMax is given.",
  })
  amount!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Makes the amount approximate: the high end of its range, above amount.',
  })
  amountMax?: string | null;

  @Field(() => String, { nullable: true, description: 'Note of the transactions, up to 500 characters.' })
  note?: string | null;

  @Field(() => ScheduleMode, {
    defaultValue: ScheduleMode.AUTO_POST,
    description: 'Record automatically (default) or ask first.',
  })
  mode!: ScheduleMode;

  @Field(() => ScheduleRuleInput, { description: 'When it occurs.' })
  rule!: ScheduleRuleInput;
}

@InputType({ description: 'Changes to a schedule; omitted fields stay as they are.' })
export class UpdateScheduleInput {
  @Field(() => Boolean, {
    nullable: true,
    description: 'Pause (true) or resume (false). Occurrences missed while paused are not posted.',
  })
  paused?: boolean | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'New amount (the low end of a range).' })
  amount?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'New high end of the range.' })
  amountMax?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True makes the amount fixed again.' })
  clearAmountMax?: boolean | null;

  @Field(() => String, { nullable: true, description: 'New note; an empty one removes it.' })
  note?: string | null;

  @Field(() => ScheduleMode, { nullable: true, description: 'Record automatically or ask first.' })
  mode?: ScheduleMode | null;

  @Field(() => ScheduleRuleInput, {
    nullable: true,
    description: 'A new rule; occurrences from today on follow it.',
  })
  rule?: ScheduleRuleInput | null;
}
