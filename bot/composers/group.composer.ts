import { randomBytes } from 'node:crypto';
import { Composer, Markup } from 'telegraf';
import {
  ConnectTelegramGroupDocument,
  DisconnectTelegramGroupDocument,
  FamilyDocument,
  TelegramGroupDocument,
} from '../api/generated/graphql.js';
import { ApiError } from '../api/client.js';
import type { BotContext } from '../context.js';
import { looksLikeEntry, record } from './ledger.composer.js';

/** A /connect waiting for its sender to confirm in their private chat. */
interface PendingConnect {
  chatId: number;
  title: string;
  telegramId: number;
}

const CONNECT_TTL_SECONDS = 10 * 60;
/** How long a group's family is remembered between messages (a connect or disconnect updates it). */
const GROUP_TTL_SECONDS = 60;
const NOT_CONNECTED = '-';
const connectKey = (token: string) => `group-connect:${token}`;
const groupKey = (chatId: number) => `group:${chatId}:family`;
/** Commands that show or change the family's money: in a group they need a connected group. */
const MONEY_COMMANDS = new Set(['add', 'income', 'undo', 'balance', 'report', 'budget']);

/**
 * The family's group chat: /connect (confirmed in a private chat) and /disconnect by an owner or admin,
 * entries and the family's figures for members whose Telegram account is connected, a private nudge to
 * /start for anyone else. Registration and linking stay in private chats (start composer).
 */
export const groupComposer = new Composer<BotContext>();

groupComposer.use(async (ctx, next) => {
  if (ctx.chat !== undefined && !ctx.isPrivate) ctx.groupFamilyId = await groupFamily(ctx);
  return next();
});

groupComposer.command('connect', async (ctx) => {
  if (ctx.isPrivate) {
    await ctx.reply(ctx.t('group.connectInGroup'));
    return;
  }
  if (!(await ctx.deps.sessions.isConnected(ctx.telegramId, ctx.telegramId))) {
    await nudge(ctx);
    return;
  }
  const { me } = await ctx.deps.sessions.call(
    ctx.telegramId,
    ctx.telegramId,
    FamilyDocument,
    {},
    ctx.requestId,
  );
  const family = me.defaultFamily;
  if (family == null || (family.myRole !== 'OWNER' && family.myRole !== 'ADMIN')) {
    await ctx.reply(ctx.t('group.onlyAdmins'));
    return;
  }
  const title = 'title' in ctx.chat ? ctx.chat.title : String(ctx.chatId);
  const token = randomBytes(9).toString('base64url');
  const pending: PendingConnect = { chatId: ctx.chatId, title, telegramId: ctx.telegramId };
  await ctx.deps.store.set(connectKey(token), JSON.stringify(pending), CONNECT_TTL_SECONDS);
  try {
    await ctx.telegram.sendMessage(
      ctx.telegramId,
      ctx.t('group.confirm', { title, family: family.name }),
      Markup.inlineKeyboard([
        Markup.button.callback(ctx.t('group.connectButton'), `gconnect:${token}`),
        Markup.button.callback(ctx.t('group.cancelButton'), `gcancel:${token}`),
      ]),
    );
  } catch {
    // The user never opened a private chat with the bot: Telegram refuses to write first.
    await ctx.reply(ctx.t('group.startPrivateFirst'));
    return;
  }
  await ctx.reply(ctx.t('group.checkPrivate'));
});

groupComposer.action(/^gconnect:([A-Za-z0-9_-]{12})$/, async (ctx) => {
  await ctx.answerCbQuery();
  const pending = await takePending(ctx, ctx.match[1]!);
  if (pending === null) return;
  let connectTelegramGroup;
  try {
    ({ connectTelegramGroup } = await ctx.user(
      ConnectTelegramGroupDocument,
      { input: { chatId: String(pending.chatId), title: pending.title } },
      { withBotCredential: true },
    ));
  } catch (error) {
    // The API answers NOT_FOUND for a group another family has (it says nothing about that family).
    if (!(error instanceof ApiError) || error.code !== 'NOT_FOUND') throw error;
    await ctx.editMessageText(ctx.t('group.otherFamily'));
    return;
  }
  await ctx.deps.store.set(groupKey(pending.chatId), connectTelegramGroup.familyId, GROUP_TTL_SECONDS);
  const { me } = await ctx.user(FamilyDocument, {});
  const family = me.defaultFamily?.name ?? ctx.t('start.yourFamily');
  await ctx.editMessageText(ctx.t('group.connected', { title: pending.title, family }));
  await ctx.telegram.sendMessage(pending.chatId, ctx.t('group.announce', { family }));
});

groupComposer.action(/^gcancel:([A-Za-z0-9_-]{12})$/, async (ctx) => {
  await ctx.answerCbQuery();
  if ((await takePending(ctx, ctx.match[1]!)) !== null) await ctx.editMessageText(ctx.t('group.cancelled'));
});

groupComposer.command('disconnect', async (ctx) => {
  if (ctx.isPrivate || ctx.groupFamilyId === undefined) {
    await ctx.reply(ctx.t(ctx.isPrivate ? 'group.connectInGroup' : 'group.notConnected'));
    return;
  }
  await ctx.actor(
    DisconnectTelegramGroupDocument,
    { chatId: String(ctx.chatId) },
    { withBotCredential: true },
  );
  await ctx.deps.store.set(groupKey(ctx.chatId), NOT_CONNECTED, GROUP_TTL_SECONDS);
  await ctx.reply(ctx.t('group.disconnected'));
});

// Money in a group: only in a connected group, only for members who connected their Telegram account.
groupComposer.on('message', async (ctx, next) => {
  if (ctx.isPrivate || !('text' in ctx.message)) return next();
  const text = withoutMention(ctx, ctx.message.text);
  const command = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?/.exec(text)?.[1]?.toLowerCase();
  const money = command !== undefined && MONEY_COMMANDS.has(command);
  const entry = command === undefined && looksLikeEntry(ctx, text);
  if (!money && !entry) return next();
  if (ctx.groupFamilyId === undefined) {
    // Plain talk in a group that is not connected is none of the bot's business.
    if (money) await ctx.reply(ctx.t('group.notConnected'));
    return;
  }
  if (!(await ctx.deps.sessions.isConnected(ctx.telegramId, ctx.telegramId))) {
    await nudge(ctx);
    return;
  }
  if (entry) {
    await record(ctx, text, undefined, ctx.message.message_id);
    return;
  }
  return next();
});

/** The family the group is connected to, remembered for a minute. */
async function groupFamily(ctx: BotContext): Promise<string | undefined> {
  const cached = await ctx.deps.store.get(groupKey(ctx.chatId));
  if (cached !== null) return cached === NOT_CONNECTED ? undefined : cached;
  const { telegramGroup } = await ctx.asBot(TelegramGroupDocument, { chatId: String(ctx.chatId) });
  await ctx.deps.store.set(groupKey(ctx.chatId), telegramGroup?.familyId ?? NOT_CONNECTED, GROUP_TTL_SECONDS);
  return telegramGroup?.familyId;
}

async function takePending(ctx: BotContext, token: string): Promise<PendingConnect | null> {
  const raw = await ctx.deps.store.get(connectKey(token));
  await ctx.deps.store.delete(connectKey(token));
  const pending = raw === null ? null : (JSON.parse(raw) as PendingConnect);
  // Only the one who sent /connect confirms it.
  if (pending === null || pending.telegramId !== ctx.telegramId) {
    await ctx.editMessageText(ctx.t('group.expired'));
    return null;
  }
  return pending;
}

/** Asks a sender with no connected account to /start, privately, or in the group if that fails. */
async function nudge(ctx: BotContext): Promise<void> {
  try {
    await ctx.telegram.sendMessage(ctx.telegramId, ctx.t('group.nudge'));
  } catch {
    await ctx.reply(ctx.t('group.nudgeHere', { name: ctx.from!.first_name }));
  }
}

/** "@FamilyBot 250 groceries" (how a group with privacy mode on reaches the bot) -> "250 groceries". */
function withoutMention(ctx: BotContext, text: string): string {
  const username = ctx.botInfo?.username;
  return username === undefined ? text : text.replace(new RegExp(`@${username}\\b`, 'gi'), '').trim();
}
