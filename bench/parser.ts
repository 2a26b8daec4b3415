import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CategoryOption } from '../bot/parse/category.js';
import type { Language } from '../bot/parse/dates.js';
import { understand } from '../bot/parse/understand.js';
import { DEFAULT_CATEGORIES } from '../src/modules/category/default-categories.js';

/**
 * The bot's entry parser on the everyday-messages corpus (test/bot/corpus), in entries per second, beside
 * a baseline in the same process: one regular expression that takes a leading number and the rest, as
 * the first bot did. Rounds alternate between the two so a busy machine slows both alike.
 */

export interface ParserReport {
  messages: number;
  rounds: number;
  /** Median entries per second. */
  parser: number;
  baseline: number;
  ratio: number;
}

interface Message {
  text: string;
  language: Language;
  timeZone: string;
  defaultCurrency: string;
}

const CORPUS = path.resolve(import.meta.dirname, '../test/bot/corpus');
const NOW = new Date('2026-12-01T10:00:00Z');
const BASELINE = /^\s*(\d+(?:[.,]\d+)?)\s*(.*)$/s;

function messages(): Message[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const corpus = JSON.parse(readFileSync(path.join(CORPUS, f), 'utf8')) as Omit<Message, 'text'> & {
        cases: { text: string }[];
      };
      return corpus.cases.map((c) => ({ ...corpus, text: c.text }));
    });
}

/** Runs `each` over the messages for about `ms` milliseconds; entries per second. */
function rate(all: Message[], ms: number, each: (m: Message) => unknown): number {
  let done = 0;
  const start = performance.now();
  let sink = 0;
  while (performance.now() - start < ms) {
    for (const m of all) if (each(m) !== undefined) sink++;
    done += all.length;
  }
  if (sink < 0) throw new Error('unreachable');
  return (done / (performance.now() - start)) * 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function runParserBench(options: { rounds: number; seconds: number }): ParserReport {
  const all = messages();
  const categories: CategoryOption[] = DEFAULT_CATEGORIES.flatMap((parent) =>
    [parent, ...(parent.children ?? [])].map((c) => ({
      id: c.name,
      name: c.name,
      aliases: c.aliases,
      kind: parent.kind === 'income' ? ('INCOME' as const) : ('EXPENSE' as const),
    })),
  );
  const parse = (m: Message) =>
    understand(
      m.text,
      { now: NOW, timeZone: m.timeZone, language: m.language, defaultCurrency: m.defaultCurrency },
      categories,
    );
  const baseline = (m: Message) => BASELINE.exec(m.text);
  rate(all, 500, parse);
  rate(all, 500, baseline);
  const parser: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    parser.push(rate(all, options.seconds * 1000, parse));
    base.push(rate(all, options.seconds * 1000, baseline));
  }
  const result = { parser: median(parser), baseline: median(base) };
  return { messages: all.length, rounds: options.rounds, ...result, ratio: result.parser / result.baseline };
}

export function printParserTable(report: ParserReport): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `\nparser: ${report.messages} corpus messages, median of ${report.rounds} rounds\n` +
      `  entry parser (amount, currency, date, category)  ${fmt(report.parser)} entries/s\n` +
      `  baseline (one regular expression)                ${fmt(report.baseline)} entries/s\n` +
      `  parser/baseline                                  ${report.ratio.toFixed(4)}x`,
  );
}
