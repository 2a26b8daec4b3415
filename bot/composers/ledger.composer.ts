import { randomBytes } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import {
  AccountsDocument,
  CategoriesDocument,
  CreateTransactionDocument,
  DeleteTransactionDocument,
  type CreateTransactionMutation,
} from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import { matchCategory, parseEntry, type CategoryOption } from '../parse/entry.js';
import { formatMoney } from '../replies/format.js';

type Kind = 'EXPENSE' | 'INCOME';

/** An entry waiting for the user to pick its category from the keyboard. */
interface PendingEntry {
  kind: Kind;
  amount: string;
  accountId: string;
  note: string;
  messageId: number;
  options: string[];
}

const PICK_TTL_SECONDS = 15 * 60;
const lastKey = (chatId: number) => `chat:${chatId}:last-transaction`;
const pickKey = (chatId: number, id: string) => `chat:${chatId}:pick:${id}`;

const USAGE = {
  EXPENSE: 'Send the amount first, then the category and a note, e.g. /add 12.50 groceries coffee beans',
  INCOME: 'Send the amount first, then the category, e.g. /income 2500 salary',
};

/** Recording money: /add, /income, plain "250 groceries" messages, category picks, Undo, /balance. */
export const ledgerComposer = new Composer<BotContext>();

ledgerComposer.command('add', (ctx) => record(ctx, 'EXPENSE', ctx.payload));
ledgerComposer.command('income', (ctx) => record(ctx, 'INCOME', ctx.payload));
ledgerComposer.command('undo', async (ctx) => {
  const last = await ctx.deps.store.get(lastKey(ctx.chatId));
  if (last === null) {
    await ctx.reply('Nothing to undo.');
    return;
  }
  await undo(ctx, last);
  await ctx.reply('Undone: the last entry is deleted and the balance is back.');
});
ledgerComposer.command('balance', async (ctx) => {
  const { accounts, netWorth } = await ctx.user(AccountsDocument, {});
  const lines = accounts.map((a) => `${a.name}: ${formatMoney(a.balance)}`);
  const missing =
    netWorth.missingRates.length > 0 ? ` (without ${netWorth.missingRates.join(', ')}: no rate)` : '';
  await ctx.reply([...lines, '', `Net worth: ${formatMoney(netWorth.total)}${missing}`].join('\n'));
});

// "250 groceries" in a private chat means /add.
ledgerComposer.on('text', async (ctx, next) => {
  const text = ctx.message.text;
  if (!ctx.isPrivate || text.startsWith('/') || !/^[\d€$£¥₽₴₹₩₺₪]/.test(text.trim())) return next();
  await record(ctx, 'EXPENSE', text);
});

ledgerComposer.action(/^pick:([A-Za-z0-9_-]{8}):(\d{1,2})$/, async (ctx) => {
  const [, id, index] = ctx.match;
  const raw = await ctx.deps.store.get(pickKey(ctx.chatId, id!));
  if (raw === null) {
    await ctx.answerCbQuery('This choice has expired; send the entry again.');
    return;
  }
  const pending = JSON.parse(raw) as PendingEntry;
  const categoryId = pending.options[Number(index)];
  await ctx.answerCbQuery();
  const created = await create(ctx, pending, categoryId ?? null);
  await ctx.deps.store.delete(pickKey(ctx.chatId, id!));
  await ctx.editMessageText(describe(created), undoKeyboard(created.id));
});

ledgerComposer.action(/^undo:([0-9a-f-]{36})$/, async (ctx) => {
  await ctx.answerCbQuery();
  await undo(ctx, ctx.match[1]!);
  await ctx.editMessageText('Undone: the entry is deleted and the balance is back.');
});

async function record(ctx: BotContext, kind: Kind, text: string): Promise<void> {
  const [{ accounts, netWorth }, { categories }] = await Promise.all([
    ctx.user(AccountsDocument, {}),
    ctx.user(CategoriesDocument, { kind }),
  ]);
  const parsed = parseEntry(text, new Set(accounts.map((a) => a.currency)));
  if (!parsed.ok) {
    await ctx.reply(USAGE[kind]);
    return;
  }
  const currency = parsed.value.currency ?? netWorth.total.currency;
  const account =
    accounts.find((a) => a.currency === currency) ?? (parsed.value.currency ? undefined : accounts[0]);
  if (account === undefined) {
    await ctx.reply(`You have no account in ${currency}. Add one in the app first.`);
    return;
  }
  const match = matchCategory(parsed.value.words, categories);
  const base = {
    kind,
    amount: parsed.value.amount,
    accountId: account.id,
    messageId: ctx.message!.message_id,
  };
  if (match.kind === 'match') {
    const created = await create(ctx, { ...base, note: match.note, options: [] }, match.category.id);
    await ctx.reply(describe(created), undoKeyboard(created.id));
    return;
  }
  const options: CategoryOption[] = (match.kind === 'ambiguous' ? match.candidates : categories).slice(0, 8);
  const id = randomBytes(6).toString('base64url');
  const pending: PendingEntry = { ...base, note: match.note, options: options.map((c) => c.id) };
  await ctx.deps.store.set(pickKey(ctx.chatId, id), JSON.stringify(pending), PICK_TTL_SECONDS);
  const buttons = options.map((c, i) => Markup.button.callback(c.name, `pick:${id}:${i}`));
  const rows = Array.from({ length: Math.ceil(buttons.length / 2) }, (_, r) =>
    buttons.slice(r * 2, r * 2 + 2),
  );
  await ctx.reply(
    `${match.kind === 'ambiguous' ? 'Which one do you mean' : 'Which category'} for ${parsed.value.amount} ${account.currency}?`,
    Markup.inlineKeyboard(rows),
  );
}

type Created = CreateTransactionMutation['createTransaction'];

async function create(ctx: BotContext, entry: PendingEntry, categoryId: string | null): Promise<Created> {
  const { createTransaction } = await ctx.user(CreateTransactionDocument, {
    input: {
      kind: entry.kind,
      amount: entry.amount,
      accountId: entry.accountId,
      categoryId,
      note: entry.note === '' ? null : entry.note,
      // A redelivered update (or a double tap) records once.
      idempotencyKey: `tg:${ctx.chatId}:${entry.messageId}`,
    },
  });
  await ctx.deps.store.set(lastKey(ctx.chatId), createTransaction.id, 24 * 3600);
  return createTransaction;
}

async function undo(ctx: BotContext, transactionId: string): Promise<void> {
  await ctx.user(DeleteTransactionDocument, { id: transactionId });
  if ((await ctx.deps.store.get(lastKey(ctx.chatId))) === transactionId)
    await ctx.deps.store.delete(lastKey(ctx.chatId));
}

function describe(tx: Created): string {
  const sign = tx.kind === 'INCOME' ? '+' : '−';
  const parts = [`${sign}${formatMoney(tx.amount)}`, tx.category?.name, tx.note].filter(Boolean);
  return `Recorded ${parts.join(' · ')}\n${tx.account.name}: ${formatMoney(tx.account.balance)}`;
}

const undoKeyboard = (id: string) => Markup.inlineKeyboard([Markup.button.callback('Undo', `undo:${id}`)]);
