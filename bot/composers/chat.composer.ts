import { Composer, Markup } from 'telegraf';
import type { BotContext } from '../context.js';
import { SetLanguageDocument } from '../api/generated/graphql.js';
import {
  LANGUAGE_NAMES,
  LANGUAGE_TTL_SECONDS,
  LANGUAGES,
  languageKey,
  translator,
  type BotLanguage,
} from '../i18n/index.js';
import { connectKeyboard } from '../replies/keyboards.js';
import { replyBalance } from './ledger.composer.js';
import { replyHelp } from './start.composer.js';

const GREETING =
  /^(hi|hello|hey|hallo|hola|moin|servus|привет|здравствуй(те)?|добрый (день|вечер)|доброе утро|guten (morgen|tag|abend)|good (morning|evening|afternoon)|buenos d[ií]as)(?!\p{L})/iu;
const BALANCE =
  /(balance|how much (do i|have i|did we)|баланс|сколько (у меня|осталось|денег)|kontostand|saldo)/iu;
const THANKS = /^(thanks?|thank you|thx|спасибо|спс|danke|gracias)(?!\p{L})/iu;

/** /language, and the last word for anything no other composer answered: no private message goes unanswered. */
export const chatComposer = new Composer<BotContext>();

chatComposer.command('language', async (ctx) => {
  await ctx.reply(
    ctx.t('language.choose'),
    Markup.inlineKeyboard(LANGUAGES.map((l) => Markup.button.callback(LANGUAGE_NAMES[l], `lang:${l}`))),
  );
});

chatComposer.action(/^lang:(en|ru)$/, async (ctx) => {
  const language = ctx.match[1] as BotLanguage;
  await ctx.answerCbQuery();
  // Kept on the user through the API, so every client and every bot replica knows it.
  if (ctx.isPrivate && (await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId))) {
    await ctx.user(SetLanguageDocument, { language });
  }
  await ctx.deps.store.set(languageKey(ctx.telegramId), language, LANGUAGE_TTL_SECONDS);
  ctx.language = language;
  ctx.t = translator(language);
  await ctx.editMessageText(ctx.t('language.set'));
});

chatComposer.on('text', async (ctx) => {
  if (!ctx.isPrivate) return;
  const text = ctx.message.text.trim();
  if (text.startsWith('/')) {
    await replyHelp(ctx, ctx.t('chat.unknownCommand'));
    return;
  }
  const connected = await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId);
  if (BALANCE.test(text) && connected) {
    await replyBalance(ctx);
    return;
  }
  const reply = GREETING.test(text)
    ? ctx.t('chat.greeting')
    : THANKS.test(text)
      ? ctx.t('chat.thanks')
      : ctx.t('chat.notUnderstood');
  if (connected) await ctx.reply(reply);
  else await ctx.reply(`${reply}\n\n${ctx.t('start.guestHelp')}`, connectKeyboard(ctx.t));
});

// Stickers, photos, voice: still an answer.
chatComposer.on('message', async (ctx) => {
  if (ctx.isPrivate) await replyHelp(ctx, ctx.t('chat.notUnderstood'));
});
