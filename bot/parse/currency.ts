import currencyCodes from 'currency-codes';

/**
 * Currencies as people write them: symbols, ISO 4217 codes and everyday words, in the languages the bot
 * reads. Only real ISO codes count, so "20 BAR drinks" keeps BAR as a word.
 */

/** Symbols and words (lower case) for a currency; a word counts only next to the amount. */
const WORDS: Record<string, string> = {
  '€': 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  eur: 'EUR',
  евро: 'EUR',
  $: 'USD',
  us$: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  bucks: 'USD',
  buck: 'USD',
  dólares: 'USD',
  dolares: 'USD',
  доллар: 'USD',
  доллара: 'USD',
  долларов: 'USD',
  долл: 'USD',
  'долл.': 'USD',
  бакс: 'USD',
  бакса: 'USD',
  баксов: 'USD',
  '£': 'GBP',
  quid: 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
  '¥': 'JPY',
  yen: 'JPY',
  '₽': 'RUB',
  р: 'RUB',
  'р.': 'RUB',
  руб: 'RUB',
  'руб.': 'RUB',
  рубль: 'RUB',
  рубля: 'RUB',
  рублей: 'RUB',
  'rub.': 'RUB',
  '₴': 'UAH',
  грн: 'UAH',
  'грн.': 'UAH',
  гривен: 'UAH',
  гривни: 'UAH',
  '₸': 'KZT',
  тенге: 'KZT',
  '₹': 'INR',
  '₩': 'KRW',
  '₺': 'TRY',
  '₪': 'ILS',
  zł: 'PLN',
  zl: 'PLN',
  kč: 'CZK',
  franken: 'CHF',
  pesos: 'MXN',
};

/** Codes people write in lower case often enough that "30 usd" means money, not a word. */
const COMMON_LOWER = new Set(['eur', 'usd', 'gbp', 'rub', 'uah', 'chf', 'pln', 'czk', 'kzt', 'jpy', 'try']);

/** Codes that are ISO 4217 but not money one pays with (no currency, testing, funds, metals). */
const NOT_MONEY = new Set(['XXX', 'XTS', 'XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XSU', 'XUA', 'XBA', 'XBB']);

/** Decimal places of a real ISO 4217 currency, or undefined. */
export function exponentOf(code: string): number | undefined {
  if (NOT_MONEY.has(code)) return undefined;
  return currencyCodes.code(code)?.digits;
}

/**
 * The ISO code a token names, or undefined: a symbol or word, a real code in capitals, or a common code
 * (or one of `known`, the family's account currencies) in any case.
 */
export function currencyOf(token: string, known: ReadonlySet<string> = new Set()): string | undefined {
  const lower = token.toLocaleLowerCase();
  const word = WORDS[lower] ?? WORDS[token];
  if (word !== undefined) return word;
  if (!/^[A-Za-z]{3}$/.test(token)) return undefined;
  const upper = token.toUpperCase();
  if (exponentOf(upper) === undefined) return undefined;
  if (token === upper || COMMON_LOWER.has(lower) || known.has(upper)) return upper;
  return undefined;
}
