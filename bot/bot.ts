import { createServer, type Server } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { ApiClient } from './api/client.js';
import { chatComposer } from './composers/chat.composer.js';
import { familyComposer } from './composers/family.composer.js';
import { groupComposer } from './composers/group.composer.js';
import { ledgerComposer } from './composers/ledger.composer.js';
import { reportsComposer } from './composers/reports.composer.js';
import { scheduleComposer } from './composers/schedule.composer.js';
import { startComposer } from './composers/start.composer.js';
import type { BotConfig } from './config.js';
import { BotContext, type BotDeps } from './context.js';
import { languageKey, languageOf, LANGUAGES, NO_CHOICE, translator, type BotLanguage } from './i18n/index.js';
import { startNotificationLoop } from './notifications/deliver.js';
import { friendlyError } from './replies/errors.js';
import { BotMetrics } from './metrics.js';
import { MemoryChatStore, RedisChatStore, type ChatStore } from './session/chat-store.js';
import { tokenCipherFor } from './session/token-cipher.js';
import { UserSessions } from './session/user-session.js';
import { retryOnFloodControl } from './telegram-retry.js';

/** The command menu, described in each language the bot speaks (bot/i18n, `commands`). */
const COMMANDS = [
  'start',
  'add',
  'income',
  'undo',
  'balance',
  'report',
  'budget',
  'recurring',
  'goals',
  'family',
  'link',
  'language',
  'connect',
  'disconnect',
  'register',
  'help',
  'logout',
] as const;

export interface RunningBot {
  bot: Telegraf<BotContext>;
  /** Webhook mode: where the update endpoint listens. */
  webhookUrl: string | undefined;
  /** The per-chat store (Redis, or this process's map): what is really kept at rest. */
  store: ChatStore;
  stop(): Promise<void>;
}

/** Builds the bot: deps on every context, one composer per feature, friendly replies for every failure. */
export function createBot(config: BotConfig, deps: BotDeps): Telegraf<BotContext> {
  const bot = new Telegraf<BotContext>(config.token, {
    contextType: BotContext,
    ...(config.telegramApiRoot !== undefined && { telegram: { apiRoot: config.telegramApiRoot } }),
  });
  retryOnFloodControl(bot.telegram);
  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    // Telegraf makes a Telegram client per update (ctx.telegram): replies need the retry as well.
    retryOnFloodControl(ctx.telegram);
    if (ctx.from !== undefined) {
      let chosen = await deps.store.get(languageKey(ctx.from.id)).catch(() => null);
      if (chosen === null && ctx.chat?.type === 'private') {
        // A sign-in brings the language the user chose (perhaps in another client) along.
        const connected = await deps.sessions.isConnected(ctx.chat.id, ctx.from.id).catch(() => false);
        if (connected) chosen = await deps.store.get(languageKey(ctx.from.id)).catch(() => null);
        else await deps.store.set(languageKey(ctx.from.id), NO_CHOICE, 3600).catch(() => undefined);
      }
      ctx.languageChosen = (LANGUAGES as readonly string[]).includes(chosen ?? '');
      ctx.language = ctx.languageChosen ? (chosen as BotLanguage) : languageOf(ctx.from.language_code);
      ctx.t = translator(ctx.language);
    }
    let outcome = 'error';
    try {
      await next();
      outcome = 'ok';
    } finally {
      deps.metrics.updates.inc({ type: ctx.updateType, outcome });
    }
  });
  bot.use(
    groupComposer,
    startComposer,
    scheduleComposer,
    ledgerComposer,
    reportsComposer,
    familyComposer,
    chatComposer,
  );
  bot.catch(async (error, ctx) => {
    deps.logger.warn({ err: error, requestId: ctx.requestId, update: ctx.updateType }, 'update failed');
    try {
      if (ctx.callbackQuery !== undefined) await ctx.answerCbQuery().catch(() => undefined);
      if (ctx.chat !== undefined) await ctx.reply(friendlyError(error, ctx.t));
    } catch (replyError) {
      deps.logger.warn({ err: replyError }, 'could not send the error reply');
    }
  });
  return bot;
}

/** Starts the bot in long polling, or in webhook mode when BOT_WEBHOOK_URL is set, plus the outbox loop. */
export async function startBot(
  config: BotConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningBot> {
  const store =
    config.redisUrl === undefined
      ? new MemoryChatStore()
      : new RedisChatStore(config.redisUrl, config.redisKeyPrefix);
  if (config.redisUrl === undefined) logger.warn('REDIS_URL is unset: chat tokens live in this process only');
  const api = new ApiClient(config.apiUrl, config.botApiSecret);
  const metrics = new BotMetrics();
  const sessions = new UserSessions(store, api, tokenCipherFor(config.tokenKeys, logger), logger);
  const deps: BotDeps = { metrics, api, store, sessions, logger };
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await metrics.serve(config.webhook?.host ?? '0.0.0.0', config.metricsPort);
  const bot = createBot(config, deps);
  bot.botInfo = await bot.telegram.getMe();
  for (const language of LANGUAGES) {
    const t = translator(language);
    const commands = COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
    // English is also the menu for every language without one of its own.
    await bot.telegram.setMyCommands(commands, language === 'en' ? {} : { language_code: language });
  }

  let server: Server | undefined;
  let webhookUrl: string | undefined;
  if (config.webhook === undefined) {
    await bot.telegram.deleteWebhook();
    // launch() resolves only when polling stops; it is running once onLaunch fires.
    await new Promise<void>((resolve, reject) => {
      bot.launch({ dropPendingUpdates: false }, resolve).catch(reject);
    });
  } else {
    server = await serveWebhook(bot, config.webhook, logger);
    const { port } = server.address() as AddressInfo;
    webhookUrl = `http://127.0.0.1:${port}`;
    await bot.telegram.setWebhook(config.webhook.url, { secret_token: config.webhook.secret });
  }
  const notifications = startNotificationLoop(
    { api, sessions: deps.sessions, store, telegram: bot.telegram, logger, metrics },
    config.notifyIntervalMs,
  );
  logger.info(
    { username: bot.botInfo.username, mode: config.webhook ? 'webhook' : 'polling' },
    'bot started',
  );

  let stopping: Promise<void> | undefined;
  return {
    bot,
    webhookUrl,
    store,
    stop() {
      stopping ??= (async () => {
        await notifications.stop();
        if (server === undefined) bot.stop('shutdown');
        else await new Promise<void>((resolve) => server.close(() => resolve()));
        if (metricsServer !== undefined)
          await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        await store.close();
      })();
      return stopping;
    },
  };
}

/**
 * The update endpoint for webhook mode. T2: every request must carry Telegram's secret-token header,
 * compared in constant time; anything else is 401 and never reaches the bot.
 */
async function serveWebhook(
  bot: Telegraf<BotContext>,
  webhook: NonNullable<BotConfig['webhook']>,
  logger: Logger,
): Promise<Server> {
  const expected = createHash('sha256').update(webhook.secret).digest();
  const server = createServer((req, res) => {
    const given = createHash('sha256')
      .update(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''))
      .digest();
    if (req.method !== 'POST' || !timingSafeEqual(given, expected)) {
      res.writeHead(req.method === 'POST' ? 401 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let update: Update;
      try {
        update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update;
      } catch {
        res.writeHead(400).end();
        return;
      }
      bot
        .handleUpdate(update)
        .catch((error: unknown) => logger.warn({ err: error }, 'webhook update failed'))
        .finally(() => res.writeHead(200).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(webhook.port, webhook.host, resolve));
  return server;
}
