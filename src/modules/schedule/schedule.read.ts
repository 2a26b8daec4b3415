import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';
import type { OccurrenceStatus, ScheduleKind, ScheduleMode } from './schedule.entity.js';

/** The GraphQL `Schedule` as the read layer hands it over: amounts in minor units of `currency`. */
export const SCHEDULE = shape({
  id: col.text('id'),
  kind: col.enum<ScheduleKind>()('kind'),
  amount: col.bigint('amount'),
  amountMax: col.bigintOrNull('amount_max'),
  currency: col.text('currency'),
  note: col.textOrNull('note'),
  mode: col.enum<ScheduleMode>()('mode'),
  paused: col.bool('paused'),
  rrule: col.text('rrule'),
  startsOn: col.date('starts_on'),
  nextOn: col.dateOrNull('next_on'),
  accountId: col.text('account_id'),
  categoryId: col.textOrNull('category_id'),
  createdAt: col.timestamp('created_at'),
});

export type ScheduleRow = RowOf<typeof SCHEDULE>;

export const SCHEDULES: FamilyTable<ScheduleRow> = { table: 'schedule', shape: SCHEDULE };

/** An occurrence the runner or a member has handled. */
export const OCCURRENCE = shape({
  id: col.text('id'),
  scheduleId: col.text('schedule_id'),
  occursOn: col.date('occurs_on'),
  status: col.enum<OccurrenceStatus>()('status'),
  transactionId: col.textOrNull('transaction_id'),
});

export type OccurrenceRow = RowOf<typeof OCCURRENCE>;

export const OCCURRENCES: FamilyTable<OccurrenceRow> = { table: 'schedule_occurrence', shape: OCCURRENCE };
