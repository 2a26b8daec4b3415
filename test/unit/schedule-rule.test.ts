import rrule from 'rrule';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compileRule,
  nextOccurrence,
  occurrencesBetween,
  occursOn,
  ScheduleFrequency,
  Weekday,
  type CompiledRule,
  type RuleSpec,
} from '../../src/modules/schedule/schedule.rule.js';
import { addDays } from '../../src/shared/dates.js';

const { RRule } = rrule;

/**
 * Schedule expansion against rrule itself and against the rule's plain definition, on every day of 2027
 * and 2028 (a leap year), under process time zones with DST changes on different dates (and one with a
 * 30-minute shift): occurrences are floating days, so no zone may move one.
 */

const FIRST = '2027-01-01';
const LAST = '2028-12-31';
const DAYS = Array.from({ length: 731 }, (_, i) => addDays(FIRST, i));
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Auckland'];

const parts = (day: string) => day.split('-').map(Number) as [number, number, number];
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday .. 6 Saturday
const businessDay = (day: string) => weekday(day) >= 1 && weekday(day) <= 5;

interface Case {
  name: string;
  spec: RuleSpec;
  /** The rule's meaning, written without rrule. */
  expected: (day: string) => boolean;
  /** Occurrences in the two years. */
  count: number;
}

const CASES: Case[] = [
  {
    name: 'monthly on the 31st: 30th, 28th or 29th in shorter months',
    spec: { frequency: ScheduleFrequency.MONTHLY, dayOfMonth: 31, startsOn: FIRST },
    expected: (day) => {
      const [y, m, d] = parts(day);
      return d === daysInMonth(y, m);
    },
    count: 24,
  },
  {
    name: 'monthly on the 30th',
    spec: { frequency: ScheduleFrequency.MONTHLY, dayOfMonth: 30, startsOn: FIRST },
    expected: (day) => {
      const [y, m, d] = parts(day);
      return d === Math.min(30, daysInMonth(y, m));
    },
    count: 24,
  },
  {
    name: 'monthly on the 29th (28th in February 2027, 29th in February 2028)',
    spec: { frequency: ScheduleFrequency.MONTHLY, dayOfMonth: 29, startsOn: FIRST },
    expected: (day) => {
      const [y, m, d] = parts(day);
      return d === Math.min(29, daysInMonth(y, m));
    },
    count: 24,
  },
  {
    name: 'monthly on the 1st',
    spec: { frequency: ScheduleFrequency.MONTHLY, dayOfMonth: 1, startsOn: FIRST },
    expected: (day) => parts(day)[2] === 1,
    count: 24,
  },
  {
    name: 'the last business day of each month',
    spec: { frequency: ScheduleFrequency.MONTHLY, lastBusinessDay: true, startsOn: FIRST },
    expected: (day) => {
      if (!businessDay(day)) return false;
      const [y, m] = parts(day);
      for (let next = addDays(day, 1); parts(next)[1] === m && parts(next)[0] === y; next = addDays(next, 1))
        if (businessDay(next)) return false;
      return true;
    },
    count: 24,
  },
  {
    name: 'every two weeks on Friday, from Friday 2027-01-01',
    spec: {
      frequency: ScheduleFrequency.WEEKLY,
      interval: 2,
      weekdays: [Weekday.FRIDAY],
      startsOn: FIRST,
    },
    expected: (day) => {
      const since = (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${FIRST}T00:00:00Z`)) / 86_400_000;
      return since % 14 === 0;
    },
    count: 53,
  },
  {
    name: 'yearly on 29 February: the 28th in a common year',
    spec: { frequency: ScheduleFrequency.YEARLY, startsOn: '2024-02-29' },
    expected: (day) => {
      const [y, m, d] = parts(day);
      return m === 2 && d === daysInMonth(y, 2);
    },
    count: 2,
  },
  {
    name: 'daily, 10 times',
    spec: { frequency: ScheduleFrequency.DAILY, count: 10, startsOn: '2027-03-25' },
    expected: (day) => day >= '2027-03-25' && day <= '2027-04-03',
    count: 10,
  },
  {
    name: 'a raw RRULE: the first Monday of each month, until the end of October 2028',
    spec: { rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;UNTIL=20281031T000000Z', startsOn: FIRST },
    expected: (day) => weekday(day) === 1 && parts(day)[2] <= 7 && day <= '2028-10-31',
    count: 22,
  },
];

/** The rule's days by rrule's own expansion, with dtstart at the start as a UTC date. */
function byRrule(rule: CompiledRule): Set<string> {
  const expanded = new RRule({
    ...RRule.parseString(rule.rrule),
    dtstart: new Date(`${rule.startsOn}T00:00:00Z`),
  }).between(new Date(`${FIRST}T00:00:00Z`), new Date(`${LAST}T00:00:00Z`), true);
  return new Set(expanded.map((d) => d.toISOString().slice(0, 10)));
}

const originalZone = process.env.TZ;
afterEach(() => {
  if (originalZone === undefined) delete process.env.TZ;
  else process.env.TZ = originalZone;
});

describe.each(ZONES)('expansion with the process in %s', (zone) => {
  it.each(CASES)('$name', ({ spec, expected, count }) => {
    process.env.TZ = zone;
    const rule = compileRule(spec, 'input.rule', FIRST);
    const oracle = byRrule(rule);
    const listed = new Set(occurrencesBetween(rule, FIRST, LAST));
    let compared = 0;
    for (const day of DAYS) {
      const want = expected(day);
      expect(oracle.has(day), `rrule on ${day}`).toBe(want);
      expect(listed.has(day), `occurrencesBetween on ${day}`).toBe(want);
      expect(occursOn(rule, day), `occursOn ${day}`).toBe(want);
      if (want) compared++;
    }
    // An empty comparison would pass everything above.
    expect(compared).toBe(count);
    expect(oracle.size).toBe(count);
  });
});

describe('next occurrence', () => {
  it('steps from each occurrence to the next, month end to month end', () => {
    const rule = compileRule(
      { frequency: ScheduleFrequency.MONTHLY, dayOfMonth: 31, startsOn: '2027-12-31' },
      'input.rule',
      FIRST,
    );
    const seen: string[] = [];
    for (let day: string | null = rule.startsOn; day !== null && seen.length < 5;) {
      seen.push(day);
      day = nextOccurrence(rule, addDays(day, 1));
    }
    expect(seen).toEqual(['2027-12-31', '2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']);
  });

  it('ends with the rule', () => {
    const rule = compileRule(
      { frequency: ScheduleFrequency.DAILY, until: '2027-01-03', startsOn: FIRST },
      'input.rule',
      FIRST,
    );
    expect(occurrencesBetween(rule, FIRST, LAST)).toEqual(['2027-01-01', '2027-01-02', '2027-01-03']);
    expect(nextOccurrence(rule, '2027-01-04')).toBeNull();
  });
});
