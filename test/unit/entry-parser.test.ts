import { describe, expect, it } from 'vitest';
import {
  evaluateAmount,
  matchCategory,
  parseEntry,
  type CategoryOption,
  type ParsedAmount,
} from '../../bot/parse/entry.js';
import { formatMoney, monthArgument, progressBar } from '../../bot/replies/format.js';
import { CategoryKind } from '../../src/modules/category/category.entity.js';
import { DEFAULT_CATEGORIES } from '../../src/modules/category/default-categories.js';

const EUR = new Set(['EUR']);

/** The expense categories a new family starts with, as the bot gets them from the API. */
const EXPENSES: CategoryOption[] = DEFAULT_CATEGORIES.filter((c) => c.kind === CategoryKind.EXPENSE).flatMap(
  (parent) =>
    [parent, ...(parent.children ?? [])].map((c) => ({ id: c.name, name: c.name, aliases: c.aliases })),
);

/** The parsed entry, failing the test when the text is rejected. */
function parsed(text: string, known: ReadonlySet<string> = EUR): ParsedAmount {
  const result = parseEntry(text, known);
  if (!result.ok) throw new Error(`"${text}" was rejected (${result.reason})`);
  return result.value;
}

describe('evaluateAmount', () => {
  it.each([
    ['250', '250'],
    ['12,50', '12.50'],
    ['12.5', '12.5'],
    ['12+8', '20'],
    ['10.5+0,25', '10.75'],
    ['12+8-3,5', '16.5'],
    ['0.1+0.2', '0.3'],
    ['99999999999999999.99+0.01', '100000000000000000.00'],
  ])('%s -> %s, exactly', (expression, expected) => {
    expect(evaluateAmount(expression)).toBe(expected);
  });

  it.each(['5-7', '0', '0,00', '3-3', '-5', 'abc', '', '12..5', '12+', '1,2,3', '12 + x'])(
    'rejects %j (not a positive sum)',
    (expression) => {
      expect(evaluateAmount(expression)).toBeNull();
    },
  );
});

describe('parseEntry', () => {
  it('reads the amount first and keeps the rest as words', () => {
    expect(parsed('250 groceries coffee beans')).toEqual({
      amount: '250',
      currency: undefined,
      words: ['groceries', 'coffee', 'beans'],
    });
  });

  it('takes a decimal comma or point and arithmetic', () => {
    expect(parsed('12,50 groceries').amount).toBe('12.50');
    expect(parsed('12.50 groceries').amount).toBe('12.50');
    expect(parsed('12+8 taxi')).toMatchObject({ amount: '20', words: ['taxi'] });
    expect(parsed('10.5+0,25 lunch').amount).toBe('10.75');
  });

  it('rejects a sum that is not positive', () => {
    expect(parseEntry('5-7 taxi', EUR)).toEqual({ ok: false, reason: 'amount' });
  });

  it.each([
    ['€12', '12', 'EUR', []],
    ['12€', '12', 'EUR', []],
    ['12,50€ lunch', '12.50', 'EUR', ['lunch']],
    ['$5', '5', 'USD', []],
    ['$5+2.5 taxi', '7.5', 'USD', ['taxi']],
    ['€ 12 lunch', '12', 'EUR', ['lunch']],
    ['EUR 12', '12', 'EUR', []],
    ['eur 12 lunch', '12', 'EUR', ['lunch']],
    ['30 USD fuel', '30', 'USD', ['fuel']],
    ['12 € lunch', '12', 'EUR', ['lunch']],
    ['12zł bread', '12', 'PLN', ['bread']],
  ])('%s -> %s %s', (text, amount, currency, words) => {
    expect(parsed(text)).toEqual({ amount, currency, words });
  });

  it('reads a lower-case code only when the family has an account in it', () => {
    expect(parsed('12.5usd', new Set(['EUR', 'USD']))).toEqual({
      amount: '12.5',
      currency: 'USD',
      words: [],
    });
    expect(parseEntry('12.5usd', EUR).ok).toBe(false);
    expect(parsed('30 usd fuel', new Set(['EUR', 'USD']))).toMatchObject({
      currency: 'USD',
      words: ['fuel'],
    });
    // "all" is a word here, not the Albanian lek.
    expect(parsed('250 all', EUR)).toEqual({ amount: '250', currency: undefined, words: ['all'] });
    expect(parsed('250 ALL', EUR).currency).toBe('ALL');
  });

  it('keeps numbers in the note', () => {
    const entry = parsed('30 groceries 2 kg apples');
    expect(entry).toEqual({ amount: '30', currency: undefined, words: ['groceries', '2', 'kg', 'apples'] });
    expect(matchCategory(entry.words, EXPENSES)).toEqual({
      kind: 'match',
      category: expect.objectContaining({ name: 'Groceries' }),
      note: '2 kg apples',
    });
  });

  it.each(['abc', '', '   ', 'groceries 250', 'EUR', '€', '12..5 x', '-5 groceries', '0 groceries'])(
    'rejects %j',
    (text) => {
      expect(parseEntry(text, EUR).ok).toBe(false);
    },
  );
});

describe('matchCategory', () => {
  const match = (text: string) => matchCategory(parsed(text).words, EXPENSES);

  it('finds a category by name and keeps the rest as the note', () => {
    expect(match('250 groceries coffee beans')).toEqual({
      kind: 'match',
      category: expect.objectContaining({ name: 'Groceries' }),
      note: 'coffee beans',
    });
    expect(match('250 GROCERIES')).toMatchObject({
      kind: 'match',
      category: { name: 'Groceries' },
      note: '',
    });
  });

  it('finds a category by alias', () => {
    expect(match('4 coffee')).toMatchObject({ kind: 'match', category: { name: 'Eating out' }, note: '' });
    expect(match('30 petrol full tank')).toMatchObject({
      kind: 'match',
      category: { name: 'Fuel' },
      note: 'full tank',
    });
  });

  it('prefers the longest phrase: two-word names and aliases', () => {
    expect(match('40 eating out pizza')).toMatchObject({
      kind: 'match',
      category: { name: 'Eating out' },
      note: 'pizza',
    });
    expect(match('60 gas bill march')).toMatchObject({
      kind: 'match',
      category: { name: 'Utilities' },
      note: 'march',
    });
    expect(match('60 gas')).toMatchObject({ kind: 'match', category: { name: 'Fuel' } });
  });

  it('reports an alias shared by several categories as ambiguous', () => {
    const categories: CategoryOption[] = [
      { id: 'a', name: 'Gifts', aliases: ['present'] },
      { id: 'b', name: 'Birthdays', aliases: ['present', 'party'] },
      { id: 'c', name: 'Other', aliases: [] },
    ];
    const result = matchCategory(['present', 'for', 'mum'], categories);
    expect(result.kind).toBe('ambiguous');
    if (result.kind !== 'ambiguous') return;
    expect(result.candidates.map((c) => c.id).sort()).toEqual(['a', 'b']);
    expect(result.note).toBe('for mum');
  });

  it('narrows by the start of a name, ambiguous when several start so', () => {
    expect(match('5 groc')).toMatchObject({ kind: 'match', category: { name: 'Groceries' } });
    const result = match('5 tra');
    expect(result.kind).toBe('ambiguous');
    if (result.kind !== 'ambiguous') return;
    expect(result.candidates.map((c) => c.name).sort()).toEqual(['Public transport', 'Transport', 'Travel']);
  });

  it('finds nothing for unknown words and keeps them all as the note', () => {
    expect(match('12 xyz')).toEqual({ kind: 'none', note: 'xyz' });
    expect(match('12')).toEqual({ kind: 'none', note: '' });
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
    // A month that has not come yet this year means last year's.
    expect(monthArgument('december', may2025)).toBe('2024-12-28');
    expect(monthArgument('2025-13', may2025)).toBeNull();
    expect(monthArgument('someday', may2025)).toBeNull();
  });
});
