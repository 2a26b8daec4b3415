import { distance } from 'fastest-levenshtein';
import { EMOJI, INCOME_WORDS, SYNONYMS } from './synonyms.js';

export interface CategoryOption {
  id: string;
  name: string;
  aliases: readonly string[];
  kind?: 'EXPENSE' | 'INCOME';
}

export type CategoryMatch =
  | { kind: 'match'; category: CategoryOption; note: string }
  | { kind: 'ambiguous'; candidates: CategoryOption[]; note: string }
  | { kind: 'none'; note: string };

export interface MatchOptions {
  /** The family's habits: a note word -> the category most used with it. */
  history?: ReadonlyMap<string, string>;
}

/** Lower case, without the punctuation people put around words ("taxi!", "(lunch)"). */
export const normalizeWord = (word: string) =>
  word
    .toLocaleLowerCase()
    .replace(/^[^\p{L}\p{N}\p{Extended_Pictographic}]+|[^\p{L}\p{N}\p{Extended_Pictographic}]+$/gu, '')
    .replace(/\uFE0F/g, '');

const STEM_MIN = 4;
/** Compounds are long words; their tail must be a word of its own. */
const COMPOUND_MIN = 8;
const TAIL_MIN = 5;
const STEM_SLACK = 3;

/** The English name or alias a word in any supported language stands for, if any. */
function translate(word: string): string | undefined {
  const direct = EMOJI[word] ?? SYNONYMS[word];
  if (direct !== undefined) return direct;
  for (let cut = 1; cut <= STEM_SLACK; cut++) {
    const stem = word.slice(0, -cut);
    if (stem.length < STEM_MIN) break;
    const hit = SYNONYMS[stem];
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Finds the category the words name, anywhere in them: by name or alias (phrases of up to three words
 * first), by a word in another language, by the family's history, then allowing a typo, then by the
 * start of a name. Several equally good matches are ambiguous. The other words are the note.
 */
export function matchCategory(
  words: readonly string[],
  categories: readonly CategoryOption[],
  options: MatchOptions = {},
): CategoryMatch {
  const norm = words.map(normalizeWord);
  const named = new Map<string, CategoryOption[]>();
  const remember = (term: string, category: CategoryOption) => {
    const key = term.toLocaleLowerCase();
    const list = named.get(key) ?? [];
    if (!list.includes(category)) list.push(category);
    named.set(key, list);
  };
  for (const c of categories) {
    remember(c.name, c);
    for (const alias of c.aliases) remember(alias, c);
  }
  const noteWithout = (from: number, take: number) =>
    [...words.slice(0, from), ...words.slice(from + take)].join(' ');
  const found = (candidates: CategoryOption[], from: number, take: number): CategoryMatch =>
    candidates.length === 1
      ? { kind: 'match', category: candidates[0]!, note: noteWithout(from, take) }
      : { kind: 'ambiguous', candidates, note: noteWithout(from, take) };

  const exact = (term: string): CategoryOption[] | undefined =>
    named.get(term) ?? (term.length > 3 && term.endsWith('s') ? named.get(term.slice(0, -1)) : undefined);

  // Names, aliases and translations, longest phrase first, left to right.
  for (let take = Math.min(3, norm.length); take >= 1; take--) {
    for (let from = 0; from + take <= norm.length; from++) {
      const phrase = norm.slice(from, from + take).join(' ');
      if (phrase === '') continue;
      const hit = exact(phrase) ?? (take === 1 ? lookup(translate(phrase)) : undefined);
      if (hit !== undefined && hit.length > 0) return found(hit, from, take);
    }
  }
  function lookup(term: string | undefined): CategoryOption[] | undefined {
    return term === undefined ? undefined : named.get(term);
  }

  if (options.history !== undefined) {
    for (let i = 0; i < norm.length; i++) {
      const id = options.history.get(norm[i]!);
      const category = categories.find((c) => c.id === id);
      if (category !== undefined) return found([category], i, 1);
    }
  }

  // The end of a compound ("Wocheneinkauf" is an Einkauf, "Deutschlandticket" a ticket).
  for (let i = 0; i < norm.length; i++) {
    const word = norm[i]!;
    if (word.length < COMPOUND_MIN) continue;
    for (const [term, matched] of compoundTails()) {
      if (word.length > term.length && word.endsWith(term)) return found(matched, i, 1);
    }
  }
  function compoundTails(): [string, CategoryOption[]][] {
    const tails: [string, CategoryOption[]][] = [];
    for (const [term, matched] of named)
      if (term.length >= TAIL_MIN && !term.includes(' ')) tails.push([term, matched]);
    for (const [term, meaning] of Object.entries(SYNONYMS)) {
      const matched = named.get(meaning);
      if (term.length >= TAIL_MIN && matched !== undefined) tails.push([term, matched]);
    }
    // Longest first: "...fahrkarte" before "...karte".
    return tails.sort((a, b) => b[0].length - a[0].length);
  }

  // A typo: one edit in a short word, two in a long one, against every name, alias and translation.
  const terms = [...named.keys(), ...Object.keys(SYNONYMS)].filter((t) => t.length >= STEM_MIN);
  for (let i = 0; i < norm.length; i++) {
    const word = norm[i]!;
    // A word with a meaning of its own ("получил") is no typo of another.
    if (word.length < STEM_MIN || /\d/.test(word) || INCOME_WORDS.has(word)) continue;
    const allowed = word.length >= 7 ? 2 : 1;
    let best = allowed;
    let hits = new Set<CategoryOption>();
    for (const term of terms) {
      if (Math.abs(term.length - word.length) > allowed) continue;
      // Short words keep their first letter when mistyped; without it "test" would be "rest".
      if (word.length < 7 && term[0] !== word[0]) continue;
      const d = distance(word, term);
      if (d > best) continue;
      const matched = named.get(term) ?? lookup(SYNONYMS[term]) ?? [];
      if (matched.length === 0) continue;
      if (d < best) hits = new Set();
      best = d;
      for (const m of matched) hits.add(m);
    }
    if (hits.size > 0) return found([...hits], i, 1);
  }

  // The start of a name or alias ("tra" -> Transport, Public transport, Travel).
  for (let i = 0; i < norm.length; i++) {
    const word = norm[i]!;
    if (word.length < 3 || /\d/.test(word)) continue;
    const prefixed = categories.filter((c) =>
      [c.name, ...c.aliases].some((t) =>
        t
          .toLocaleLowerCase()
          .split(' ')
          .some((part) => part.startsWith(word)),
      ),
    );
    if (prefixed.length > 0) return found(prefixed, i, 1);
  }
  return { kind: 'none', note: words.join(' ') };
}
