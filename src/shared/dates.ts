import { badInput } from './errors.js';

/** True for an IANA time zone name the runtime knows, e.g. "Europe/Berlin". */
export function isTimeZone(value: string): boolean {
  if (value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
}

/** One formatter per time zone: building one costs far more than using it. Zones are few (IANA names). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Validates a YYYY-MM-DD calendar date (no 2025-02-30), or throws BAD_USER_INPUT naming `field`. */
export function parseLocalDate(value: string, field: string): string {
  const match = ISO_DATE.exec(value);
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (year >= 1900 && year <= 2999 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day)
      return value;
  }
  throw badInput(field, `"${value.slice(0, 20)}" is not a date like 2025-01-31.`);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Adds calendar months to (year, month), month 1-12. */
export function addMonths(year: number, month: number, delta: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export const isoDate = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** A given YYYY-MM-DD day (validated, naming `field`), or today in `timeZone` when none is given. */
export function dayOrToday(
  value: string | null | undefined,
  field: string,
  now: Date,
  timeZone: string,
): string {
  return value == null ? localDate(now, timeZone) : parseLocalDate(value, field);
}
