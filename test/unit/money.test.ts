import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.js';
import {
  MAX_MINOR_UNITS,
  convertAmount,
  currencyExponent,
  formatAmount,
  parseAmount,
  parseCurrency,
  type AmountRules,
} from '../../src/shared/money.js';

const FIELD = 'input.amount';

/** The AppError a call throws (failing the test when it returns or throws anything else). */
function errorOf(call: () => unknown): AppError {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`expected a BAD_USER_INPUT, got ${String(result)}`);
}

function expectBadInput(call: () => unknown, field: string): void {
  const error = errorOf(call);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  expect(error.extensions.field).toBe(field);
}

const parse = (value: string, currency: string, rules?: AmountRules) =>
  parseAmount(value, currency, FIELD, rules);

describe('currency exponents', () => {
  it('knows JPY 0, USD and EUR 2, KWD 3', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('treats the no-currency and testing codes and unknown codes as not money', () => {
    expect(currencyExponent('XXX')).toBeUndefined();
    expect(currencyExponent('XTS')).toBeUndefined();
    expect(currencyExponent('ABC')).toBeUndefined();
  });
});

describe('parseCurrency', () => {
  it('returns the upper-cased code of a known currency, trimming blanks', () => {
    expect(parseCurrency('USD', 'input.currency')).toBe('USD');
    expect(parseCurrency('usd ', 'input.currency')).toBe('USD');
    expect(parseCurrency(' jpy', 'input.currency')).toBe('JPY');
    expect(parseCurrency('Kwd', 'input.currency')).toBe('KWD');
  });

  it.each(['ABC', 'XXX', 'XTS', 'xxx', '', '   ', 'US', 'USDD', 'U$D', '123', 'EU R'])(
    'rejects %j naming the field',
    (value) => {
      expectBadInput(() => parseCurrency(value, 'input.currency'), 'input.currency');
    },
  );
});

describe('parseAmount', () => {
  it('parses whole yen (exponent 0)', () => {
    expect(parse('1234', 'JPY')).toBe(1234n);
    expect(parse('1', 'JPY')).toBe(1n);
  });

  it('rejects any decimal places in yen', () => {
    expectBadInput(() => parse('12.5', 'JPY'), FIELD);
    expectBadInput(() => parse('12.0', 'JPY'), FIELD);
  });

  it('parses cents (exponent 2), padding missing decimals', () => {
    expect(parse('12.5', 'USD')).toBe(1250n);
    expect(parse('12.50', 'USD')).toBe(1250n);
    expect(parse('12', 'EUR')).toBe(1200n);
    expect(parse('0.01', 'EUR')).toBe(1n);
    expect(parse('007.10', 'USD')).toBe(710n);
  });

  it('rejects more decimals than the currency has, naming the field', () => {
    expectBadInput(() => parse('12.345', 'USD'), FIELD);
    expectBadInput(() => parse('12.500', 'USD'), FIELD);
    expectBadInput(() => parse('0.001', 'EUR'), FIELD);
    expectBadInput(() => parseAmount('12.345', 'USD', 'input.toAmount'), 'input.toAmount');
  });

  it('parses fils (exponent 3)', () => {
    expect(parse('1.234', 'KWD')).toBe(1234n);
    expect(parse('1.2', 'KWD')).toBe(1200n);
    expect(parse('0.001', 'KWD')).toBe(1n);
  });

  it('rejects a fourth decimal in KWD', () => {
    expectBadInput(() => parse('1.2345', 'KWD'), FIELD);
  });

  it('rejects zero unless allowZero', () => {
    for (const zero of ['0', '0.00', '-0', '0.0']) {
      expectBadInput(() => parse(zero, 'USD'), FIELD);
      expect(parse(zero, 'USD', { allowZero: true })).toBe(0n);
    }
  });

  it('rejects negative amounts unless allowNegative', () => {
    expectBadInput(() => parse('-5', 'USD'), FIELD);
    expectBadInput(() => parse('-0.01', 'USD', { allowZero: true }), FIELD);
    expect(parse('-5', 'USD', { allowNegative: true })).toBe(-500n);
    expect(parse('-5', 'JPY', { allowNegative: true })).toBe(-5n);
    expect(parse('-0.001', 'KWD', { allowNegative: true })).toBe(-1n);
  });

  it.each([
    '1e3',
    '1E3',
    '1,5',
    '1 000',
    ' ',
    '',
    'abc',
    '--1',
    '+5',
    '1.',
    '.5',
    '0x10',
    '1.2.3',
    'Infinity',
    'NaN',
  ])('rejects the malformed amount %j', (value) => {
    expectBadInput(() => parse(value, 'USD', { allowZero: true, allowNegative: true }), FIELD);
  });

  it('rejects an absurdly long number before doing bigint work on it', () => {
    expectBadInput(() => parse('1'.repeat(41), 'USD'), FIELD);
  });

  it('rejects an unknown or non-money currency, naming the field', () => {
    expectBadInput(() => parse('1', 'ABC'), FIELD);
    expectBadInput(() => parse('1', 'XXX'), FIELD);
  });

  it('keeps every digit beyond 2^53 and round-trips through formatAmount', () => {
    expect(parse('92233720368547758.07', 'USD')).toBe(9223372036854775807n);
    expect(parse('92233720368547758.07', 'USD')).toBe(MAX_MINOR_UNITS);
    expect(formatAmount(9223372036854775807n, 'USD')).toBe('92233720368547758.07');
    expect(parse('9223372036854775807', 'JPY')).toBe(MAX_MINOR_UNITS);
    expect(parse('9223372036854775.807', 'KWD')).toBe(MAX_MINOR_UNITS);
    expect(parse('-92233720368547758.07', 'USD', { allowNegative: true })).toBe(-MAX_MINOR_UNITS);

    // 2^53 + 1: the first integer a float cannot hold.
    expect(parse('90071992547409.93', 'USD')).toBe(9007199254740993n);
    expect(formatAmount(9007199254740993n, 'USD')).toBe('90071992547409.93');
    for (const [text, currency] of [
      ['90071992547409.93', 'USD'],
      ['12345678901234567.89', 'EUR'],
      ['9007199254740993', 'JPY'],
      ['9007199254740.993', 'KWD'],
    ] as const) {
      expect(formatAmount(parse(text, currency), currency)).toBe(text);
    }
  });

  it('rejects one minor unit over the bigint maximum', () => {
    expectBadInput(() => parse('92233720368547758.08', 'USD'), FIELD);
    expectBadInput(() => parse('9223372036854775808', 'JPY'), FIELD);
    expectBadInput(() => parse('9223372036854775.808', 'KWD'), FIELD);
    expectBadInput(() => parse('-92233720368547758.08', 'USD', { allowNegative: true }), FIELD);
    expectBadInput(() => parse('99999999999999999999999999', 'USD'), FIELD);
  });
});

describe('formatAmount', () => {
  it("writes exactly the currency's decimals, padding with zeros", () => {
    expect(formatAmount(5n, 'USD')).toBe('0.05');
    expect(formatAmount(-5n, 'USD')).toBe('-0.05');
    expect(formatAmount(0n, 'EUR')).toBe('0.00');
    expect(formatAmount(1250n, 'USD')).toBe('12.50');
    expect(formatAmount(-123456n, 'EUR')).toBe('-1234.56');
    expect(formatAmount(5n, 'JPY')).toBe('5');
    expect(formatAmount(-5n, 'JPY')).toBe('-5');
    expect(formatAmount(0n, 'JPY')).toBe('0');
    expect(formatAmount(1234n, 'KWD')).toBe('1.234');
    expect(formatAmount(1n, 'KWD')).toBe('0.001');
    expect(formatAmount(-10n, 'KWD')).toBe('-0.010');
  });

  it('is the inverse of parseAmount', () => {
    for (const [text, currency] of [
      ['0.05', 'USD'],
      ['-0.05', 'USD'],
      ['12.50', 'EUR'],
      ['5', 'JPY'],
      ['1.234', 'KWD'],
      ['-0.001', 'KWD'],
    ] as const) {
      expect(formatAmount(parse(text, currency, { allowNegative: true }), currency)).toBe(text);
    }
  });
});

describe('convertAmount', () => {
  it('converts across exponents', () => {
    // 10.00 USD at 150.123 JPY per USD = 1501.23 JPY -> 1501
    expect(convertAmount(1000n, 'USD', 'JPY', '150.123')).toBe(1501n);
    // 100 JPY at 0.0067 USD per JPY = 0.67 USD
    expect(convertAmount(100n, 'JPY', 'USD', '0.0067')).toBe(67n);
    // 1.000 KWD at 3.25 USD per KWD = 3.25 USD
    expect(convertAmount(1000n, 'KWD', 'USD', '3.25')).toBe(325n);
    // 12.50 EUR at 1.0825 = 13.53125 USD -> 13.53
    expect(convertAmount(1250n, 'EUR', 'USD', '1.0825')).toBe(1353n);
    expect(convertAmount(1250n, 'EUR', 'USD', '1.08250000')).toBe(1353n);
    expect(convertAmount(1250n, 'EUR', 'KWD', '1')).toBe(12500n);
  });

  it('rounds half away from zero, on both signs', () => {
    // 0.01 USD at 0.5 = 0.005 EUR: exactly half a cent
    expect(convertAmount(1n, 'USD', 'EUR', '0.5')).toBe(1n);
    expect(convertAmount(-1n, 'USD', 'EUR', '0.5')).toBe(-1n);
    expect(convertAmount(3n, 'USD', 'EUR', '0.5')).toBe(2n);
    expect(convertAmount(-3n, 'USD', 'EUR', '0.5')).toBe(-2n);
    // 1 JPY at 0.005 USD = 0.5 cent
    expect(convertAmount(1n, 'JPY', 'USD', '0.005')).toBe(1n);
    expect(convertAmount(-1n, 'JPY', 'USD', '0.005')).toBe(-1n);
    // just below half rounds toward zero
    expect(convertAmount(1n, 'JPY', 'USD', '0.004999')).toBe(0n);
    expect(convertAmount(-1n, 'JPY', 'USD', '0.004999')).toBe(0n);
    // 0.01 USD at 150 JPY = 1.5 JPY
    expect(convertAmount(1n, 'USD', 'JPY', '150')).toBe(2n);
    expect(convertAmount(-1n, 'USD', 'JPY', '150')).toBe(-2n);
    // 0.005 KWD at 3.25 = 0.01625 USD = 1.625 cents -> 2; 0.001 KWD -> 0.325 cents -> 0
    expect(convertAmount(5n, 'KWD', 'USD', '3.25')).toBe(2n);
    expect(convertAmount(1n, 'KWD', 'USD', '3.25')).toBe(0n);
  });

  it('is exact where floats are not', () => {
    // 2^53 + 1 cents: a float would drop the last cent.
    expect(convertAmount(9007199254740993n, 'USD', 'EUR', '1')).toBe(9007199254740993n);
    // half of 2^53 + 1 is ...496.5 -> ...497 (a float says ...496)
    expect(convertAmount(9007199254740993n, 'USD', 'EUR', '0.5')).toBe(4503599627370497n);
    expect(convertAmount(MAX_MINOR_UNITS, 'USD', 'EUR', '1.0')).toBe(MAX_MINOR_UNITS);
    // 0.1 + 0.2 territory: 0.30 USD at 1.1 = 0.33 exactly
    expect(convertAmount(30n, 'USD', 'EUR', '1.1')).toBe(33n);
  });

  it('divides by the rate when it is quoted the other way round', () => {
    // 1.00 USD at 3 USD per EUR = 0.3333 EUR -> 0.33
    expect(convertAmount(100n, 'USD', 'EUR', '3', true)).toBe(33n);
    expect(convertAmount(150n, 'USD', 'EUR', '3', true)).toBe(50n);
    // 0.01 USD at 2 USD per EUR = 0.005 EUR -> 0.01 (half away from zero)
    expect(convertAmount(1n, 'USD', 'EUR', '2', true)).toBe(1n);
    expect(convertAmount(-1n, 'USD', 'EUR', '2', true)).toBe(-1n);
  });

  it('refuses a rate that is not a positive decimal', () => {
    for (const rate of ['-1', 'abc', '1e3', '', '0', '0.000']) {
      expect(() => convertAmount(100n, 'USD', 'EUR', rate)).toThrow();
    }
  });
});
