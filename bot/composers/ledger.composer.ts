import { randomBytes } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import {
  AccountsDocument,
  CreateTransactionDocument,
  DeleteTransactionDocument,
  EntryContextDocument,
  type CreateTransactionMutation,
  type EntryContextQuery,
} from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import { normalizeWord, type CategoryOption } from '../parse/category.js';
import { parseEntry } from '../parse/entry.js';
import { understand, type EntryKind } from '../parse/understand.js';
import { formatMoney } from '../replies/format.js';
import { connectKeyboard } from '../replies/keyboards.js';

/** An entry waiting for the user to pick its category from the keyboard. */
interface PendingEntry {
  kind: EntryKind;
  amount: string;
  currency: string;
  accountId: string;
  note: string;
  occurredOn: string | null;
  messageId: number;
  /** Every category the picker offers, most used first: [id, name]. */
  options: [string, string][];
  /** The word that narrowed `options`, if one did. */
  narrowedBy?: string;
  ambiguous?: boolean;
  /** The picker's question, shown again on every page. */
  question?: string;
}

/** An entry typed before the chat was connected, offered again right after registration. */
interface KeptEntry {
  text: string;
  messageId: number;
}

const PICK_TTL_SECONDS = 15 * 60;
const KEEP_TTL_SECONDS = 60 * 60;
const PAGE_SIZE = 8;
const ENTRY_CONTEXT_TTL_SECONDS = 60;
/** The latest entries the family's habits are read from (the EntryContext operation asks for as many). */
const HISTORY_SIZE = 100;
/** The last entry of the person: in a group, /undo takes back the sender's own last entry, nobody else's. */
const lastKey = (ctx: BotContext) =>
  ctx.isPrivate
    ? `chat:${ctx.chatId}:last-transaction`
    : `chat:${ctx.chatId}:${ctx.telegramId}:last-transaction`;
const pickKey = (chatId: number, id: string) => `chat:${chatId}:pick:${id}`;
const openPickKey = (chatId: number) => `chat:${chatId}:open-pick`;
const keptKey = (chatId: number) => `chat:${chatId}:kept-entry`;

/** Recording money: /add, /income, plain messages, category picks, Undo, /balance. */
export const ledgerComposer = new Composer<BotContext>();

ledgerComposer.command('add', (ctx) => record(ctx, ctx.payload, 'EXPENSE', ctx.message.message_id));
ledgerComposer.command('income', (ctx) => record(ctx, ctx.payload, 'INCOME', ctx.message.message_id));
ledgerComposer.command('undo', async (ctx) => {
  const last = await ctx.deps.store.get(lastKey(ctx));
  if (last === null) {
    await ctx.reply(ctx.t('ledger.nothingToUndo'));
    return;
  }
  await undo(ctx, last);
  await ctx.reply(ctx.t('ledger.undoneLast'));
});
ledgerComposer.command('balance', (ctx) => replyBalance(ctx));

// Anything with an amount in a private chat is an entry; before the chat is connected it is kept.
ledgerComposer.on('text', async (ctx, next) => {
  const text = ctx.message.text;
  if (!ctx.isPrivate || text.startsWith('/') || !looksLikeEntry(ctx, text)) return next();
  if (!(await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId))) {
    const kept: KeptEntry = { text: text.slice(0, 500), messageId: ctx.message.message_id };
    await ctx.deps.store.set(keptKey(ctx.chatId), JSON.stringify(kept), KEEP_TTL_SECONDS);
    await ctx.reply(
      `${ctx.t('start.entryKept', { text: quote(text) })}\n\n${ctx.t('start.guestHelp')}`,
      connectKeyboard(ctx.t),
    );
    return;
  }
  await record(ctx, text, undefined, ctx.message.message_id);
});

// A word typed while a picker is open narrows it; anything else goes on to the other handlers.
ledgerComposer.on('text', async (ctx, next) => {
  const text = ctx.message.text.trim();
  if (!ctx.isPrivate || text.startsWith('/') || text.split(/\s+/).length > 2) return next();
  const open = await ctx.deps.store.get(openPickKey(ctx.chatId));
  const raw = open === null ? null : await ctx.deps.store.get(pickKey(ctx.chatId, open));
  if (raw === null) return next();
  const pending = JSON.parse(raw) as PendingEntry;
  const word = normalizeWord(text);
  const narrowed = pending.options.filter(([, name]) =>
    normalizeWord(name)
      .split(' ')
      .some((part) => part.startsWith(word) || (word.length >= 4 && part.includes(word))),
  );
  if (word === '' || narrowed.length === 0) return next();
  await offerPicker(ctx, { ...pending, options: narrowed, narrowedBy: text, ambiguous: false });
});

ledgerComposer.action(/^pick:([A-Za-z0-9_-]{8}):(\d{1,3})$/, async (ctx) => {
  const [, id, index] = ctx.match;
  const raw = await ctx.deps.store.get(pickKey(ctx.chatId, id!));
  if (raw === null) {
    await ctx.answerCbQuery(ctx.t('ledger.pickExpired'));
    return;
  }
  const pending = JSON.parse(raw) as PendingEntry;
  const categoryId = pending.options[Number(index)]?.[0];
  await ctx.answerCbQuery();
  const created = await create(ctx, pending, categoryId ?? null);
  await ctx.deps.store.delete(pickKey(ctx.chatId, id!), openPickKey(ctx.chatId));
  await ctx.editMessageText(
    describe(ctx, created, pending.occurredOn !== null),
    undoKeyboard(ctx, created.id),
  );
});

ledgerComposer.action(/^page:([A-Za-z0-9_-]{8}):(\d{1,2})$/, async (ctx) => {
  const [, id, page] = ctx.match;
  const raw = await ctx.deps.store.get(pickKey(ctx.chatId, id!));
  if (raw === null) {
    await ctx.answerCbQuery(ctx.t('ledger.pickExpired'));
    return;
  }
  await ctx.answerCbQuery();
  const pending = JSON.parse(raw) as PendingEntry;
  await ctx.editMessageText(pending.question ?? '', pickerKeyboard(ctx, id!, pending, Number(page)));
});

ledgerComposer.action(/^undo:([0-9a-f-]{36})$/, async (ctx) => {
  await ctx.answerCbQuery();
  await undo(ctx, ctx.match[1]!);
  await ctx.editMessageText(ctx.t('ledger.undone'));
});

ledgerComposer.action('kept:record', async (ctx) => {
  await ctx.answerCbQuery();
  const raw = await ctx.deps.store.get(keptKey(ctx.chatId));
  await ctx.deps.store.delete(keptKey(ctx.chatId));
  if (raw === null) {
    await ctx.editMessageText(ctx.t('ledger.pickExpired'));
    return;
  }
  const kept = JSON.parse(raw) as KeptEntry;
  await record(ctx, kept.text, undefined, kept.messageId);
});

ledgerComposer.action('kept:discard', async (ctx) => {
  await ctx.answerCbQuery();
  await ctx.deps.store.delete(keptKey(ctx.chatId));
  await ctx.editMessageText(ctx.t('start.discarded'));
});

/** After registration: the entry typed before it, with buttons to record or forget it. */
export async function offerKeptEntry(ctx: BotContext): Promise<void> {
  const raw = await ctx.deps.store.get(keptKey(ctx.chatId));
  if (raw === null) return;
  const kept = JSON.parse(raw) as KeptEntry;
  await ctx.reply(
    ctx.t('start.entryOffer', { text: quote(kept.text) }),
    Markup.inlineKeyboard([
      Markup.button.callback(ctx.t('start.recordIt'), 'kept:record'),
      Markup.button.callback(ctx.t('start.discard'), 'kept:discard'),
    ]),
  );
}

/** Whether the text holds an amount at all (currencies and categories do not matter for that). */
export function looksLikeEntry(ctx: BotContext, text: string): boolean {
  const result = parseEntry(text, {
    now: new Date(),
    timeZone: 'UTC',
    language: ctx.language,
    defaultCurrency: 'EUR',
  });
  return result.ok || result.reason !== 'no-amount';
}

const quote = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

export async function replyBalance(ctx: BotContext): Promise<void> {
  const { accounts, netWorth } = await ctx.actor(AccountsDocument, { familyId: ctx.groupFamilyId ?? null });
  const lines = accounts.map((a) => `${a.name}: ${formatMoney(a.balance)}`);
  const missing =
    netWorth.missingRates.length > 0
      ? ctx.t('ledger.withoutRates', { codes: netWorth.missingRates.join(', ') })
      : '';
  await ctx.reply(
    [...lines, '', `${ctx.t('ledger.netWorth', { total: formatMoney(netWorth.total) })}${missing}`].join(
      '\n',
    ),
  );
}

/** The family's habits from its latest entries: how often each category is used, and for which words. */
function habitsOf(transactions: EntryContextQuery['transactions']) {
  const usage = new Map<string, number>();
  const words = new Map<string, Map<string, number>>();
  for (const { node } of transactions.edges) {
    const id = node.category?.id;
    if (id === undefined) continue;
    usage.set(id, (usage.get(id) ?? 0) + 1);
    for (const raw of (node.note ?? '').split(/\s+/)) {
      const word = normalizeWord(raw);
      if (word.length < 3 || /\d/.test(word)) continue;
      const counts = words.get(word) ?? new Map<string, number>();
      counts.set(id, (counts.get(id) ?? 0) + 1);
      words.set(word, counts);
    }
  }
  const history = new Map<string, string>();
  for (const [word, counts] of words) {
    history.set(word, [...counts].sort((a, b) => b[1] - a[1])[0]![0]);
  }
  return { usage, history };
}

interface CachedContext {
  fetchedAt: number;
  value: EntryContextQuery;
}

const contextKey = (ctx: BotContext) =>
  `tg:${ctx.telegramId}:entry-context:${ctx.groupFamilyId ?? 'default'}`;

/**
 * What reading an entry needs (the family's settings, accounts, categories and latest entries), kept for
 * a minute per person and family, so an entry usually costs one API call, the write. The person's own
 * entries are added to it as they are recorded (the picker's "most used" stays current); an account or
 * category added elsewhere shows within the minute.
 */
async function entryContext(ctx: BotContext): Promise<EntryContextQuery> {
  const cached = await ctx.deps.store.get(contextKey(ctx));
  if (cached !== null) return (JSON.parse(cached) as CachedContext).value;
  const value = await ctx.actor(EntryContextDocument, { familyId: ctx.groupFamilyId ?? null });
  const fresh: CachedContext = { fetchedAt: Date.now(), value };
  await ctx.deps.store.set(contextKey(ctx), JSON.stringify(fresh), ENTRY_CONTEXT_TTL_SECONDS);
  return value;
}

/** Adds a recorded entry to the cached context, which keeps its original expiry. */
async function rememberEntry(ctx: BotContext, created: Created): Promise<void> {
  const raw = await ctx.deps.store.get(contextKey(ctx));
  if (raw === null) return;
  const cached = JSON.parse(raw) as CachedContext;
  const left = ENTRY_CONTEXT_TTL_SECONDS - (Date.now() - cached.fetchedAt) / 1000;
  if (left < 1) return;
  const edges = cached.value.transactions.edges;
  edges.unshift({
    node: { note: created.note ?? null, category: created.category ? { id: created.category.id } : null },
  });
  edges.splice(HISTORY_SIZE);
  await ctx.deps.store.set(contextKey(ctx), JSON.stringify(cached), left);
}

/** Records an entry for the chat's user, or in a connected group for the sender, in that group's family. */
export async function record(
  ctx: BotContext,
  text: string,
  kind: EntryKind | undefined,
  messageId: number,
): Promise<void> {
  const { me, families, accounts, categories, transactions } = await entryContext(ctx);
  const family = families.find((f) => f.id === (ctx.groupFamilyId ?? me.defaultFamily?.id));
  const defaultCurrency = family?.baseCurrency ?? accounts[0]?.currency ?? 'EUR';
  const options: CategoryOption[] = categories.map((c) => ({ ...c, kind: c.kind }));
  const { usage, history } = habitsOf(transactions);
  const result = understand(
    text,
    {
      now: new Date(),
      timeZone: family?.timeZone ?? 'UTC',
      language: ctx.language,
      defaultCurrency,
      knownCurrencies: new Set(accounts.map((a) => a.currency)),
    },
    options,
    { history, ...(kind !== undefined && { kind }) },
  );
  if (!result.ok) {
    const reply = {
      'no-amount': kind === 'INCOME' ? 'ledger.usageIncome' : 'ledger.usageExpense',
      'too-large': 'ledger.tooLarge',
      'too-precise': 'ledger.tooPrecise',
      'not-positive': 'ledger.notPositive',
    }[result.reason];
    await ctx.reply(ctx.t(reply));
    return;
  }
  const { entry, match } = result.value;
  const account = entry.currencyGiven
    ? accounts.find((a) => a.currency === entry.currency)
    : (accounts.find((a) => a.currency === defaultCurrency) ?? accounts[0]);
  if (account === undefined) {
    await ctx.reply(ctx.t('ledger.noAccount', { currency: entry.currency }));
    return;
  }
  const base = {
    kind: result.value.kind,
    amount: entry.amount,
    currency: account.currency,
    accountId: account.id,
    note: match.note,
    occurredOn: entry.occurredOn ?? null,
    messageId,
  };
  if (match.kind === 'match') {
    const created = await create(ctx, { ...base, options: [] }, match.category.id);
    await ctx.reply(describe(ctx, created, base.occurredOn !== null), undoKeyboard(ctx, created.id));
    return;
  }
  const ofKind = options.filter((c) => c.kind === base.kind);
  const ordered = (match.kind === 'ambiguous' ? match.candidates : ofKind)
    .slice()
    .sort((a, b) => (usage.get(b.id) ?? 0) - (usage.get(a.id) ?? 0) || a.name.localeCompare(b.name));
  await offerPicker(ctx, {
    ...base,
    options: ordered.map((c) => [c.id, c.name]),
    ambiguous: match.kind === 'ambiguous',
  });
}

/** Stores the entry and sends the paged category keyboard for it. */
async function offerPicker(ctx: BotContext, pending: PendingEntry): Promise<void> {
  const id = randomBytes(6).toString('base64url');
  const vars = { amount: pending.amount, currency: pending.currency, word: pending.narrowedBy };
  const question =
    pending.narrowedBy !== undefined
      ? ctx.t('ledger.narrowed', vars)
      : ctx.t(pending.ambiguous === true ? 'ledger.whichOne' : 'ledger.whichCategory', vars);
  const stored: PendingEntry = { ...pending, question };
  await ctx.deps.store.set(pickKey(ctx.chatId, id), JSON.stringify(stored), PICK_TTL_SECONDS);
  await ctx.deps.store.set(openPickKey(ctx.chatId), id, PICK_TTL_SECONDS);
  await ctx.reply(question, pickerKeyboard(ctx, id, stored, 0));
}

function pickerKeyboard(ctx: BotContext, id: string, pending: PendingEntry, page: number) {
  const pages = Math.max(1, Math.ceil(pending.options.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const buttons = pending.options
    .slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE)
    .map(([, name], i) => Markup.button.callback(name, `pick:${id}:${current * PAGE_SIZE + i}`));
  const rows = Array.from({ length: Math.ceil(buttons.length / 2) }, (_, r) =>
    buttons.slice(r * 2, r * 2 + 2),
  );
  const nav = [
    ...(current > 0 ? [Markup.button.callback(ctx.t('ledger.back'), `page:${id}:${current - 1}`)] : []),
    ...(current < pages - 1
      ? [Markup.button.callback(ctx.t('ledger.more'), `page:${id}:${current + 1}`)]
      : []),
  ];
  return Markup.inlineKeyboard(nav.length > 0 ? [...rows, nav] : rows);
}

type Created = CreateTransactionMutation['createTransaction'];

async function create(ctx: BotContext, entry: PendingEntry, categoryId: string | null): Promise<Created> {
  const { createTransaction } = await ctx.actor(CreateTransactionDocument, {
    input: {
      kind: entry.kind,
      amount: entry.amount,
      accountId: entry.accountId,
      categoryId,
      note: entry.note === '' ? null : entry.note,
      occurredOn: entry.occurredOn,
      // A redelivered update (or a double tap) records once.
      idempotencyKey: `tg:${ctx.chatId}:${entry.messageId}`,
    },
  });
  await ctx.deps.store.set(lastKey(ctx), createTransaction.id, 24 * 3600);
  await rememberEntry(ctx, createTransaction);
  return createTransaction;
}

async function undo(ctx: BotContext, transactionId: string): Promise<void> {
  await ctx.actor(DeleteTransactionDocument, { id: transactionId });
  if ((await ctx.deps.store.get(lastKey(ctx))) === transactionId) await ctx.deps.store.delete(lastKey(ctx));
}

/**
 * The entry and the balance its own write left on the account (from the mutation's answer, not a later
 * read, so a burst of entries shows each one's balance).
 */
function describe(ctx: BotContext, tx: Created, dated: boolean): string {
  const sign = tx.kind === 'INCOME' ? '+' : '−';
  const date = dated ? tx.occurredOn : undefined;
  // In a group, whose entry it is.
  const who = ctx.isPrivate ? undefined : tx.createdBy.firstName;
  const parts = [`${sign}${formatMoney(tx.amount)}`, tx.category?.name, tx.note, date, who].filter(Boolean);
  return `${ctx.t('ledger.recorded', { parts: parts.join(' · ') })}\n${tx.account.name}: ${formatMoney(tx.account.balance)}`;
}

const undoKeyboard = (ctx: BotContext, id: string) =>
  Markup.inlineKeyboard([Markup.button.callback(ctx.t('ledger.undo'), `undo:${id}`)]);
