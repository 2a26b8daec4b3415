import * as chrono from 'chrono-node';

/**
 * Dates in the words people use ("yesterday", "вчера", "gestern", "ayer", "on Monday", "5 nov") through
 * chrono, and day.month numbers ("12.11") read the European way, all in the family's time zone.
 * An entry records something that happened: a date without a year that would lie ahead is last year's,
 * a weekday ahead is last week's.
 */

export type Language = 'en' | 'ru' | 'de' | 'es';

const PARSERS: Record<Language, chrono.Chrono> = {
  en: chrono.en.casual,
  ru: chrono.ru.casual,
  de: chrono.de.casual,
  es: chrono.es.casual,
};
const ORDER: Language[] = ['en', 'ru', 'de', 'es'];
const YESTERDAY_SHORT = /(?<![\p{L}])(?:yday|ystd|yest)(?![\p{L}])/iu;

export interface DateContext {
  now: Date;
  timeZone: string;
  language: Language;
}

export interface FoundDate {
  /** YYYY-MM-DD in the time zone. */
  date: string;
  /** Character ranges of the message that said it (to leave out of the note). */
  spans: [number, number][];
}

/** Formatters per time zone: making one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let found = formatters.get(key);
  if (found === undefined) {
    found = make();
    formatters.set(key, found);
  }
  return found;
}

/** Today's calendar date in a time zone as [year, month, day]. */
export function localToday(now: Date, timeZone: string): [number, number, number] {
  const parts = formatter(
    `day:${timeZone}`,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return [get('year'), get('month'), get('day')];
}

/** The zone's offset from UTC at `now` in minutes (chrono takes offsets, not zone names). */
function offsetMinutes(now: Date, timeZone: string): number {
  const name = formatter(
    `offset:${timeZone}`,
    () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }),
  )
    .formatToParts(now)
    .find((p) => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const isRealDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

const shiftDays = (y: number, m: number, d: number, days: number): [number, number, number] => {
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
};

/** "12.11", "12.11.2026", "12.11.26": a day and a month (and maybe a year), as [day, month, year?]. */
export const DOTTED_DATE = /(?<![\d.,])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?![\d,]|\.\d)/g;

/** Reads a dotted date match, or null when it is no real date. */
export function dottedDate(match: RegExpExecArray, today: [number, number, number]): string | null {
  const day = Number(match[1]);
  const month = Number(match[2]);
  const yearText = match[3];
  let year = yearText === undefined ? today[0] : Number(yearText.length === 2 ? `20${yearText}` : yearText);
  if (!isRealDate(year, month, day)) return null;
  if (yearText === undefined && iso(year, month, day) > iso(...today)) year -= 1;
  return isRealDate(year, month, day) ? iso(year, month, day) : null;
}

/**
 * The first date chrono finds in words of the user's language (then the others), with a day or weekday
 * it is sure of; times alone ("at 5pm") are not dates of an entry.
 */
export function findWordDate(text: string, context: DateContext): FoundDate | undefined {
  const today = localToday(context.now, context.timeZone);
  const reference = { instant: context.now, timezone: offsetMinutes(context.now, context.timeZone) };
  // Chat shorthand chrono does not know.
  const shorthand = YESTERDAY_SHORT.exec(text);
  if (shorthand !== null) {
    const end = shorthand.index + shorthand[0].length;
    return { date: iso(...shiftDays(...today, -1)), spans: [[shorthand.index, end]] };
  }
  for (const language of [context.language, ...ORDER.filter((l) => l !== context.language)]) {
    for (const result of PARSERS[language].parse(text, reference)) {
      const start = result.start;
      if (!/\p{L}/u.test(result.text)) continue;
      // Whole words only: German "Fr" (Freitag) must not be read out of "Frühstück".
      const before = text[result.index - 1] ?? ' ';
      const after = text[result.index + result.text.length] ?? ' ';
      if (/[\p{L}\p{N}]/u.test(before) || /[\p{L}\p{N}]/u.test(after)) continue;
      if (!start.isCertain('day') && !start.isCertain('weekday')) continue;
      // "weekend" is a note ("30 travel weekend"), not a day.
      if (/weekend|wochenende|выходн|fin de semana/iu.test(result.text)) continue;
      let [y, m, d] = [start.get('year')!, start.get('month')!, start.get('day')!];
      if (iso(y, m, d) > iso(...today)) {
        if (!start.isCertain('day')) [y, m, d] = shiftDays(y, m, d, -7);
        else if (!start.isCertain('year')) y -= 1;
      }
      if (!isRealDate(y, m, d)) continue;
      return { date: iso(y, m, d), spans: dateSpans(result.text, result.index, start.isCertain('hour')) };
    }
  }
  return undefined;
}

/**
 * The parts of chrono's match that said the date. When it also read an hour ("yesterday 20" is
 * yesterday at 20:00 to chrono), the numbers are left out: they are the amount.
 */
function dateSpans(text: string, index: number, hasHour: boolean): [number, number][] {
  if (!hasHour) return [[index, index + text.length]];
  const spans: [number, number][] = [];
  for (const word of text.matchAll(/[\p{L}.]+/gu)) {
    spans.push([index + word.index, index + word.index + word[0].length]);
  }
  return spans;
}
