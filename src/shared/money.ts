import currencyCodes from 'currency-codes';
import { badInput } from './errors.js';

/**
 * Money is an integer count of a currency's minor units (cents, fils, yen) held in a bigint, with the
 * ISO 4217 code beside it. It crosses the wire as a decimal string ("12.50") and never becomes a float.
 * This module is the only place that converts between the two.
 */

/** Codes that are not money: "no currency" and the testing code. */
const NOT_MONEY = new Set(['XXX', 'XTS']);

/** PostgreSQL bigint bounds: the largest number of minor units a column can hold. */
export const MAX_MINOR_UNITS = 9_223_372_036_854_775_807n;

const DECIMAL_SHAPE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** The number of decimal places of an ISO 4217 currency (JPY 0, USD 2, KWD 3), or undefined if unknown. */
export function currencyExponent(code: string): number | undefined {
  if (NOT_MONEY.has(code)) return undefined;
  return currencyCodes.code(code)?.digits;
}

/** Returns the upper-cased code of a known ISO 4217 currency, or throws BAD_USER_INPUT naming `field`. */
export function parseCurrency(value: string, field: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || currencyExponent(code) === undefined) {
    throw badInput(field, `"${value.slice(0, 16)}" is not an ISO 4217 currency code.`);
  }
  return code;
}

export interface AmountRules {
  /** Allow zero (default: no). */
  allowZero?: boolean;
  /** Allow negative amounts (default: no). */
  allowNegative?: boolean;
}

/**
 * Parses a decimal string into minor units of `currency`. More decimals than the currency has, a
 * malformed number, or a sign/zero the rules forbid -> BAD_USER_INPUT naming `field`.
 */
export function parseAmount(value: string, currency: string, field: string, rules: AmountRules = {}): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw badInput(field, `Unknown currency ${currency}.`);
  const match = DECIMAL_SHAPE.exec(value.trim());
  if (match === null || value.length > 40) {
    throw badInput(field, `"${value.slice(0, 40)}" is not a decimal amount like 12.50.`);
  }
  const [, minus, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    throw badInput(
      field,
      exponent === 0
        ? `${currency} amounts have no decimal places.`
        : `${currency} amounts have at most ${exponent} decimal places.`,
    );
  }
  const magnitude = BigInt(whole! + fraction.padEnd(exponent, '0'));
  if (magnitude > MAX_MINOR_UNITS) throw badInput(field, 'Amount is too large.');
  const minor = minus === undefined ? magnitude : -magnitude;
  if (minor === 0n && rules.allowZero !== true) throw badInput(field, 'Amount must not be zero.');
  if (minor < 0n && rules.allowNegative !== true) throw badInput(field, 'Amount must be positive.');
  return minor;
}

/** Formats minor units as a plain decimal string with exactly the currency's decimals: 1250n USD -> "12.50". */
export function formatAmount(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency) ?? 2;
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/**
 * Converts minor units between currencies at a decimal rate string ("1.0825" units of `to` per unit of
 * `from`; with `inverse`, units of `from` per unit of `to`), rounding half away from zero to the target's
 * minor unit. Exact: no floats anywhere.
 */
export function convertAmount(
  minor: bigint,
  from: string,
  to: string,
  rate: string,
  inverse = false,
): bigint {
  const match = DECIMAL_SHAPE.exec(rate);
  if (match === null || match[1] !== undefined) throw new Error(`invalid rate ${rate}`);
  const rateDecimals = BigInt((match[3] ?? '').length);
  const rateScaled = BigInt(match[2]! + (match[3] ?? ''));
  if (rateScaled === 0n) throw new Error('zero rate');
  const fromExp = BigInt(currencyExponent(from) ?? 2);
  const toExp = BigInt(currencyExponent(to) ?? 2);
  // value in `to` units = minor / 10^fromExp * rate, with rate = rateScaled / 10^rateDecimals (or its inverse)
  const [rateNum, rateDen] = inverse ? [10n ** rateDecimals, rateScaled] : [rateScaled, 10n ** rateDecimals];
  return divideRoundHalfAway(minor * rateNum * 10n ** toExp, rateDen * 10n ** fromExp);
}

function divideRoundHalfAway(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (n + d / 2n) / d;
  return negative ? -quotient : quotient;
}

/** part / whole in percent with one decimal, rounded half up, exactly: 813n of 1000n -> "81.3". */
export function percentOf(part: bigint, whole: bigint): string {
  const tenths = (part * 1000n + whole / 2n) / whole;
  return `${tenths / 10n}.${tenths % 10n}`;
}

/**
 * An exact amount of money: minor units of a currency, as services hand amounts over. The GraphQL
 * `Money` type reads its `amount` (the decimal text, made only when selected) and `currency`; in JSON
 * (a notification's payload) it is the same pair.
 */
export class Amount {
  constructor(
    readonly minor: bigint,
    readonly currency: string,
  ) {}

  /** Decimal text with the currency's decimals, e.g. "12.50". */
  get amount(): string {
    return formatAmount(this.minor, this.currency);
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.amount, currency: this.currency };
  }
}
