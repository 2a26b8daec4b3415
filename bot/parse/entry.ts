/**
 * Reads what people type after /add and /income: an amount first (decimal comma or point, `12+8`
 * arithmetic, an optional currency symbol or code), then words naming a category, then a note.
 * Exact: amounts stay decimal strings, summed as scaled integers, never floats.
 */

const SYMBOLS: Record<string, string> = {
  '€': 'EUR',
  $: 'USD',
  '£': 'GBP',
  '¥': 'JPY',
  '₽': 'RUB',
  '₴': 'UAH',
  '₹': 'INR',
  '₩': 'KRW',
  '₺': 'TRY',
  '₪': 'ILS',
  zł: 'PLN',
  kč: 'CZK',
};

export interface ParsedAmount {
  /** Positive decimal string, e.g. "20" or "12.50". */
  amount: string;
  /** ISO code when the text named one. */
  currency: string | undefined;
  /** The words after the amount (category, then note). */
  words: string[];
}

export type ParseResult = { ok: true; value: ParsedAmount } | { ok: false; reason: string };

const TERM = /^\d+(?:[.,]\d+)?$/;

/** Sums `12+8-3,5` exactly; null when it is not such an expression or not positive. */
export function evaluateAmount(expression: string): string | null {
  const parts = expression.replace(/\s+/g, '').split(/(?=[+-])/);
  let scale = 0;
  const terms: { sign: bigint; digits: string; decimals: number }[] = [];
  for (const part of parts) {
    const sign = part.startsWith('-') ? -1n : 1n;
    const body = part.replace(/^[+-]/, '');
    if (!TERM.test(body)) return null;
    const [whole, fraction = ''] = body.split(/[.,]/) as [string, string?];
    scale = Math.max(scale, fraction.length);
    terms.push({ sign, digits: whole + fraction, decimals: fraction.length });
  }
  if (terms.length === 0) return null;
  const total = terms.reduce(
    (sum, t) => sum + t.sign * BigInt(t.digits) * 10n ** BigInt(scale - t.decimals),
    0n,
  );
  if (total <= 0n) return null;
  const digits = total.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * Parses "250 groceries coffee beans", "12,50€ lunch", "$5+2.5 taxi", "30 usd fuel". A three-letter code
 * counts as a currency only when it is one of `knownCurrencies` (the family's account currencies) or
 * written in capitals, so "250 all" stays a word.
 */
export function parseEntry(text: string, knownCurrencies: ReadonlySet<string>): ParseResult {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { ok: false, reason: 'missing' };
  let currency: string | undefined;
  let index = 0;
  const asCurrency = (token: string): string | undefined => {
    const symbol = SYMBOLS[token.toLowerCase()] ?? SYMBOLS[token];
    if (symbol !== undefined) return symbol;
    if (
      /^[A-Za-z]{3}$/.test(token) &&
      (knownCurrencies.has(token.toUpperCase()) || token === token.toUpperCase())
    ) {
      return token.toUpperCase();
    }
    return undefined;
  };
  // A currency before the amount: "$ 12", "EUR 12".
  const leading = asCurrency(tokens[0]!);
  if (leading !== undefined && tokens.length > 1 && /\d/.test(tokens[1]!)) {
    currency = leading;
    index = 1;
  }
  let token = tokens[index]!;
  // Symbols or codes glued to the number: "€12", "12€", "12.5usd".
  const glued = /^([^\d+\-.,]*)([\d+\-.,\s]+?)([^\d+\-.,]*)$/.exec(token);
  if (glued === null) return { ok: false, reason: 'amount' };
  const [, prefix = '', expression = '', suffix = ''] = glued;
  for (const part of [prefix, suffix]) {
    if (part === '') continue;
    const code = asCurrency(part);
    if (code === undefined) return { ok: false, reason: 'amount' };
    currency = code;
  }
  token = expression;
  const amount = evaluateAmount(token);
  if (amount === null) return { ok: false, reason: 'amount' };
  index += 1;
  // A currency right after the amount: "30 usd".
  const trailing = tokens[index] === undefined ? undefined : asCurrency(tokens[index]!);
  if (currency === undefined && trailing !== undefined) {
    currency = trailing;
    index += 1;
  }
  return { ok: true, value: { amount, currency, words: tokens.slice(index) } };
}

export interface CategoryOption {
  id: string;
  name: string;
  aliases: readonly string[];
}

export type CategoryMatch =
  | { kind: 'match'; category: CategoryOption; note: string }
  | { kind: 'ambiguous'; candidates: CategoryOption[]; note: string }
  | { kind: 'none'; note: string };

/**
 * Finds the category named by the first one to three words (name or alias, any case); the rest is the
 * note. Several exact matches are ambiguous; otherwise words that start a category name narrow the choice.
 */
export function matchCategory(
  words: readonly string[],
  categories: readonly CategoryOption[],
): CategoryMatch {
  const norm = (s: string) => s.toLocaleLowerCase().trim();
  for (let take = Math.min(3, words.length); take >= 1; take--) {
    const phrase = norm(words.slice(0, take).join(' '));
    const exact = categories.filter(
      (c) => norm(c.name) === phrase || c.aliases.some((a) => norm(a) === phrase),
    );
    const note = words.slice(take).join(' ');
    if (exact.length === 1) return { kind: 'match', category: exact[0]!, note };
    if (exact.length > 1) return { kind: 'ambiguous', candidates: exact, note };
  }
  const first = norm(words[0] ?? '');
  if (first.length >= 3) {
    const prefixed = categories.filter(
      (c) => norm(c.name).startsWith(first) || c.aliases.some((a) => norm(a).startsWith(first)),
    );
    if (prefixed.length === 1)
      return { kind: 'match', category: prefixed[0]!, note: words.slice(1).join(' ') };
    if (prefixed.length > 1)
      return { kind: 'ambiguous', candidates: prefixed, note: words.slice(1).join(' ') };
  }
  return { kind: 'none', note: words.join(' ') };
}
