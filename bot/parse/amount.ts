/**
 * Numbers as people type them, read exactly: digits are kept as a scaled bigint (value = units /
 * 10^scale) and never pass through a float. Which separator is a decimal point depends on the currency's
 * exponent where the text alone is ambiguous ("1,200" is 1200 EUR, but 1.200 KWD).
 */

/** units / 10^scale. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** The largest amount the API stores (PostgreSQL bigint of minor units); the API checks it again. */
export const MAX_MINOR_UNITS = 9_223_372_036_854_775_807n;

const SPACES = /[ \u00A0\u2009\u202F]/g;

/** Reads one written number ("1 200,50", "1,200", "1.5", "12") for a currency with `exponent` decimals. */
export function readNumber(raw: string, exponent: number): Decimal | null {
  let text = raw;
  if (SPACES.test(text)) {
    SPACES.lastIndex = 0;
    // Spaces only group thousands: "1 200" or "1 200,50".
    if (!/^\d{1,3}(?:[ \u00A0\u2009\u202F]\d{3})+(?:[.,]\d+)?$/.test(text)) return null;
    text = text.replace(SPACES, '');
  }
  SPACES.lastIndex = 0;
  const commas = count(text, ',');
  const dots = count(text, '.');
  let whole: string;
  let fraction = '';
  if (commas > 0 && dots > 0) {
    // Both: the last one is the decimal point, the other groups thousands ("1.200,50", "1,200.50").
    const decimal = text.lastIndexOf(',') > text.lastIndexOf('.') ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    if (count(text, decimal) !== 1) return null;
    const [head, tail] = text.split(decimal) as [string, string];
    if (!grouped(head, group)) return null;
    whole = head.split(group).join('');
    fraction = tail;
  } else if (commas + dots > 1) {
    const group = commas > 0 ? ',' : '.';
    if (!grouped(text, group)) return null;
    whole = text.split(group).join('');
  } else if (commas + dots === 1) {
    const [head, tail] = text.split(/[.,]/) as [string, string];
    // "1,200" groups thousands unless the currency really has three decimals (or the head is 0).
    const thousands =
      tail.length === 3 && exponent < 3 && head !== '0' && head !== '' && /^\d{1,3}$/.test(head);
    whole = thousands ? head + tail : head;
    fraction = thousands ? '' : tail;
  } else {
    whole = text;
  }
  if (!/^\d*$/.test(whole) || !/^\d*$/.test(fraction) || whole + fraction === '') return null;
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** "1.200.000" with `group` = ".": a 1-3 digit head and then groups of exactly three. */
const grouped = (text: string, group: string) => new RegExp(`^\\d{1,3}(?:\\${group}\\d{3})+$`).test(text);

export const add = (a: Decimal, b: Decimal, sign: 1n | -1n = 1n): Decimal => {
  const scale = Math.max(a.scale, b.scale);
  return {
    units: a.units * 10n ** BigInt(scale - a.scale) + sign * b.units * 10n ** BigInt(scale - b.scale),
    scale,
  };
};

export const times = (a: Decimal, factor: bigint): Decimal => ({ units: a.units * factor, scale: a.scale });

/**
 * Minor units of a currency with `exponent` decimals; null when the number has more (non-zero)
 * decimals than the currency allows.
 */
export function toMinor(value: Decimal, exponent: number): bigint | null {
  if (value.scale <= exponent) return value.units * 10n ** BigInt(exponent - value.scale);
  const drop = 10n ** BigInt(value.scale - exponent);
  if (value.units % drop !== 0n) return null;
  return value.units / drop;
}

/** Decimal text with exactly `exponent` decimals, as the API reads amounts: 1250n, 2 -> "12.50". */
export function minorToDecimal(minor: bigint, exponent: number): string {
  const digits = minor.toString().padStart(exponent + 1, '0');
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
