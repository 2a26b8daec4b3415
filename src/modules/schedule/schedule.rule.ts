import rrule, { type Options } from 'rrule';
import { addDays, parseLocalDate } from '../../shared/dates.js';
import { badInput } from '../../shared/errors.js';

// rrule ships CommonJS without named exports Node can see: its classes come from the default export.
const { RRule, Frequency } = rrule;

export enum ScheduleFrequency {
  DAILY = 'DAILY',
  WEEKLY = 'WEEKLY',
  MONTHLY = 'MONTHLY',
  YEARLY = 'YEARLY',
}

export enum Weekday {
  MONDAY = 'MO',
  TUESDAY = 'TU',
  WEDNESDAY = 'WE',
  THURSDAY = 'TH',
  FRIDAY = 'FR',
  SATURDAY = 'SA',
  SUNDAY = 'SU',
}

/** A rule as a client gives it: presets, or a raw RFC 5545 RRULE for power users (not both). */
export interface RuleSpec {
  frequency?: ScheduleFrequency | null;
  interval?: number | null;
  dayOfMonth?: number | null;
  lastBusinessDay?: boolean | null;
  weekdays?: Weekday[] | null;
  startsOn?: string | null;
  until?: string | null;
  count?: number | null;
  rrule?: string | null;
}

/** A validated rule: the RRULE value (no DTSTART) and the day it is anchored on. */
export interface CompiledRule {
  rrule: string;
  startsOn: string;
}

const MAX_INTERVAL = 999;
const MAX_COUNT = 10_000;

/**
 * Turns presets or a raw RRULE into one canonical RRULE value. Errors are BAD_USER_INPUT naming the
 * field under `path` (e.g. `input.rule.dayOfMonth`). `today` is the default start.
 */
export function compileRule(spec: RuleSpec, path: string, today: string): CompiledRule {
  const field = (name: string) => `${path}.${name}`;
  const startsOn = spec.startsOn == null ? today : parseLocalDate(spec.startsOn, field('startsOn'));
  const hasPreset =
    spec.frequency != null ||
    spec.interval != null ||
    spec.dayOfMonth != null ||
    spec.lastBusinessDay != null ||
    spec.weekdays != null ||
    spec.until != null ||
    spec.count != null;
  let compiled: string;
  if (spec.rrule != null) {
    if (hasPreset) {
      throw badInput(field('rrule'), 'Give either an RRULE or the preset fields (frequency, ...), not both.');
    }
    compiled = parseRawRule(spec.rrule, field('rrule'));
  } else {
    if (spec.frequency == null) throw badInput(field('frequency'), 'Give a frequency or an RRULE.');
    compiled = compilePreset(spec, startsOn, field);
  }
  if (nextOccurrence({ rrule: compiled, startsOn }, startsOn) === null) {
    throw badInput(spec.rrule != null ? field('rrule') : path, 'This rule never occurs.');
  }
  return { rrule: compiled, startsOn };
}

function compilePreset(spec: RuleSpec, startsOn: string, field: (name: string) => string): string {
  const frequency = spec.frequency!;
  const [, month, day] = startsOn.split('-').map(Number) as [number, number, number];
  const parts = [`FREQ=${frequency}`];
  const interval = spec.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1 || interval > MAX_INTERVAL) {
    throw badInput(field('interval'), `An interval from 1 to ${MAX_INTERVAL}.`);
  }
  if (interval > 1) parts.push(`INTERVAL=${interval}`);

  const monthly = frequency === ScheduleFrequency.MONTHLY || frequency === ScheduleFrequency.YEARLY;
  if (spec.dayOfMonth != null && !monthly) {
    throw badInput(field('dayOfMonth'), 'A day of the month needs a monthly or yearly frequency.');
  }
  if (spec.lastBusinessDay === true && !monthly) {
    throw badInput(field('lastBusinessDay'), 'The last business day needs a monthly or yearly frequency.');
  }
  if (spec.lastBusinessDay === true && spec.dayOfMonth != null) {
    throw badInput(field('lastBusinessDay'), 'Give a day of the month or the last business day, not both.');
  }
  if (spec.weekdays != null && frequency !== ScheduleFrequency.WEEKLY) {
    throw badInput(field('weekdays'), 'Weekdays need a weekly frequency.');
  }
  if (frequency === ScheduleFrequency.YEARLY) parts.push(`BYMONTH=${month}`);
  if (spec.lastBusinessDay === true) {
    // The last Monday-to-Friday of the month: of all its weekdays, the last one.
    parts.push('BYDAY=MO,TU,WE,TH,FR', 'BYSETPOS=-1');
  } else if (monthly) {
    const dayOfMonth = spec.dayOfMonth ?? day;
    if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31) {
      throw badInput(field('dayOfMonth'), 'A day of the month from 1 to 31.');
    }
    parts.push(...monthDay(dayOfMonth));
  }
  if (spec.weekdays != null) {
    if (spec.weekdays.length === 0) throw badInput(field('weekdays'), 'At least one weekday.');
    parts.push(`BYDAY=${[...new Set(spec.weekdays)].join(',')}`);
  }
  if (spec.until != null && spec.count != null) {
    throw badInput(field('count'), 'Give an end date or a count, not both.');
  }
  if (spec.until != null) {
    const until = parseLocalDate(spec.until, field('until'));
    if (until < startsOn) throw badInput(field('until'), 'The end date is before the start.');
    parts.push(`UNTIL=${until.replaceAll('-', '')}T000000Z`);
  }
  if (spec.count != null) {
    if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > MAX_COUNT) {
      throw badInput(field('count'), `A count from 1 to ${MAX_COUNT}.`);
    }
    parts.push(`COUNT=${spec.count}`);
  }
  return parts.join(';');
}

/**
 * Day N of every month, where a month without day N takes its last day: of the days 28..N the month has,
 * the last one (so the 31st falls on the 30th, 29th or 28th).
 */
function monthDay(day: number): string[] {
  if (day <= 28) return [`BYMONTHDAY=${day}`];
  const days = Array.from({ length: day - 27 }, (_, i) => 28 + i);
  return [`BYMONTHDAY=${days.join(',')}`, 'BYSETPOS=-1'];
}

/** Occurrences are whole days: anything finer than daily, or with a time of day, is refused. */
function parseRawRule(text: string, field: string): string {
  const value = text.trim().replace(/^RRULE:/i, '');
  if (value === '' || value.length > 500 || /[\r\n]/.test(value)) {
    throw badInput(field, 'One RRULE line like FREQ=MONTHLY;BYMONTHDAY=1 (put the start in startsOn).');
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(value);
  } catch (error) {
    throw badInput(field, `Not a valid RRULE: ${error instanceof Error ? error.message : 'unreadable'}.`);
  }
  if (options.freq === undefined || options.freq === null) {
    throw badInput(field, 'The RRULE needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.');
  }
  if (options.freq > Frequency.DAILY) {
    throw badInput(field, 'Schedules repeat daily at most often (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).');
  }
  if (options.byhour != null || options.byminute != null || options.bysecond != null) {
    throw badInput(field, 'Occurrences are whole days: BYHOUR, BYMINUTE and BYSECOND are not allowed.');
  }
  if (options.dtstart != null || options.tzid != null) {
    throw badInput(field, 'Put the start in startsOn; DTSTART and TZID are not allowed.');
  }
  if (options.interval != null && (options.interval < 1 || options.interval > MAX_INTERVAL)) {
    throw badInput(field, `INTERVAL from 1 to ${MAX_INTERVAL}.`);
  }
  if (options.count != null && (options.count < 1 || options.count > MAX_COUNT)) {
    throw badInput(field, `COUNT from 1 to ${MAX_COUNT}.`);
  }
  return RRule.optionsToString(options).replace(/^RRULE:/, '');
}

/** Floating days as UTC midnights: no time zone and so no DST change can move an occurrence. */
const midnight = (day: string) => new Date(`${day}T00:00:00Z`);
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

function ruleOf({ rrule: value, startsOn }: CompiledRule) {
  return new RRule({ ...RRule.parseString(value), dtstart: midnight(startsOn) });
}

/** The first occurrence on or after `day`, or null when the rule has ended. */
export function nextOccurrence(rule: CompiledRule, day: string): string | null {
  const next = ruleOf(rule).after(midnight(day), true);
  return next === null ? null : dayOf(next);
}

/** Every occurrence from `from` to `to`, both included, in order. */
export function occurrencesBetween(rule: CompiledRule, from: string, to: string): string[] {
  return ruleOf(rule).between(midnight(from), midnight(to), true).map(dayOf);
}

/** True when `day` is an occurrence of the rule. */
export const occursOn = (rule: CompiledRule, day: string): boolean => nextOccurrence(rule, day) === day;

/** The day after `day`. */
export const dayAfter = (day: string): string => addDays(day, 1);

/**
 * The rule in English, from rrule's `toText()`. It does not read BYSETPOS, so the two presets that rely on
 * it are described here instead of as "on the 28th, 29th, 30th and 31st".
 */
export function describeRule({ rrule: value }: CompiledRule): string {
  const options = RRule.parseString(value);
  const setpos = options.bysetpos;
  if (setpos != null && (Array.isArray(setpos) ? setpos : [setpos]).join() === '-1') {
    const every = describeEvery(options);
    const days = options.bymonthday;
    if (days != null) {
      const last = Math.max(...(Array.isArray(days) ? days : [days]));
      return `${every} on the ${ordinal(last)}, or the month's last day when it is shorter${ending(options)}`;
    }
    if (options.byweekday != null) return `${every} on the last business day${ending(options)}`;
  }
  return new RRule(options).toText();
}

function describeEvery(options: Partial<Options>): string {
  const interval = options.interval ?? 1;
  if (options.freq === Frequency.YEARLY) {
    const monthIndex = Array.isArray(options.bymonth) ? options.bymonth[0] : options.bymonth;
    const month = new Date(Date.UTC(2000, (monthIndex ?? 1) - 1, 1)).toLocaleString('en', {
      month: 'long',
      timeZone: 'UTC',
    });
    return `${interval === 1 ? 'every year' : `every ${interval} years`} in ${month}`;
  }
  return interval === 1 ? 'every month' : `every ${interval} months`;
}

function ending(options: Partial<Options>): string {
  if (options.count != null) return `, ${options.count} times`;
  if (options.until != null) return ` until ${dayOf(options.until)}`;
  return '';
}

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11
      ? 'st'
      : n % 10 === 2 && n !== 12
        ? 'nd'
        : n % 10 === 3 && n !== 13
          ? 'rd'
          : 'th';
  return `${n}${suffix}`;
}
