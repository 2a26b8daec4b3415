import { randomBytes } from 'node:crypto';
import { startBot } from '../bot/bot.js';
import { loadBotConfig } from '../bot/config.js';
import { FakeTelegram, newTelegramUser, textOf, type TgUser } from '../test/helpers/telegram-api.js';
import { freePort } from '../src/shared/net.js';
import { startChild, type BenchChild } from './lib/child.js';
import { createBenchDatabase, REDIS_URL, type BenchDatabase } from './lib/db.js';
import { summarizeProfile, type ProfileSummary } from './lib/profile.js';

/**
 * The bot end to end under a burst: the API (as `npm start` builds it) in a child process, the real bot
 * (Telegraf in webhook mode, the mode for production and for several replicas; Redis) in this one, and
 * the local Bot API server the tests use for what the bot sends. 100 users register through the bot; then
 * in each round all of them send an entry in the same instant (each update posted to the bot's webhook as
 * Telegram would), and each reply's time is measured from the post to the moment the bot sent the reply.
 */

export interface BotReport {
  chats: number;
  rounds: number;
  /** Reply times in ms over every round. */
  p50: number;
  p99: number;
  max: number;
  /** Entries recorded per second during the bursts. */
  entriesPerSecond: number;
  target: { p99: number; pass: boolean };
  /** The API's CPU profile over the rounds (with --profile). */
  profile?: ProfileSummary;
}

const TOKEN = '424242:BENCH-token';
const P99_TARGET_MS = 300;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runBotBench(options: {
  chats: number;
  rounds: number;
  log: (line: string) => void;
  /** Where to write the API's CPU profile over the rounds, if wanted. */
  profileFile?: string;
}): Promise<BotReport> {
  let db: BenchDatabase | undefined;
  let api: BenchChild | undefined;
  let tg: FakeTelegram | undefined;
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  const prefix = `ffbench:bot:${Date.now()}:`;
  try {
    db = await createBenchDatabase('ff_bench_bot');
    const botSecret = randomBytes(36).toString('base64url');
    const webhookSecret = randomBytes(24).toString('base64url');
    api = await startChild('app', {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '10',
      REDIS_URL,
      REDIS_KEY_PREFIX: `${prefix}api:`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BOT_API_SECRET: botSecret,
      LOG_LEVEL: 'silent',
      GRAPHQL_INTROSPECTION: 'false',
    });
    tg = await FakeTelegram.start({ token: TOKEN });
    bot = await startBot(
      loadBotConfig({
        TELEGRAM_BOT_TOKEN: TOKEN,
        API_URL: `${api.urls.app}/graphql`,
        BOT_API_SECRET: botSecret,
        TELEGRAM_API_ROOT: tg.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: `${prefix}bot:`,
        NOTIFY_INTERVAL_MS: '60000',
        LOG_LEVEL: 'silent',
        BOT_TOKEN_KEY: randomBytes(32).toString('base64'),
        BOT_WEBHOOK_URL: 'https://bench.example/hook',
        BOT_WEBHOOK_SECRET: webhookSecret,
        BOT_HOST: '127.0.0.1',
        BOT_PORT: String(await freePort()),
      }),
    );
    const hook = bot.webhookUrl!;
    const post = (user: TgUser, text: string) =>
      fetch(hook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret },
        body: JSON.stringify(tg!.textUpdate(user, text)),
      }).then((response) => {
        if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      });
    const users = Array.from({ length: options.chats }, (_, i) => newTelegramUser(`Bench${i}`));
    const burst = async (text: string, done: (reply: string) => boolean) => {
      const fake = tg!;
      const from = fake.mark();
      const sentAt = new Map<number, number>();
      const posts = users.map((user) => {
        sentAt.set(user.id, Date.now());
        return post(user, text);
      });
      const replies = await Promise.all(
        users.map((user: TgUser) =>
          fake.waitFor(
            (c) => c.index >= from && Number(c.payload.chat_id) === user.id && done(textOf(c)),
            60_000,
          ),
        ),
      );
      await Promise.all(posts);
      return replies.map((reply) => reply.at - sentAt.get(Number(reply.payload.chat_id))!);
    };
    options.log(`bot: registering ${options.chats} users through the bot`);
    // Registration is one-off; done in tens so the API's own limits and the seeding do not dominate.
    for (let i = 0; i < users.length; i += 10) {
      const batch = users.slice(i, i + 10);
      const from = tg.mark();
      await Promise.all(batch.map((user) => post(user, '/register')));
      await Promise.all(
        batch.map((user) =>
          tg!.waitFor(
            (c) =>
              c.index >= from && Number(c.payload.chat_id) === user.id && textOf(c).startsWith('Welcome'),
            60_000,
          ),
        ),
      );
    }
    await burst('1 groceries', (t) => t.startsWith('Recorded'));
    const times: number[] = [];
    let busy = 0;
    if (options.profileFile !== undefined) await api.profileStart();
    for (let round = 0; round < options.rounds; round++) {
      const start = Date.now();
      const round_ = await burst(`12.50 lunch round ${round}`, (t) => t.startsWith('Recorded'));
      busy += Date.now() - start;
      times.push(...round_);
      const sorted = [...round_].sort((a, b) => a - b);
      options.log(
        `bot: round ${round + 1}: p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms`,
      );
    }
    let profile: ProfileSummary | undefined;
    if (options.profileFile !== undefined) {
      await api.profileStop(options.profileFile);
      profile = await summarizeProfile(options.profileFile);
    }
    const sorted = times.sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    return {
      chats: options.chats,
      rounds: options.rounds,
      p50: percentile(sorted, 50),
      p99,
      max: sorted.at(-1)!,
      entriesPerSecond: (times.length / busy) * 1000,
      target: { p99: P99_TARGET_MS, pass: p99 < P99_TARGET_MS },
      ...(profile !== undefined && { profile }),
    };
  } finally {
    await bot?.stop();
    await tg?.close();
    await api?.stop();
    await db?.drop();
  }
}

export function printBotTable(report: BotReport): void {
  console.log(
    `\nbot: ${report.chats} chats sending an entry at once, ${report.rounds} rounds (reply time from queued to sent)\n` +
      `  p50 ${report.p50} ms, p99 ${report.p99} ms, max ${report.max} ms; ` +
      `${Math.round(report.entriesPerSecond)} entries/s during the bursts\n` +
      `  target p99 < ${report.target.p99} ms: ${report.target.pass ? 'PASS' : 'FAIL'}`,
  );
}
