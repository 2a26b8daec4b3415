import { MAX_MINOR_UNITS, add, minorToDecimal, readNumber, times, toMinor, type Decimal } from './amount.js';
import { currencyOf, exponentOf } from './currency.js';
import { DOTTED_DATE, dottedDate, findWordDate, localToday, type Language } from './dates.js';
import { normalizeWord } from './category.js';
import { INCOME_WORDS } from './synonyms.js';

/**
 * Reads an entry the way people type it: the amount anywhere (thousands, `k`, `12+8`, a currency symbol,
 * code or word on either side, a sign), a date in words or as day.month, and the rest as words for the
 * category and the note. Exact throughout: amounts are bigint minor units, never floats.
 */

export interface ParseContext {
  /** The clock: relative dates are read against it. */
  now: Date;
  /** The family's time zone: "yesterday" is yesterday there. */
  timeZone: string;
  /** The user's language: its date words are tried first. */
  language: Language;
  /** The currency when the text names none (the family's base currency). */
  defaultCurrency: string;
  /** Codes that count in lower case too (the family's account currencies). */
  knownCurrencies?: ReadonlySet<string>;
}

export interface ParsedEntry {
  /** Minor units of `currency`, > 0. */
  minor: bigint;
  /** The same as decimal text with the currency's decimals ("12.50"), as the API takes it. */
  amount: string;
  currency: string;
  /** Whether the text named the currency (otherwise it is the default). */
  currencyGiven: boolean;
  /** "+500" is income, "-20" an expense; undefined when unsigned. */
  sign: 'plus' | 'minus' | undefined;
  /** YYYY-MM-DD when the text gave a date. */
  occurredOn: string | undefined;
  /** The other words, in order: category and note. */
  words: string[];
  /** A word such as "income" or "получил" marks income. */
  incomeWord: boolean;
}

export type ParseFailure = 'no-amount' | 'not-positive' | 'too-precise' | 'too-large';
export type ParseResult = { ok: true; value: ParsedEntry } | { ok: false; reason: ParseFailure };

/** Longer messages are read up to here; the rest is left to the note's truncation. */
const READ_LIMIT = 1000;
const MAX_DIGITS = 40;

const NUM = String.raw`(?:\d{1,3}(?:[ \u00A0\u2009\u202F]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*|[.,]\d+)`;
const THOUSAND = String.raw`(?:[kкKК]|\s?(?:тыс\.?|тысяч[аи]?|тыщ[аи]?|thousand|tsd\.?|mil))(?![\p{L}\p{N}])`;
const TERM = `${NUM}(?:${THOUSAND})?`;
const EXPRESSION = new RegExp(
  String.raw`(?<![\p{N}.,:/+\-−])([+\-−]?)(${TERM}(?:\s?\+\s?${TERM}|-${TERM})*)(?![\p{N}:%/])`,
  'gu',
);
const TERM_IN = new RegExp(String.raw`([+\-]?)\s*(${NUM})(${THOUSAND})?`, 'gu');

interface Candidate {
  start: number;
  end: number;
  sign: 'plus' | 'minus' | undefined;
  expression: string;
  currency: string | undefined;
}

/** Parses one message; `ok: false` says why there is no entry in it. */
export function parseEntry(input: string, context: ParseContext): ParseResult {
  let text = input.slice(0, READ_LIMIT);
  const known = context.knownCurrencies ?? new Set<string>();
  const today = localToday(context.now, context.timeZone);
  const spans: [number, number][] = [];
  const mask = (from: number, to: number) => {
    spans.push([from, to]);
    text = text.slice(0, from) + ' '.repeat(to - from) + text.slice(to);
  };

  let occurredOn: string | undefined;
  const worded = findWordDate(text, {
    now: context.now,
    timeZone: context.timeZone,
    language: context.language,
  });
  if (worded !== undefined) {
    occurredOn = worded.date;
    for (const [from, to] of worded.spans) mask(from, to);
  }
  const dotted = [...text.matchAll(DOTTED_DATE)];
  let candidates = findCandidates(text, known);
  for (const match of dotted) {
    const from = match.index;
    const to = from + match[0].length;
    const others = candidates.filter((c) => c.end <= from || c.start >= to);
    // "12.11" alone is an amount; beside another number, or with a year, it is the date.
    if (occurredOn !== undefined || (match[3] === undefined && others.length === 0)) continue;
    const date = dottedDate(match, today);
    if (date === null) continue;
    occurredOn = date;
    mask(from, to);
    candidates = others;
  }
  if (candidates.length === 0) return { ok: false, reason: 'no-amount' };

  const valued = candidates.map((c) => {
    const currency = c.currency ?? context.defaultCurrency;
    return { candidate: c, currency, value: evaluate(c.expression, exponentOf(currency) ?? 2) };
  });
  const readable = valued.filter((v) => v.value !== null) as {
    candidate: Candidate;
    currency: string;
    value: Decimal | 'too-large';
  }[];
  if (readable.length === 0) return { ok: false, reason: 'no-amount' };
  const rank = (v: (typeof readable)[number]) =>
    (v.candidate.currency !== undefined ? 2 : 0) + (v.candidate.sign !== undefined ? 1 : 0);
  const best = readable.reduce((a, b) => {
    if (rank(a) !== rank(b)) return rank(b) > rank(a) ? b : a;
    return compare(b.value, a.value) > 0 ? b : a;
  });
  if (best.value === 'too-large') return { ok: false, reason: 'too-large' };
  const exponent = exponentOf(best.currency) ?? 2;
  const minor = toMinor(best.value, exponent);
  if (minor === null) return { ok: false, reason: 'too-precise' };
  if (minor <= 0n) return { ok: false, reason: 'not-positive' };
  if (minor > MAX_MINOR_UNITS) return { ok: false, reason: 'too-large' };
  mask(best.candidate.start, best.candidate.end);

  const words = text.split(/\s+/).filter((w) => w !== '' && /[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(w));
  return {
    ok: true,
    value: {
      minor,
      amount: minorToDecimal(minor, exponent),
      currency: best.currency,
      currencyGiven: best.candidate.currency !== undefined,
      sign: best.candidate.sign,
      occurredOn,
      words,
      incomeWord: words.some((w) => INCOME_WORDS.has(normalizeWord(w))),
    },
  };
}

/** Every number or sum in the text with the sign and currency written next to it. */
function findCandidates(text: string, known: ReadonlySet<string>): Candidate[] {
  const found: Candidate[] = [];
  for (const match of text.matchAll(EXPRESSION)) {
    const signText = match[1]!;
    let start = match.index;
    let end = start + match[0].length;
    // A sign counts only at the start of a word ("wi-fi 20" has none).
    if (signText !== '' && start > 0 && !/\s/.test(text[start - 1]!)) continue;
    let currency: string | undefined;
    const gluedBefore = /[^\s\d]+$/u.exec(text.slice(0, start))?.[0] ?? '';
    if (gluedBefore !== '') {
      const code = currencyOf(gluedBefore, known) ?? currencyOf(trimPunctuation(gluedBefore), known);
      if (code !== undefined) {
        currency = code;
        start -= gluedBefore.length;
      } else if (/\p{L}$/u.test(gluedBefore)) continue;
    }
    const gluedAfter = /^[^\s]+/u.exec(text.slice(end))?.[0] ?? '';
    if (gluedAfter !== '') {
      const code = currencyOf(gluedAfter, known) ?? currencyOf(trimPunctuation(gluedAfter), known);
      if (code !== undefined && currency === undefined) {
        currency = code;
        end += gluedAfter.length;
      } else if (/^\p{L}/u.test(gluedAfter)) continue;
    }
    if (currency === undefined) {
      const after = /^\s+(\S+)/u.exec(text.slice(end));
      const code =
        after === null
          ? undefined
          : (currencyOf(after[1]!, known) ?? currencyOf(trimPunctuation(after[1]!), known));
      if (code !== undefined) {
        currency = code;
        end += after![0].length;
      }
    }
    if (currency === undefined && gluedBefore === '') {
      const before = /(\S+)\s+$/u.exec(text.slice(0, start));
      const code = before === null ? undefined : currencyOf(before[1]!, known);
      if (code !== undefined) {
        currency = code;
        start -= before![0].length;
      }
    }
    found.push({
      start,
      end,
      sign: signText === '+' ? 'plus' : signText === '' ? undefined : 'minus',
      expression: match[2]!,
      currency,
    });
  }
  return found;
}

const trimPunctuation = (word: string) => word.replace(/[,!?;:)]+$/u, '').replace(/^[(]+/u, '');

/** The exact value of "12+8", "1 200,50", "1.5k"; 'too-large' past any sane length, null if unreadable. */
function evaluate(expression: string, exponent: number): Decimal | 'too-large' | null {
  if (expression.replace(/\D/g, '').length > MAX_DIGITS) return 'too-large';
  let total: Decimal = { units: 0n, scale: 0 };
  for (const term of expression.matchAll(TERM_IN)) {
    let value = readNumber(term[2]!, exponent);
    if (value === null) return null;
    if (term[3] !== undefined) value = times(value, 1000n);
    total = add(total, value, term[1] === '-' ? -1n : 1n);
  }
  return total;
}

function compare(a: Decimal | 'too-large', b: Decimal | 'too-large'): number {
  if (a === 'too-large' || b === 'too-large') return a === b ? 0 : a === 'too-large' ? 1 : -1;
  const left = a.units * 10n ** BigInt(b.scale);
  const right = b.units * 10n ** BigInt(a.scale);
  return left === right ? 0 : left > right ? 1 : -1;
}

/** Cuts a long note at a word boundary, with an ellipsis, within `max` characters. */
export function truncateNote(note: string, max = 200): string {
  if (note.length <= max) return note;
  const cut = note.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
