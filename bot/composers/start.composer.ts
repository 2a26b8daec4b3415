import { Composer, Markup } from 'telegraf';
import {
  BindingStartDocument,
  JoinFamilyDocument,
  MeDocument,
  SetLanguageDocument,
  TelegramRegisterDocument,
} from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';
import { LANGUAGE_TTL_SECONDS, languageKey } from '../i18n/index.js';
import { connectKeyboard } from '../replies/keyboards.js';
import { offerKeptEntry } from './ledger.composer.js';

const joinKey = (chatId: number) => `chat:${chatId}:pending-join`;
const JOIN_PAYLOAD = /^join_([A-Za-z0-9_-]{16,59})$/;

/** Connecting a chat: /start, one-tap /register, /link, /help, and invite deep links. */
export const startComposer = new Composer<BotContext>();

// T3: identity is only ever taken from private chats.
const privateOnly = async (ctx: BotContext, next: () => Promise<void>) => {
  if (ctx.isPrivate) return next();
  await ctx.reply(ctx.t('errors.privateOnly'));
};

startComposer.start(privateOnly, async (ctx) => {
  const join = JOIN_PAYLOAD.exec(ctx.payload ?? '');
  const connected = await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId);
  if (join !== null && connected) return joinFamily(ctx, join[1]!);
  if (join !== null) {
    await ctx.deps.store.set(joinKey(ctx.chatId), join[1]!, 24 * 3600);
    await ctx.reply(
      `${ctx.t('start.guestHelp')}\n\n${ctx.t('start.connectFirstJoin')}`,
      connectKeyboard(ctx.t),
    );
    return;
  }
  if (!connected) {
    await ctx.reply(ctx.t('start.guestHelp'), connectKeyboard(ctx.t));
    return;
  }
  const { me } = await ctx.user(MeDocument, {});
  const family = me.defaultFamily?.name ?? ctx.t('start.yourFamily');
  await ctx.reply(`${ctx.t('start.hi', { name: me.firstName, family })}\n\n${ctx.t('start.connectedHelp')}`);
});

startComposer.help((ctx) => replyHelp(ctx));

/** Help for a connected chat, or the ways to connect. */
export async function replyHelp(ctx: BotContext, prefix?: string): Promise<void> {
  const connected = ctx.isPrivate && (await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId));
  const lead = prefix === undefined ? '' : `${prefix}\n\n`;
  if (connected) await ctx.reply(lead + ctx.t('start.connectedHelp'));
  else await ctx.reply(lead + ctx.t('start.guestHelp'), ctx.isPrivate ? connectKeyboard(ctx.t) : undefined);
}

startComposer.command('register', privateOnly, (ctx) => register(ctx));
startComposer.command('link', privateOnly, (ctx) => link(ctx));
startComposer.action('connect:register', privateOnly, async (ctx) => {
  await ctx.answerCbQuery();
  await register(ctx);
});
startComposer.action('connect:link', privateOnly, async (ctx) => {
  await ctx.answerCbQuery();
  await link(ctx);
});

/** Who is talking, as the API's Telegram inputs want it (T3: always the update's `from`). */
function telegramAccount(ctx: BotContext) {
  const from = ctx.from!;
  return {
    telegramId: String(from.id),
    chatId: String(ctx.chatId),
    firstName: from.first_name,
    lastName: from.last_name ?? null,
    username: from.username ?? null,
  };
}

async function register(ctx: BotContext): Promise<void> {
  const { telegramRegister } = await ctx.asBot(TelegramRegisterDocument, {
    input: { ...telegramAccount(ctx), languageCode: ctx.from!.language_code ?? null },
  });
  await ctx.deps.sessions.save(ctx.chatId, telegramRegister);
  // A language picked with /language before registering becomes the new user's choice.
  if (ctx.languageChosen && telegramRegister.user.language == null) {
    await ctx.user(SetLanguageDocument, { language: ctx.language });
    await ctx.deps.store.set(languageKey(ctx.telegramId), ctx.language, LANGUAGE_TTL_SECONDS);
  }
  await ctx.reply(ctx.t('start.welcome', { name: telegramRegister.user.firstName }));
  const pending = await ctx.deps.store.get(joinKey(ctx.chatId));
  if (pending !== null) await joinFamily(ctx, pending);
  await offerKeptEntry(ctx);
}

async function link(ctx: BotContext): Promise<void> {
  const { bindingStart } = await ctx.asBot(BindingStartDocument, { input: telegramAccount(ctx) });
  await ctx.reply(
    ctx.t('start.linkPrompt'),
    Markup.inlineKeyboard([Markup.button.url(ctx.t('start.linkButton'), bindingStart.url)]),
  );
}

async function joinFamily(ctx: BotContext, code: string): Promise<void> {
  await ctx.deps.store.delete(joinKey(ctx.chatId));
  const { joinFamily } = await ctx.user(JoinFamilyDocument, { code });
  await ctx.reply(ctx.t('start.joined', { family: joinFamily.name }));
}
