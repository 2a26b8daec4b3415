import { Composer, Markup } from 'telegraf';
import {
  BindingStartDocument,
  JoinFamilyDocument,
  MeDocument,
  TelegramRegisterDocument,
} from '../api/generated/graphql.js';
import type { BotContext } from '../context.js';

const CONNECTED_HELP = [
  'Here is what I can do:',
  '/add 12.50 groceries coffee beans — record an expense (amount first; 12+8 works too)',
  '/income 2500 salary — record income',
  '/undo — undo the last entry',
  '/balance — accounts and net worth',
  '/report [month] — spending by category, e.g. /report march',
  '/budget — how the budgets stand',
  '/goals — savings goals',
  '/family — members and an invite link',
  '/logout — sign this chat out',
  'Or just send "250 groceries".',
].join('\n');

const GUEST_HELP = [
  "I keep your family's money in order, right here in Telegram.",
  'Quick register: one tap, and you get your own family with a cash account.',
  'Link account: already using Family Finance with an email? Link this Telegram account to it.',
].join('\n');

const connectKeyboard = Markup.inlineKeyboard([
  Markup.button.callback('Quick register', 'connect:register'),
  Markup.button.callback('Link account', 'connect:link'),
]);

const joinKey = (chatId: number) => `chat:${chatId}:pending-join`;
const JOIN_PAYLOAD = /^join_([A-Za-z0-9_-]{16,59})$/;

/** Connecting a chat: /start, one-tap /register, /link, /help, and invite deep links. */
export const startComposer = new Composer<BotContext>();

// T3: identity is only ever taken from private chats.
const privateOnly = async (ctx: BotContext, next: () => Promise<void>) => {
  if (ctx.isPrivate) return next();
  await ctx.reply('Please talk to me in a private chat for that: tap my name and press Start.');
};

startComposer.start(privateOnly, async (ctx) => {
  const join = JOIN_PAYLOAD.exec(ctx.payload ?? '');
  const connected = await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId);
  if (join !== null && connected) return joinFamily(ctx, join[1]!);
  if (join !== null) {
    await ctx.deps.store.set(joinKey(ctx.chatId), join[1]!, 24 * 3600);
    await ctx.reply(
      `${GUEST_HELP}\n\nConnect first; then I will add you to the family you were invited to.`,
      connectKeyboard,
    );
    return;
  }
  if (!connected) {
    await ctx.reply(GUEST_HELP, connectKeyboard);
    return;
  }
  const { me } = await ctx.user(MeDocument, {});
  await ctx.reply(
    `Hi ${me.firstName}! You're connected to ${me.defaultFamily?.name ?? 'your family'}.\n\n${CONNECTED_HELP}`,
  );
});

startComposer.help(async (ctx) => {
  const connected = ctx.isPrivate && (await ctx.deps.sessions.isConnected(ctx.chatId, ctx.telegramId));
  if (connected) await ctx.reply(CONNECTED_HELP);
  else await ctx.reply(GUEST_HELP, ctx.isPrivate ? connectKeyboard : undefined);
});

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
  await ctx.reply(
    `Welcome, ${telegramRegister.user.firstName}! Your family is ready, with a Cash account and the usual categories.\n\n` +
      'Try: /add 12.50 groceries',
  );
  const pending = await ctx.deps.store.get(joinKey(ctx.chatId));
  if (pending !== null) await joinFamily(ctx, pending);
}

async function link(ctx: BotContext): Promise<void> {
  const { bindingStart } = await ctx.asBot(BindingStartDocument, { input: telegramAccount(ctx) });
  await ctx.reply(
    'Open this page, sign in with your email and password, and confirm. I will tell you here when it is done. ' +
      'The link works for 10 minutes.',
    Markup.inlineKeyboard([Markup.button.url('Link my account', bindingStart.url)]),
  );
}

async function joinFamily(ctx: BotContext, code: string): Promise<void> {
  await ctx.deps.store.delete(joinKey(ctx.chatId));
  const { joinFamily } = await ctx.user(JoinFamilyDocument, { code });
  await ctx.reply(`You joined ${joinFamily.name}. Welcome!`);
}
