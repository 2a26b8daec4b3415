import { matchCategory, type CategoryMatch, type CategoryOption, type MatchOptions } from './category.js';
import { parseEntry, truncateNote, type ParseContext, type ParseFailure, type ParsedEntry } from './entry.js';

export type EntryKind = 'EXPENSE' | 'INCOME';

export interface Understood {
  entry: ParsedEntry;
  kind: EntryKind;
  match: CategoryMatch;
}

/**
 * An entry with its kind and category: a sign or the command decides the kind; otherwise an income
 * category or an income word makes it income, and anything else is an expense. Notes are kept short.
 */
export function understand(
  text: string,
  context: ParseContext,
  categories: readonly CategoryOption[],
  options: MatchOptions & { kind?: EntryKind } = {},
): { ok: true; value: Understood } | { ok: false; reason: ParseFailure } {
  const parsed = parseEntry(text, context);
  if (!parsed.ok) return parsed;
  const entry = parsed.value;
  const ofKind = (kind: EntryKind) => categories.filter((c) => c.kind === undefined || c.kind === kind);
  const forced =
    options.kind ?? (entry.sign === 'plus' ? 'INCOME' : entry.sign === 'minus' ? 'EXPENSE' : undefined);
  let kind: EntryKind;
  let match: CategoryMatch;
  if (forced !== undefined) {
    kind = forced;
    match = matchCategory(entry.words, ofKind(kind), options);
  } else {
    match = matchCategory(entry.words, categories, options);
    const kinds = new Set(
      match.kind === 'match'
        ? [match.category.kind]
        : match.kind === 'ambiguous'
          ? match.candidates.map((c) => c.kind)
          : [],
    );
    if (kinds.size === 1 && (match.kind === 'match' || !entry.incomeWord)) {
      kind = kinds.has('INCOME') ? 'INCOME' : 'EXPENSE';
    } else kind = entry.incomeWord ? 'INCOME' : 'EXPENSE';
    if (!kinds.has(kind) || kinds.size !== 1) {
      match = matchCategory(entry.words, ofKind(kind), options);
    }
  }
  return {
    ok: true,
    value: { entry, kind, match: { ...match, note: truncateNote(trimFillers(match.note)) } },
  };
}

/** Little words left over around the amount ("на", "for", "für") say nothing on their own. */
const FILLERS = new Set([
  'for',
  'on',
  'at',
  'in',
  'spent',
  'paid',
  'на',
  'за',
  'в',
  'потратил',
  'потратила',
  'für',
  'am',
  'para',
  'en',
  'por',
  'de',
  'el',
  'la',
  '-',
  '—',
  ':',
]);

function trimFillers(note: string): string {
  const words = note.split(' ').filter((w) => w !== '');
  while (words.length > 0 && FILLERS.has(words[0]!.toLocaleLowerCase())) words.shift();
  while (words.length > 0 && FILLERS.has(words.at(-1)!.toLocaleLowerCase())) words.pop();
  return words.join(' ');
}
