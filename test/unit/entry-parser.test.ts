import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MINOR_UNITS as BOT_MAX, minorToDecimal, readNumber } from '../../bot/parse/amount.js';
import { matchCategory, type CategoryOption } from '../../bot/parse/category.js';
import { currencyOf } from '../../bot/parse/currency.js';
import { parseEntry, truncateNote, type ParseContext, type ParsedEntry } from '../../bot/parse/entry.js';
import { understand } from '../../bot/parse/understand.js';
import { formatMoney, monthArgument, progressBar } from '../../bot/replies/format.js';
import { CategoryKind } from '../../src/modules/category/category.entity.js';
import { DEFAULT_CATEGORIES } from '../../src/modules/category/default-categories.js';
import { MAX_MINOR_UNITS } from '../../src/shared/money.js';

/** A Tuesday noon in Berlin. */
const NOW = new Date('2026-12-01T11:00:00Z');
const CONTEXT: ParseContext = { now: NOW, timeZone: 'Europe/Berlin', language: 'en', defaultCurrency: 'EUR' };

/** The categories a new family starts with, as the bot gets them from the API. */
const CATEGORIES: CategoryOption[] = DEFAULT_CATEGORIES.flatMap((parent) =>
  [parent, ...(parent.children ?? [])].map((c) => ({
    id: c.name,
    name: c.name,
    aliases: c.aliases,
    kind: parent.kind === CategoryKind.INCOME ? ('INCOME' as const) : ('EXPENSE' as const),
  })),
);
const EXPENSES = CATEGORIES.filter((c) => c.kind === 'EXPENSE');

function parsed(text: string, context: Partial<ParseContext> = {}): ParsedEntry {
  const result = parseEntry(text, { ...CONTEXT, ...context });
  if (!result.ok) throw new Error(`"${text}" was rejected (${result.reason})`);
  return result.value;
}

describe('amounts', () => {
  it.each([
    ['250 groceries', '250.00', 'EUR', ['groceries']],
    ['groceries 250', '250.00', 'EUR', ['groceries']],
    ['coffee 3.50', '3.50', 'EUR', ['coffee']],
    ['12,50 groceries', '12.50', 'EUR', ['groceries']],
    ['12+8 taxi', '20.00', 'EUR', ['taxi']],
    ['10.5 + 0,25 lunch', '10.75', 'EUR', ['lunch']],
    ['12+8-3,5 x', '16.50', 'EUR', ['x']],
    ['1 200 rent', '1200.00', 'EUR', ['rent']],
    ['1\u202F200 rent', '1200.00', 'EUR', ['rent']],
    ['1\u00A0200,50 rent', '1200.50', 'EUR', ['rent']],
    ['1,200 rent', '1200.00', 'EUR', ['rent']],
    ['1.200,50 € rent', '1200.50', 'EUR', ['rent']],
    ['1,200.50 rent', '1200.50', 'EUR', ['rent']],
    ['1.234.567 x', '1234567.00', 'EUR', ['x']],
    ['2k rent', '2000.00', 'EUR', ['rent']],
    ['1.5к такси', '1500.00', 'EUR', ['такси']],
    ['15 тыс ремонт', '15000.00', 'EUR', ['ремонт']],
    ['40 тыщ квартира', '40000.00', 'EUR', ['квартира']],
    ['€12', '12.00', 'EUR', []],
    ['12€', '12.00', 'EUR', []],
    ['$5+2.5 taxi', '7.50', 'USD', ['taxi']],
    ['€ 12 lunch', '12.00', 'EUR', ['lunch']],
    ['EUR 12', '12.00', 'EUR', []],
    ['30 USD fuel', '30.00', 'USD', ['fuel']],
    ['30 usd fuel', '30.00', 'USD', ['fuel']],
    ['12zł bread', '12.00', 'PLN', ['bread']],
    ['300 р. такси', '300.00', 'RUB', ['такси']],
    ['500 руб обед', '500.00', 'RUB', ['обед']],
    ['500 рублей обед', '500.00', 'RUB', ['обед']],
    ['20 euro lunch', '20.00', 'EUR', ['lunch']],
    ['20 евро обед', '20.00', 'EUR', ['обед']],
    ['20 bucks beer', '20.00', 'USD', ['beer']],
    ['1,200 KWD', '1.200', 'KWD', []],
    ['1,200 JPY', '1200', 'JPY', []],
    ['🍕 15', '15.00', 'EUR', ['🍕']],
  ])('%j -> %s %s', (text, amount, currency, words) => {
    const entry = parsed(text);
    expect([entry.amount, entry.currency, entry.words]).toEqual([amount, currency, words]);
  });

  it('keeps three-letter words that are no ISO 4217 code as words', () => {
    expect(parsed('20 BAR drinks')).toMatchObject({
      currency: 'EUR',
      currencyGiven: false,
      words: ['BAR', 'drinks'],
    });
    // "all" in lower case is a word, not the Albanian lek; in capitals it is the code.
    expect(parsed('250 all').words).toEqual(['all']);
    expect(parsed('250 ALL').currency).toBe('ALL');
    expect(currencyOf('XAU')).toBeUndefined();
    expect(parsed('12.5chf', { knownCurrencies: new Set(['CHF']) }).currency).toBe('CHF');
  });

  it('reads a sign as the kind', () => {
    expect(parsed('+500 salary').sign).toBe('plus');
    expect(parsed('-20 taxi').sign).toBe('minus');
    expect(parsed('wi-fi 20').sign).toBeUndefined();
  });

  it('picks the amount among several numbers: a currency first, then the largest', () => {
    expect(parsed('2 coffees 7.50').amount).toBe('7.50');
    expect(parsed('30 groceries 2 kg apples')).toMatchObject({
      amount: '30.00',
      words: ['groceries', '2', 'kg', 'apples'],
    });
    expect(parsed('2 tickets €12').amount).toBe('12.00');
  });

  it.each([
    ['hi', 'no-amount'],
    ['', 'no-amount'],
    ["what's my balance?", 'no-amount'],
    ['5-7 taxi', 'not-positive'],
    ['0 groceries', 'not-positive'],
    ['12.50 JPY sushi', 'too-precise'],
    ['12.3456 lunch', 'too-precise'],
    ['12345678901234567890 groceries', 'too-large'],
    ['9'.repeat(60), 'too-large'],
    ['iphone15', 'no-amount'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(parseEntry(text, CONTEXT)).toEqual({ ok: false, reason });
  });

  it('takes the largest amount the API stores, and not one unit more', () => {
    expect(BOT_MAX).toBe(MAX_MINOR_UNITS);
    expect(parsed(`${MAX_MINOR_UNITS} JPY`).minor).toBe(MAX_MINOR_UNITS);
    expect(parseEntry(`${MAX_MINOR_UNITS + 1n} JPY`, CONTEXT)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('reads long messages and keeps a short note', () => {
    const long = `25 groceries ${'and some more words '.repeat(200)}`;
    const result = understand(long, CONTEXT, EXPENSES);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.entry.amount).toBe('25.00');
    expect(result.value.match.note.length).toBeLessThanOrEqual(200);
    expect(result.value.match.note.endsWith('…')).toBe(true);
    expect(truncateNote('short')).toBe('short');
  });
});

/** Writes minor units the way people do, in one of the supported forms. */
function written(minor: bigint, exponent: number, style: number): string {
  const digits = minor.toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : digits.slice(-exponent);
  const group = (sep: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const withFraction = (w: string, point: string) =>
    fraction === '' || /^0+$/.test(fraction) ? w : `${w}${point}${fraction}`;
  switch (style) {
    case 0:
      return withFraction(whole, '.');
    case 1:
      return withFraction(whole, ',');
    case 2:
      return withFraction(group(' '), ',');
    case 3:
      return withFraction(group('\u00A0'), '.');
    case 4:
      return withFraction(group('\u2009'), ',');
    case 5:
      // Commas group, a point ends; with a single group and no decimals this reads unambiguously only
      // when the currency has fewer than three decimals.
      return exponent >= 3 && fraction !== '' ? `${group(',')}.${fraction}` : withFraction(group(','), '.');
    case 6:
      return exponent >= 3 && fraction !== '' ? `${group('.')},${fraction}` : withFraction(group('.'), ',');
    default:
      // "2k" or "1.5k" where the amount is a whole number of hundreds.
      if (/^0+$/.test(fraction) && whole.length > 3 && whole.endsWith('00') && BigInt(whole) > 0n) {
        const thousands = whole.slice(0, -3);
        const rest = whole.slice(-3, -2);
        return rest === '0' ? `${thousands}k` : `${thousands}.${rest}k`;
      }
      return withFraction(whole, '.');
  }
}

describe('amounts written any supported way read back exactly (property)', () => {
  const currencies = [
    { code: 'EUR', exponent: 2, symbol: '€' },
    { code: 'USD', exponent: 2, symbol: '$' },
    { code: 'JPY', exponent: 0, symbol: '¥' },
    { code: 'KWD', exponent: 3, symbol: undefined },
    { code: 'RUB', exponent: 2, symbol: '₽' },
  ];

  it('in minor units, for every style, currency, position and word order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.oneof(fc.bigInt({ min: 1n, max: 100_000_000n }), fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS })),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom('before', 'after', 'none', 'symbol'),
        fc.boolean(),
        (currency, minor, style, place, wordFirst) => {
          const number = written(minor, currency.exponent, style);
          const mark = place === 'symbol' ? (currency.symbol ?? currency.code) : currency.code;
          const amount =
            place === 'before'
              ? `${mark} ${number}`
              : place === 'after' || place === 'symbol'
                ? `${number} ${mark}`
                : number;
          const text = wordFirst ? `groceries ${amount}` : `${amount} groceries`;
          const result = parseEntry(text, { ...CONTEXT, defaultCurrency: currency.code });
          if (!result.ok) throw new Error(`${JSON.stringify(text)} refused: ${result.reason}`);
          expect(result.value.minor).toBe(minor);
          expect(result.value.currency).toBe(currency.code);
          expect(result.value.amount).toBe(minorToDecimal(minor, currency.exponent));
          expect(result.value.words).toEqual(['groceries']);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('sums exactly: a+b reads as the sum of both', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (a, b) => {
          const text = `${minorToDecimal(a, 2)}+${minorToDecimal(b, 2)} lunch`;
          expect(parsed(text).minor).toBe(a + b);
        },
      ),
    );
  });

  it('readNumber never reads a separator it cannot place', () => {
    expect(readNumber('1,2,3', 2)).toBeNull();
    expect(readNumber('12..5', 2)).toBeNull();
    expect(readNumber('1.200.5', 2)).toBeNull();
    expect(readNumber('1 20', 2)).toBeNull();
  });
});

describe('dates', () => {
  it.each([
    ['yesterday 20 taxi', 'en', '2026-11-30'],
    ['вчера 300 такси', 'ru', '2026-11-30'],
    ['gestern 20 Taxi', 'de', '2026-11-30'],
    ['ayer 20 taxi', 'es', '2026-11-30'],
    ['on Monday 45 groceries', 'en', '2026-11-30'],
    ['в понедельник 500', 'ru', '2026-11-30'],
    ['last friday 30', 'en', '2026-11-27'],
    ['12.11 500 продукты', 'ru', '2026-11-12'],
    ['500 groceries 12.11.2025', 'en', '2025-11-12'],
    ['taxi 30 on 5 nov', 'en', '2026-11-05'],
    // Without a year, a day ahead is last year's.
    ['20.12 100 gifts', 'de', '2025-12-20'],
    ['3 дня назад 100 аптека', 'ru', '2026-11-28'],
    ['lunch 12 yday', 'en', '2026-11-30'],
  ] as const)('%j (%s) is dated %s', (text, language, date) => {
    expect(parsed(text, { language }).occurredOn).toBe(date);
  });

  it('leaves the date when none is said, and the amount when it looks like a date alone', () => {
    expect(parsed('coffee 3.50').occurredOn).toBeUndefined();
    expect(parsed('12.11 coffee')).toMatchObject({ amount: '12.11', occurredOn: undefined });
    expect(parsed('lunch 12 at 5pm').occurredOn).toBeUndefined();
    expect(parsed('Frühstück 9,80', { language: 'de' }).occurredOn).toBeUndefined();
  });

  it('reads "yesterday" in the family time zone', () => {
    // 23:30 UTC on 1 December is already 2 December in Moscow.
    const late = new Date('2026-12-01T23:30:00Z');
    expect(parsed('yesterday 5', { now: late, timeZone: 'Europe/Moscow' }).occurredOn).toBe('2026-12-01');
    expect(parsed('yesterday 5', { now: late, timeZone: 'America/New_York' }).occurredOn).toBe('2026-11-30');
  });
});

describe('categories', () => {
  const match = (text: string, options = {}) => matchCategory(parsed(text).words, EXPENSES, options);

  it('finds a category by name or alias, anywhere, and keeps the rest as the note', () => {
    expect(match('250 groceries coffee beans')).toMatchObject({
      kind: 'match',
      category: { name: 'Groceries' },
      note: 'coffee beans',
    });
    expect(match('full tank petrol 30')).toMatchObject({ category: { name: 'Fuel' }, note: 'full tank' });
    expect(match('40 eating out pizza')).toMatchObject({ category: { name: 'Eating out' }, note: 'pizza' });
    expect(match('60 gas bill march')).toMatchObject({ category: { name: 'Utilities' }, note: 'march' });
    expect(match('60 gas')).toMatchObject({ category: { name: 'Fuel' } });
  });

  it('finds it in other languages, by emoji, and through a typo', () => {
    expect(match('такси 300')).toMatchObject({ category: { name: 'Taxi' } });
    expect(match('Taxi 12')).toMatchObject({ category: { name: 'Taxi' } });
    expect(match('продуктов 300')).toMatchObject({ category: { name: 'Groceries' } });
    expect(match('⛽ 50')).toMatchObject({ category: { name: 'Fuel' } });
    expect(match('35 grocereis')).toMatchObject({ category: { name: 'Groceries' } });
    expect(match('Apoteke 9')).toMatchObject({ category: { name: 'Health' } });
    // The tail of a compound: a Wocheneinkauf is an Einkauf.
    expect(match('Wocheneinkauf 87')).toMatchObject({ category: { name: 'Groceries' } });
    expect(match('Monatsticket 58')).toMatchObject({ category: { name: 'Public transport' } });
    expect(match('12 xyz')).toEqual({ kind: 'none', note: 'xyz' });
    expect(match('test 5')).toEqual({ kind: 'none', note: 'test' });
  });

  it("follows the family's history for words no category names", () => {
    const history = new Map([
      ['lidl', 'Groceries'],
      ['hornbach', 'Housing'],
    ]);
    expect(match('hornbach 80 paint', { history })).toMatchObject({
      category: { name: 'Housing' },
      note: 'paint',
    });
    expect(match('hornbach 80')).toMatchObject({ kind: 'none' });
  });

  it('reports a word shared by several categories as ambiguous', () => {
    const categories: CategoryOption[] = [
      { id: 'a', name: 'Gifts', aliases: ['present'] },
      { id: 'b', name: 'Birthdays', aliases: ['present', 'party'] },
    ];
    const result = matchCategory(['present', 'for', 'mum'], categories);
    expect(result).toMatchObject({ kind: 'ambiguous', note: 'for mum' });
    const tra = match('5 tra');
    expect(tra.kind === 'ambiguous' && tra.candidates.map((c) => c.name).sort()).toEqual([
      'Public transport',
      'Transport',
      'Travel',
    ]);
  });
});

describe('kind', () => {
  const kindOf = (text: string, language: ParseContext['language'] = 'en') => {
    const result = understand(text, { ...CONTEXT, language }, CATEGORIES);
    if (!result.ok) throw new Error(result.reason);
    const { kind, match } = result.value;
    return [kind, match.kind === 'match' ? match.category.name : null];
  };

  it.each([
    ['+500 salary', 'INCOME', 'Salary'],
    ['salary 3000', 'INCOME', 'Salary'],
    ['зарплата 50000', 'INCOME', 'Salary'],
    ['Gehalt 2000', 'INCOME', 'Salary'],
    ['sueldo 1500', 'INCOME', 'Salary'],
    ['+100', 'INCOME', null],
    ['-20 taxi', 'EXPENSE', 'Taxi'],
    ['250 groceries', 'EXPENSE', 'Groceries'],
    ['got 50 from mum', 'INCOME', null],
  ])('%j is %s (%s)', (text, kind, category) => {
    expect(kindOf(text)).toEqual([kind, category]);
  });
});

describe('reply formatting', () => {
  it('formatMoney writes the amount as given, then the code', () => {
    expect(formatMoney({ amount: '-250.00', currency: 'EUR' })).toBe('-250.00 EUR');
    expect(formatMoney({ amount: '1000', currency: 'JPY' })).toBe('1000 JPY');
  });

  it.each([
    [null, '░░░░░░░░░░'],
    ['0', '░░░░░░░░░░'],
    ['50', '▓▓▓▓▓░░░░░'],
    ['87.5', '▓▓▓▓▓▓▓▓▓░'],
    ['100', '▓▓▓▓▓▓▓▓▓▓'],
    ['250', '▓▓▓▓▓▓▓▓▓▓'],
    ['-20', '░░░░░░░░░░'],
  ])('progressBar(%j) = %s', (percent, bar) => {
    expect(progressBar(percent)).toBe(bar);
  });

  it('monthArgument: a day inside the month meant', () => {
    const may2025 = new Date(Date.UTC(2025, 4, 10));
    expect(monthArgument(undefined, may2025)).toBeUndefined();
    expect(monthArgument('  ', may2025)).toBeUndefined();
    expect(monthArgument('2025-03', may2025)).toBe('2025-03-28');
    expect(monthArgument('march', may2025)).toBe('2025-03-28');
    expect(monthArgument('Mar', may2025)).toBe('2025-03-28');
    expect(monthArgument('may', may2025)).toBe('2025-05-28');
    expect(monthArgument('december', may2025)).toBe('2024-12-28');
    expect(monthArgument('2025-13', may2025)).toBeNull();
    expect(monthArgument('someday', may2025)).toBeNull();
  });
});
