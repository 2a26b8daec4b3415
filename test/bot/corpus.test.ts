import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CategoryOption } from '../../bot/parse/category.js';
import type { Language } from '../../bot/parse/dates.js';
import { understand } from '../../bot/parse/understand.js';
import { DEFAULT_CATEGORIES } from '../../src/modules/category/default-categories.js';

/**
 * Everyday messages as people send them, each with what it means. A message counts as understood only
 * when every field comes out right (amount, currency, kind, category, date), and chit-chat only when it
 * is not taken for an entry. The share per language is printed and must stay above the floor.
 */

interface Case {
  text: string;
  entry?: false;
  amount?: string;
  currency?: string;
  kind?: 'EXPENSE' | 'INCOME';
  /** null: no category is certain, the picker asks. */
  category?: string | null;
  /** Omitted: today. */
  date?: string;
}

interface Corpus {
  language: Language;
  timeZone: string;
  defaultCurrency: string;
  cases: Case[];
}

const FLOOR = 0.9;
/** A Tuesday; relative dates in the corpus are written against it. */
const NOW = new Date('2026-12-01T10:00:00Z');
const DIR = path.join(import.meta.dirname, 'corpus');

const CATEGORIES: CategoryOption[] = DEFAULT_CATEGORIES.flatMap((parent) =>
  [parent, ...(parent.children ?? [])].map((c) => ({
    id: c.name,
    name: c.name,
    aliases: c.aliases,
    kind: parent.kind === 'income' ? ('INCOME' as const) : ('EXPENSE' as const),
  })),
);

const corpora = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Corpus);

/** What the parser made of a message, in the corpus's terms. */
function reading(corpus: Corpus, text: string): Omit<Case, 'text'> {
  const result = understand(
    text,
    {
      now: NOW,
      timeZone: corpus.timeZone,
      language: corpus.language,
      defaultCurrency: corpus.defaultCurrency,
    },
    CATEGORIES,
  );
  if (!result.ok) return { entry: false };
  const { entry, kind, match } = result.value;
  return {
    amount: entry.amount,
    currency: entry.currency,
    kind,
    category: match.kind === 'match' ? match.category.name : null,
    ...(entry.occurredOn !== undefined && { date: entry.occurredOn }),
  };
}

describe('the everyday-messages corpus', () => {
  it('has at least 200 messages in three languages', () => {
    expect(corpora.map((c) => c.language).sort()).toEqual(['de', 'en', 'ru']);
    expect(corpora.reduce((n, c) => n + c.cases.length, 0)).toBeGreaterThanOrEqual(200);
  });

  for (const corpus of corpora) {
    it(`understands at least ${FLOOR * 100} % of the ${corpus.language} messages`, () => {
      const misread: string[] = [];
      for (const { text, ...expected } of corpus.cases) {
        const got = reading(corpus, text);
        const wanted = expected.entry === false ? { entry: false } : expected;
        if (JSON.stringify(got) !== JSON.stringify(wanted)) {
          misread.push(
            `  ${JSON.stringify(text)}: got ${JSON.stringify(got)}, want ${JSON.stringify(wanted)}`,
          );
        }
      }
      const share = (corpus.cases.length - misread.length) / corpus.cases.length;
      process.stdout.write(
        `corpus ${corpus.language}: ${(share * 100).toFixed(1)} % understood ` +
          `(${corpus.cases.length - misread.length} of ${corpus.cases.length})` +
          (misread.length > 0 ? `; misread:\n${misread.join('\n')}` : '') +
          '\n',
      );
      expect(share).toBeGreaterThanOrEqual(FLOOR);
    });
  }
});
