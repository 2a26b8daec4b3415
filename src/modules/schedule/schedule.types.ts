import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/money.types.js';
import { OccurrenceStatus, ScheduleKind, ScheduleMode } from './schedule.entity.js';
import type { OccurrenceRow, ScheduleRow } from './schedule.read.js';
import { ScheduleFrequency, Weekday } from './schedule.rule.js';

registerEnumType(ScheduleKind, {
  name: 'ScheduleKind',
  description: 'What a schedule records.',
  valuesConfig: {
    EXPENSE: { description: 'Money going out (rent, subscriptions).' },
    INCOME: { description: 'Money coming in (salary).' },
  },
});

registerEnumType(ScheduleMode, {
  name: 'ScheduleMode',
  description: 'What happens on the day of an occurrence.',
  valuesConfig: {
    AUTO_POST: { description: 'The server records the transaction by itself.' },
    ASK_FIRST: { description: "The family's members are asked to record or skip it." },
  },
});

registerEnumType(OccurrenceStatus, {
  name: 'OccurrenceStatus',
  description: 'How an occurrence of a schedule was handled.',
  valuesConfig: {
    POSTED: { description: 'Recorded by the server (auto-post).' },
    PENDING: { description: 'Due and waiting for a member to record or skip it.' },
    RECORDED: { description: 'Recorded by a member.' },
    SKIPPED: { description: 'Skipped by a member: no transaction.' },
  },
});

registerEnumType(ScheduleFrequency, {
  name: 'ScheduleFrequency',
  description: 'How often a preset rule repeats (times its interval).',
  valuesConfig: {
    DAILY: { description: 'Every day.' },
    WEEKLY: { description: 'Every week.' },
    MONTHLY: { description: 'Every month.' },
    YEARLY: { description: 'Every year.' },
  },
});

registerEnumType(Weekday, {
  name: 'Weekday',
  description: 'A day of the week.',
  valuesConfig: {
    MONDAY: { description: 'Monday.' },
    TUESDAY: { description: 'Tuesday.' },
    WEDNESDAY: { description: 'Wednesday.' },
    THURSDAY: { description: 'Thursday.' },
    FRIDAY: { description: 'Friday.' },
    SATURDAY: { description: 'Saturday.' },
    SUNDAY: { description: 'Sunday.' },
  },
});

export enum UpcomingStatus {
  PENDING = 'pending',
  PLANNED = 'planned',
}

registerEnumType(UpcomingStatus, {
  name: 'UpcomingStatus',
  description: 'Whether an upcoming item waits for an answer or is still ahead.',
  valuesConfig: {
    PENDING: { description: 'Due (ask-first): record or skip it.' },
    PLANNED: { description: 'An occurrence still to come (or due and about to be handled).' },
  },
});

/**
 * The GraphQL `Schedule`; resolvers receive a `ScheduleRow` (amounts, description, account and category
 * in schedule.resolver.ts).
 */
@ObjectType('Schedule', {
  description: 'A recurring expense or income the server records, or asks about, on its days.',
})
export class ScheduleObject implements Pick<
  ScheduleRow,
  'id' | 'kind' | 'currency' | 'note' | 'mode' | 'paused' | 'rrule' | 'startsOn' | 'nextOn' | 'createdAt'
> {
  @Field(() => ID, { description: 'Stable identifier of the schedule.' })
  id!: string;

  @Field(() => ScheduleKind, { description: 'Expense or income.' })
  kind!: ScheduleKind;

  @Field(() => String, { description: "ISO 4217 currency: the account's." })
  currency!: string;

  @Field(() => String, { nullable: true, description: 'Note of the transactions it records.' })
  note!: string | null;

  @Field(() => ScheduleMode, { description: 'Recorded automatically, or asked about first.' })
  mode!: ScheduleMode;

  @Field(() => Boolean, { description: 'A paused schedule records and asks nothing.' })
  paused!: boolean;

  @Field(() => String, {
    description: 'The rule as an RFC 5545 RRULE value (without DTSTART), e.g. "FREQ=MONTHLY;BYMONTHDAY=1".',
  })
  rrule!: string;

  @Field(() => LocalDateResolver, { description: 'The day the rule counts from.' })
  startsOn!: string;

  @Field(() => LocalDateResolver, {
    nullable: true,
    description: 'The next occurrence not handled yet; null once the rule has ended.',
  })
  nextOn!: string | null;

  @Field(() => DateTimeISOResolver, { description: 'When the schedule was created.' })
  createdAt!: Date;
}

/** The GraphQL `ScheduledOccurrence`; schedule and transaction in schedule.resolver.ts. */
@ObjectType('ScheduledOccurrence', { description: 'One occurrence of a schedule that has been handled.' })
export class OccurrenceObject implements Pick<OccurrenceRow, 'id' | 'occursOn' | 'status'> {
  @Field(() => ID, { description: 'Stable identifier of the occurrence.' })
  id!: string;

  @Field(() => LocalDateResolver, { description: 'The day of the occurrence.' })
  occursOn!: string;

  @Field(() => OccurrenceStatus, { description: 'How it was handled.' })
  status!: OccurrenceStatus;
}

@ObjectType({ description: 'An item ahead of the family: a due ask-first occurrence or a planned one.' })
export class UpcomingTransaction {
  @Field(() => ScheduleObject, { description: 'The schedule it comes from.' })
  schedule!: ScheduleRow;

  @Field(() => LocalDateResolver, { description: 'The day of the occurrence.' })
  occursOn!: string;

  @Field(() => UpcomingStatus, { description: 'Waiting for an answer, or still ahead.' })
  status!: UpcomingStatus;

  @Field(() => Money, { description: 'The amount; the low end when it is approximate.' })
  amount!: Money;

  @Field(() => Money, { nullable: true, description: 'The high end of an approximate amount.' })
  amountMax!: Money | null;
}
