import { addDays, addMonths, isoDate } from '../../shared/dates.js';

/** A budget month: from the family's month start day to the day before the next one, inclusive. */
export interface Period {
  /** YYYY-MM of the calendar month the period starts in; what SQL groups by (see `periodKeySql`). */
  key: string;
  start: string;
  end: string;
}

/**
 * The budget month that contains `date` (YYYY-MM-DD) for a month start day of 1..28. With start day 25,
 * 2025-02-10 belongs to the period 2025-01-25 .. 2025-02-24, keyed "2025-01".
 */
export function periodContaining(date: string, startDay: number): Period {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const starts = day >= startDay ? { year, month } : addMonths(year, month, -1);
  return periodStarting(starts.year, starts.month, startDay);
}

export function periodStarting(year: number, month: number, startDay: number): Period {
  const next = addMonths(year, month, 1);
  return {
    key: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    start: isoDate(year, month, startDay),
    end: addDays(isoDate(next.year, next.month, startDay), -1),
  };
}

/** The period `delta` months after `period`. */
export function shiftPeriod(period: Period, delta: number, startDay: number): Period {
  const [year, month] = period.key.split('-').map(Number) as [number, number];
  const shifted = addMonths(year, month, delta);
  return periodStarting(shifted.year, shifted.month, startDay);
}

/**
 * SQL for the period key of a date column. Shifting a date back by (start day - 1) days lands it in the
 * calendar month its period starts in, because every month has at least 28 days.
 */
export const periodKeySql = (column: string, startDayParam = '?') =>
  `to_char(${column} - (${startDayParam}::int - 1), 'YYYY-MM')`;
