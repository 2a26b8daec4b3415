import 'reflect-metadata';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import {
  periodContaining,
  periodKeySql,
  periodStarting,
  shiftPeriod,
  type Period,
} from '../../src/modules/budget/period.js';
import { wholeMonthsLeft } from '../../src/modules/goal/goal.service.js';
import { addDays } from '../../src/shared/dates.js';

const period = (key: string, start: string, end: string): Period => ({ key, start, end });

describe('periodContaining with month start day 1 (calendar months)', () => {
  it('gives the calendar month of a date, keyed by that month', () => {
    expect(periodContaining('2025-03-10', 1)).toEqual(period('2025-03', '2025-03-01', '2025-03-31'));
    expect(periodContaining('2025-03-01', 1)).toEqual(period('2025-03', '2025-03-01', '2025-03-31'));
    expect(periodContaining('2025-03-31', 1)).toEqual(period('2025-03', '2025-03-01', '2025-03-31'));
    expect(periodContaining('2025-04-30', 1)).toEqual(period('2025-04', '2025-04-01', '2025-04-30'));
  });

  it('ends February on the 29th in a leap year and on the 28th otherwise', () => {
    expect(periodContaining('2024-02-15', 1)).toEqual(period('2024-02', '2024-02-01', '2024-02-29'));
    expect(periodContaining('2024-02-29', 1)).toEqual(period('2024-02', '2024-02-01', '2024-02-29'));
    expect(periodContaining('2025-02-15', 1)).toEqual(period('2025-02', '2025-02-01', '2025-02-28'));
    expect(periodContaining('2100-02-10', 1)).toEqual(period('2100-02', '2100-02-01', '2100-02-28'));
    expect(periodContaining('2000-02-10', 1)).toEqual(period('2000-02', '2000-02-01', '2000-02-29'));
  });

  it('wraps December into January of the next year and back', () => {
    const december = periodContaining('2024-12-31', 1);
    expect(december).toEqual(period('2024-12', '2024-12-01', '2024-12-31'));
    expect(shiftPeriod(december, 1, 1)).toEqual(period('2025-01', '2025-01-01', '2025-01-31'));
    expect(shiftPeriod(periodContaining('2025-01-01', 1), -1, 1)).toEqual(december);
    expect(shiftPeriod(december, 12, 1)).toEqual(period('2025-12', '2025-12-01', '2025-12-31'));
    expect(shiftPeriod(december, -13, 1)).toEqual(period('2023-11', '2023-11-01', '2023-11-30'));
    expect(shiftPeriod(december, 0, 1)).toEqual(december);
  });
});

describe('periodContaining with month start day 25', () => {
  it('puts 2025-02-10 into 2025-01-25 .. 2025-02-24, keyed 2025-01', () => {
    expect(periodContaining('2025-02-10', 25)).toEqual(period('2025-01', '2025-01-25', '2025-02-24'));
  });

  it('starts a new period on the 25th: 2025-02-25 .. 2025-03-24, keyed 2025-02', () => {
    expect(periodContaining('2025-02-25', 25)).toEqual(period('2025-02', '2025-02-25', '2025-03-24'));
    expect(periodContaining('2025-02-24', 25)).toEqual(period('2025-01', '2025-01-25', '2025-02-24'));
    expect(periodContaining('2025-03-24', 25)).toEqual(period('2025-02', '2025-02-25', '2025-03-24'));
  });

  it('wraps the year: early January belongs to the period that starts on December 25th', () => {
    expect(periodContaining('2025-01-05', 25)).toEqual(period('2024-12', '2024-12-25', '2025-01-24'));
    expect(periodContaining('2024-12-25', 25)).toEqual(period('2024-12', '2024-12-25', '2025-01-24'));
    expect(periodContaining('2024-12-24', 25)).toEqual(period('2024-11', '2024-11-25', '2024-12-24'));
    expect(shiftPeriod(periodContaining('2025-01-05', 25), 1, 25)).toEqual(
      period('2025-01', '2025-01-25', '2025-02-24'),
    );
    expect(shiftPeriod(periodContaining('2025-01-05', 25), -1, 25)).toEqual(
      period('2024-11', '2024-11-25', '2024-12-24'),
    );
  });

  it('periodStarting builds the period of a key', () => {
    expect(periodStarting(2025, 1, 25)).toEqual(period('2025-01', '2025-01-25', '2025-02-24'));
    expect(periodStarting(2024, 12, 25)).toEqual(period('2024-12', '2024-12-25', '2025-01-24'));
    expect(periodStarting(2024, 2, 1)).toEqual(period('2024-02', '2024-02-01', '2024-02-29'));
  });
});

describe('periodContaining with month start day 28 and February', () => {
  it('runs from January 28th to February 27th, then from February 28th', () => {
    expect(periodContaining('2025-02-27', 28)).toEqual(period('2025-01', '2025-01-28', '2025-02-27'));
    expect(periodContaining('2025-02-28', 28)).toEqual(period('2025-02', '2025-02-28', '2025-03-27'));
    expect(periodContaining('2025-03-27', 28)).toEqual(period('2025-02', '2025-02-28', '2025-03-27'));
    expect(periodContaining('2025-03-28', 28)).toEqual(period('2025-03', '2025-03-28', '2025-04-27'));
  });

  it('keeps February 29th of a leap year in the period that started on the 28th', () => {
    expect(periodContaining('2024-02-29', 28)).toEqual(period('2024-02', '2024-02-28', '2024-03-27'));
    expect(periodContaining('2024-02-28', 28)).toEqual(period('2024-02', '2024-02-28', '2024-03-27'));
    expect(periodContaining('2024-02-27', 28)).toEqual(period('2024-01', '2024-01-28', '2024-02-27'));
  });
});

describe('periods tile the calendar', () => {
  it('every day of 2024 and 2025 is inside its period, and consecutive periods touch', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const startDay of [1, 2, 15, 25, 28]) {
      for (let day = '2024-01-01'; day <= '2025-12-31'; day = addDays(day, 1)) {
        const p = periodContaining(day, startDay);
        const next = shiftPeriod(p, 1, startDay);
        checked += 1;
        if (!(p.start <= day && day <= p.end)) problems.push(`${day} not in ${JSON.stringify(p)}`);
        if (Number(p.start.slice(8)) !== startDay) problems.push(`${day}: ${p.start} is no day ${startDay}`);
        if (p.start.slice(0, 7) !== p.key) problems.push(`${day}: key ${p.key} for ${p.start}`);
        if (next.start !== addDays(p.end, 1)) problems.push(`${day}: gap before ${next.start}`);
        if (JSON.stringify(shiftPeriod(next, -1, startDay)) !== JSON.stringify(p))
          problems.push(`${day}: shifting back does not return`);
      }
    }
    expect(checked).toBe(731 * 5);
    expect(problems).toEqual([]);
  });
});

describe('periodKeySql on the real database', () => {
  it('agrees with periodContaining for every day of 2024 and 2025, start days 1, 15 and 28', async () => {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ day: string; start_day: number; key: string }>(
        `select to_char(g.day, 'YYYY-MM-DD') as day, s.start_day,
                ${periodKeySql('g.day', 's.start_day')} as key
           from (select d::date as day
                   from generate_series('2024-01-01'::date, '2025-12-31'::date, interval '1 day') as d) as g
          cross join (values (1), (15), (28)) as s(start_day)`,
      );
      expect(rows).toHaveLength(731 * 3);
      const mismatches = rows.filter((r) => periodContaining(r.day, r.start_day).key !== r.key);
      expect(mismatches).toEqual([]);
      // Spot checks, so that an empty comparison cannot pass by accident.
      const keyOf = (day: string, startDay: number) =>
        rows.find((r) => r.day === day && r.start_day === startDay)?.key;
      expect(keyOf('2025-02-10', 15)).toBe('2025-01');
      expect(keyOf('2025-03-27', 28)).toBe('2025-02');
      expect(keyOf('2024-03-27', 28)).toBe('2024-02');
      expect(keyOf('2025-01-01', 1)).toBe('2025-01');
      expect(keyOf('2025-01-14', 15)).toBe('2024-12');
    } finally {
      await client.end();
    }
  });
});

describe('wholeMonthsLeft', () => {
  it('counts whole months from today to the deadline', () => {
    expect(wholeMonthsLeft('2025-03-10', '2026-01-10')).toBe(10);
    expect(wholeMonthsLeft('2025-03-10', '2026-01-09')).toBe(9);
    expect(wholeMonthsLeft('2025-03-10', '2026-01-11')).toBe(10);
    expect(wholeMonthsLeft('2025-03-10', '2025-04-10')).toBe(1);
    expect(wholeMonthsLeft('2024-12-15', '2025-02-15')).toBe(2);
    expect(wholeMonthsLeft('2025-01-31', '2025-03-31')).toBe(2);
  });

  it('is at least 1: a deadline this month or in the past wants everything now', () => {
    expect(wholeMonthsLeft('2025-03-10', '2025-03-31')).toBe(1);
    expect(wholeMonthsLeft('2025-03-10', '2025-04-09')).toBe(1);
    expect(wholeMonthsLeft('2025-03-10', '2025-03-10')).toBe(1);
    expect(wholeMonthsLeft('2025-03-10', '2024-01-01')).toBe(1);
  });
});
