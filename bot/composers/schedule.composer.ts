import { Composer, Markup } from 'telegraf';
import { ApiError } from '../api/client.js';
import {
  RecordScheduledOccurrenceDocument,
  SchedulesDocument,
  SkipScheduledOccurrenceDocument,
  UpdateScheduleDocument,
  type SchedulesQuery,
} from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import type { Translate } from '../i18n/index.js';
import { minorToDecimal, readNumber, toMinor } from '../parse/amount.js';
import { formatMoney, type MoneyLike } from '../replies/format.js';

/**
 * What the bot keeps of an ask-first occurrence it announced, so that Edit knows the range and the
 * answers can name it; the callback data only has room for the schedule and the day.
 */
export interface DueItem {
  scheduleId: string;
  occursOn: string;
  kind: string;
  note: string | null;
  amount: MoneyLike;
  amountMax: MoneyLike | null;
}

const DUE_TTL_SECONDS = 30 * 24 * 3600;
const EDIT_TTL_SECONDS = 15 * 60;
const dueKey = (scheduleId: string, occursOn: string) => `due:${scheduleId}:${occursOn}`;
const editKey = (chatId: number) => `chat:${chatId}:due-edit`;
const UUID = '[0-9a-f-]{36}';
const DAY = '\\d{4}-\\d{2}-\\d{2}';

/** Ask-first answers (Record / Skip / Edit on a due occurrence) and /recurring. */
export const scheduleComposer = new Composer<BotContext>();

/** Kept when the bot announces an occurrence (bot/notifications/deliver.ts). */
export const dueStoreEntry = (item: DueItem): [string, string, number] => [
  dueKey(item.scheduleId, item.occursOn),
  JSON.stringify(item),
  DUE_TTL_SECONDS,
];

export const dueTitle = (item: Pick<DueItem, 'note' | 'kind'>, t: Translate): string =>
  item.note ?? t(item.kind === 'INCOME' ? 'due.income' : 'due.expense');

/** "1200.00 EUR", or "1000.00–1400.00 EUR" for an approximate amount. */
export const dueAmount = (item: Pick<DueItem, 'amount' | 'amountMax'>): string =>
  item.amountMax === null ? formatMoney(item.amount) : `${item.amount.amount}–${formatMoney(item.amountMax)}`;

/** The announcement of a due occurrence with its three buttons. */
export function dueMessage(item: DueItem, today: string, t: Translate) {
  const vars = { title: dueTitle(item, t), amount: dueAmount(item), date: item.occursOn };
  const text = item.occursOn >= today ? t('due.today', vars) : t('due.late', vars);
  const data = `${item.scheduleId}:${item.occursOn}`;
  return {
    text,
    keyboard: Markup.inlineKeyboard([
      Markup.button.callback(t('due.record'), `due:r:${data}`),
      Markup.button.callback(t('due.skip'), `due:s:${data}`),
      Markup.button.callback(t('due.edit'), `due:e:${data}`),
    ]),
  };
}

scheduleComposer.action(new RegExp(`^due:r:(${UUID}):(${DAY})$`), async (ctx) => {
  const [, scheduleId, occursOn] = ctx.match;
  await ctx.answerCbQuery();
  await recordDue(ctx, scheduleId!, occursOn!, null, (text) => ctx.editMessageText(text));
});

scheduleComposer.action(new RegExp(`^due:s:(${UUID}):(${DAY})$`), async (ctx) => {
  const [, scheduleId, occursOn] = ctx.match;
  await ctx.answerCbQuery();
  const item = await dueItem(ctx, scheduleId!, occursOn!);
  const name = item === null ? ctx.t('due.expense') : dueTitle(item, ctx.t);
  try {
    await ctx.user(SkipScheduledOccurrenceDocument, { scheduleId: scheduleId!, occursOn: occursOn! });
  } catch (error) {
    if (!isConflict(error)) throw error;
    await ctx.editMessageText(ctx.t('due.answered', { title: name, date: occursOn }));
    return;
  }
  await ctx.editMessageText(
    ctx.t('due.skipped', { title: name, amount: item === null ? '' : dueAmount(item), date: occursOn }),
  );
});

scheduleComposer.action(new RegExp(`^due:e:(${UUID}):(${DAY})$`), async (ctx) => {
  const [, scheduleId, occursOn] = ctx.match;
  await ctx.answerCbQuery();
  const item = await dueItem(ctx, scheduleId!, occursOn!);
  if (item === null) {
    await ctx.reply(ctx.t('due.expired'));
    return;
  }
  await ctx.deps.store.set(editKey(ctx.chatId), JSON.stringify(item), EDIT_TTL_SECONDS);
  const vars = {
    title: dueTitle(item, ctx.t),
    date: occursOn,
    currency: item.amount.currency,
    min: item.amount.amount,
    max: item.amountMax?.amount,
  };
  await ctx.reply(ctx.t(item.amountMax === null ? 'due.askAmount' : 'due.askRange', vars));
});

// The amount after Edit: a plain number records the occurrence with it; anything else goes on.
scheduleComposer.on('text', async (ctx, next) => {
  const text = ctx.message.text.trim();
  if (!ctx.isPrivate || text.startsWith('/')) return next();
  const raw = await ctx.deps.store.get(editKey(ctx.chatId));
  if (raw === null) return next();
  const item = JSON.parse(raw) as DueItem;
  const exponent = item.amount.amount.split('.')[1]?.length ?? 0;
  const number = readNumber(text, exponent);
  const minor = number === null ? null : toMinor(number, exponent);
  if (minor === null || minor <= 0n) {
    // Something else than the amount: the question is dropped, so a later number is an entry again.
    await ctx.deps.store.delete(editKey(ctx.chatId));
    return next();
  }
  const min = minorOf(item.amount.amount);
  const max = item.amountMax === null ? null : minorOf(item.amountMax.amount);
  if (max !== null && (minor < min || minor > max)) {
    await ctx.reply(
      ctx.t('due.outOfRange', {
        min: item.amount.amount,
        max: item.amountMax!.amount,
        currency: item.amount.currency,
      }),
    );
    return;
  }
  await ctx.deps.store.delete(editKey(ctx.chatId));
  await recordDue(ctx, item.scheduleId, item.occursOn, minorToDecimal(minor, exponent), (reply) =>
    ctx.reply(reply),
  );
});

scheduleComposer.command('recurring', async (ctx) => {
  const { schedules } = await ctx.actor(SchedulesDocument, { familyId: ctx.groupFamilyId ?? null });
  if (schedules.length === 0) {
    await ctx.reply(ctx.t('recurring.none'));
    return;
  }
  const ordered = byNextDate(schedules);
  await ctx.reply(recurringText(ctx, ordered), recurringKeyboard(ctx, ordered));
});

scheduleComposer.action(new RegExp(`^rec:(p|r):(${UUID})$`), async (ctx) => {
  const [, action, id] = ctx.match;
  await ctx.answerCbQuery();
  await ctx.actor(UpdateScheduleDocument, { id: id!, input: { paused: action === 'p' } });
  const schedules = byNextDate(
    (await ctx.actor(SchedulesDocument, { familyId: ctx.groupFamilyId ?? null })).schedules,
  );
  const changed = schedules.find((s) => s.id === id);
  const done =
    changed === undefined
      ? ''
      : `${ctx.t(action === 'p' ? 'recurring.pausedDone' : 'recurring.resumedDone', { title: scheduleTitle(ctx, changed) })}\n\n`;
  await ctx.editMessageText(done + recurringText(ctx, schedules), recurringKeyboard(ctx, schedules));
});

type ScheduleItem = SchedulesQuery['schedules'][number];

/** The soonest first; ended ones last. */
const byNextDate = (schedules: ScheduleItem[]) =>
  schedules.slice().sort((a, b) => (a.nextOn ?? '9999').localeCompare(b.nextOn ?? '9999'));

const scheduleTitle = (ctx: BotContext, s: ScheduleItem) => s.note ?? s.category?.name ?? dueTitle(s, ctx.t);

function recurringText(ctx: BotContext, schedules: ScheduleItem[]): string {
  const lines = schedules.map((s) => {
    const sign = s.kind === 'INCOME' ? '+' : '−';
    const state = s.paused
      ? ctx.t('recurring.paused')
      : s.nextOn === null
        ? ctx.t('recurring.ended')
        : ctx.t('recurring.next', { date: s.nextOn });
    return `• ${ctx.t('recurring.line', {
      title: scheduleTitle(ctx, s),
      amount: sign + dueAmount(s),
      rule: s.description,
      state,
      mode: ctx.t(s.mode === 'ASK_FIRST' ? 'recurring.askFirst' : 'recurring.autoPost'),
    })}`;
  });
  return `${ctx.t('recurring.title')}\n${lines.join('\n')}`;
}

const recurringKeyboard = (ctx: BotContext, schedules: ScheduleItem[]) =>
  Markup.inlineKeyboard(
    schedules.map((s) => [
      Markup.button.callback(
        ctx.t(s.paused ? 'recurring.resume' : 'recurring.pause', { title: scheduleTitle(ctx, s) }),
        `rec:${s.paused ? 'r' : 'p'}:${s.id}`,
      ),
    ]),
  );

/** Records the occurrence and answers with the entry and the balance it left; twice is answered kindly. */
async function recordDue(
  ctx: BotContext,
  scheduleId: string,
  occursOn: string,
  amount: string | null,
  answer: (text: string) => Promise<unknown>,
): Promise<void> {
  let recorded;
  try {
    recorded = await ctx.user(RecordScheduledOccurrenceDocument, { scheduleId, occursOn, amount });
  } catch (error) {
    if (!isConflict(error)) throw error;
    const item = await dueItem(ctx, scheduleId, occursOn);
    const title = item === null ? ctx.t('due.expense') : dueTitle(item, ctx.t);
    await answer(ctx.t('due.answered', { title, date: occursOn }));
    return;
  }
  const tx = recorded.recordScheduledOccurrence.transaction;
  if (tx == null) return;
  const sign = tx.kind === 'INCOME' ? '+' : '−';
  const parts = [`${sign}${formatMoney(tx.amount)}`, tx.category?.name, tx.note, occursOn].filter(Boolean);
  await answer(
    `${ctx.t('ledger.recorded', { parts: parts.join(' · ') })}\n${tx.account.name}: ${formatMoney(tx.account.balance)}`,
  );
}

async function dueItem(ctx: BotContext, scheduleId: string, occursOn: string): Promise<DueItem | null> {
  const raw = await ctx.deps.store.get(dueKey(scheduleId, occursOn));
  return raw === null ? null : (JSON.parse(raw) as DueItem);
}

const isConflict = (error: unknown) => error instanceof ApiError && error.code === 'CONFLICT';

/** Minor units of an amount the API wrote ("1200.00" -> 120000n). */
const minorOf = (amount: string) => BigInt(amount.replace('.', ''));
