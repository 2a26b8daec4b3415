import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBot, type RunningBot } from '../../bot/bot.js';
import { loadBotConfig } from '../../bot/config.js';
import { TokenCipher } from '../../bot/session/token-cipher.js';
import { ScheduleRunner } from '../../src/modules/schedule/schedule.runner.js';
import { freePort } from '../../src/shared/net.js';
import {
  createScratchDatabase,
  realRedis,
  startTestApp,
  type GqlOptions,
  type TestApp,
} from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import {
  FakeTelegram,
  buttonsOf,
  messageIdOf,
  newTelegramUser,
  textOf,
  type RecordedCall,
  type SendOptions,
  type TgUser,
} from '../helpers/telegram-api.js';

/**
 * The real bot (Telegraf, long polling and webhook mode) against the real API on a database of this
 * file's own (so the outbox holds only what these tests put there), real Redis, and a local stand-in
 * for the Telegram Bot API.
 */

const TOKEN = '123456:TEST-token';
const BOT_USERNAME = 'FamilyFinanceTestBot';
const NOT_REACHABLE = 'The finance service is not reachable right now. Please try again in a moment.';
const PRIVATE_ONLY = 'Please talk to me in a private chat for that: tap my name and press Start.';
const NOT_CONNECTED =
  "You're not connected yet. Send /start to register in one tap or link an existing account.";
const MINUTE = 60_000;

const TG_LOGIN = `mutation TgLogin($telegramId: ID!) { telegramLogin(telegramId: $telegramId) { accessToken } }`;
const CATEGORIES = `query Categories { categories(kind: EXPENSE) { id name } }`;
const CREATE_BUDGET = `mutation CreateBudget($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`;
const ACCOUNTS = `query Accounts { accounts { id name } }`;
const CREATE_SCHEDULE = `mutation CreateSchedule($input: CreateScheduleInput!) { createSchedule(input: $input) { id nextOn } }`;
const BINDING_CONFIRM = `mutation Confirm($code: String!) { bindingConfirm(code: $code) { id telegramId } }`;

const chatOf = (call: RecordedCall) => Number(call.payload.chat_id);

describe('Telegram bot end to end', () => {
  const botSecret = randomBytes(36).toString('base64url');
  const tokenKey = randomBytes(32);
  const asBot: GqlOptions = { headers: { 'x-bot-key': botSecret } };
  const redisPrefix = `fftest:bot:${randomUUID()}:`;
  let app: TestApp;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let tg: FakeTelegram;
  let running: RunningBot | undefined;
  let redis: Redis | undefined;

  const botEnv = (overrides: Record<string, string> = {}) => ({
    TELEGRAM_BOT_TOKEN: TOKEN,
    API_URL: `${app.url}/graphql`,
    BOT_API_SECRET: botSecret,
    TELEGRAM_API_ROOT: tg.url,
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: redisPrefix,
    NOTIFY_INTERVAL_MS: '200',
    LOG_LEVEL: 'silent',
    BOT_TOKEN_KEY: tokenKey.toString('base64'),
    ...overrides,
  });

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    app = await startTestApp({
      DATABASE_URL: scratch.url,
      BOT_API_SECRET: botSecret,
      PUBLIC_URL: 'https://finance.example.test',
    });
    tg = await FakeTelegram.start({
      token: TOKEN,
      usernames: { [TOKEN]: BOT_USERNAME },
    });
    running = await startBot(loadBotConfig(botEnv()));
    if (realRedis) redis = new Redis(TEST_REDIS_URL);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await tg?.close();
    // The chat keys live up to 30 days: leave nothing behind on the shared Redis.
    const leftovers = (await redis?.keys(`${redisPrefix}*`)) ?? [];
    if (leftovers.length > 0) await redis!.del(...leftovers);
    await redis?.quit();
    await app?.stop();
    if (scratch === undefined) return;
    await scratch.drop();
  }, 60_000);

  /** Sends a message and resolves with the bot's first reply to that chat (matching `expect`, if given). */
  async function ask(
    user: TgUser,
    text: string,
    options: SendOptions & { expect?: (text: string) => boolean } = {},
  ): Promise<RecordedCall> {
    const from = tg.mark();
    const chatId = options.chat?.id ?? user.id;
    const token = options.token ?? TOKEN;
    tg.sendText(user, text, options);
    return tg.waitFor(
      (c) =>
        c.index >= from &&
        c.token === token &&
        c.method === 'sendMessage' &&
        chatOf(c) === chatId &&
        (options.expect?.(textOf(c)) ?? true),
    );
  }

  /** Presses a button and resolves with the edit or message it leads to. */
  async function press(
    user: TgUser,
    message: RecordedCall,
    buttonText: string,
    expectText: (text: string) => boolean,
  ): Promise<RecordedCall> {
    const button = buttonsOf(message).find((b) => b.text === buttonText);
    if (button?.callback_data === undefined) {
      throw new Error(`no button "${buttonText}" in ${JSON.stringify(message.payload.reply_markup)}`);
    }
    const from = tg.mark();
    tg.pressButton(user, messageIdOf(message), button.callback_data);
    return tg.waitFor((c) => c.index >= from && chatOf(c) === user.id && expectText(textOf(c)));
  }

  async function quickRegister(user: TgUser): Promise<void> {
    await ask(user, '/register', { expect: (t) => t.startsWith(`Welcome, ${user.first_name}!`) });
  }

  const userIdOf = async (user: TgUser): Promise<string | undefined> =>
    (await app.sql<{ id: string }>('select id from app_user where telegram_id = $1', [String(user.id)]))[0]
      ?.id;

  const ledgerRows = (user: TgUser) =>
    app.sql<{ amount: string; idempotency_key: string | null; note: string | null }>(
      `select t.amount::text as amount, t.idempotency_key, t.note
         from ledger_transaction t
         join membership m on m.family_id = t.family_id
         join app_user u on u.id = m.user_id
        where u.telegram_id = $1
        order by t.seq`,
      [String(user.id)],
    );

  const sessionsOf = (user: TgUser) =>
    app.sql<{ id: string; revoked_at: Date | null; refresh_tokens: number }>(
      `select s.id, s.revoked_at, (select count(*)::int from refresh_token r where r.session_id = s.id) as refresh_tokens
         from auth_session s join app_user u on u.id = s.user_id
        where u.telegram_id = $1
        order by s.created_at, s.id`,
      [String(user.id)],
    );

  /** A user token for the Telegram user, the way the bot gets one. */
  async function tokenOf(user: TgUser): Promise<string> {
    const result = await app.gql<{ telegramLogin: { accessToken: string } }>(
      TG_LOGIN,
      { telegramId: String(user.id) },
      asBot,
    );
    if (!result.data?.telegramLogin) throw new Error(`telegramLogin failed: ${result.text}`);
    return result.data.telegramLogin.accessToken;
  }

  /** Resolves once the bot has asked the API for pending notifications `rounds` more times. */
  async function notificationRounds(rounds: number): Promise<void> {
    const count = () => app.logs.filter((l) => l.operationName === 'PendingNotifications').length;
    const target = count() + rounds;
    await vi.waitFor(
      () => {
        if (count() < target) throw new Error('the notification loop has not polled yet');
      },
      { timeout: 20_000, interval: 50 },
    );
  }

  it('registers in one tap, records an expense with Undo, shows the balance and undoes', async () => {
    const ann = newTelegramUser('Ann');
    const start = await ask(ann, '/start');
    expect(buttonsOf(start).map((b) => b.text)).toEqual(['Quick register', 'Link account']);
    expect(await userIdOf(ann)).toBeUndefined();

    const welcome = await press(ann, start, 'Quick register', (t) => t.startsWith('Welcome'));
    expect(textOf(welcome)).toMatch(/^Welcome, Ann! Your family is ready/);
    expect(tg.calls.some((c) => c.method === 'answerCallbackQuery' && c.error === undefined)).toBe(true);
    expect(await userIdOf(ann)).toBeDefined();

    const added = await ask(ann, '/add 250 groceries');
    expect(textOf(added).split('\n')[0]).toBe('Recorded −250.00 EUR · Groceries');
    expect(textOf(added)).toContain('Cash: -250.00 EUR');
    expect(buttonsOf(added)).toEqual([
      expect.objectContaining({ text: 'Undo', callback_data: expect.stringMatching(/^undo:/) }),
    ]);
    expect(await ledgerRows(ann)).toHaveLength(1);

    const balance = await ask(ann, '/balance');
    expect(textOf(balance)).toContain('Cash: -250.00 EUR');

    const undone = await press(ann, added, 'Undo', (t) => t.startsWith('Undone'));
    expect(undone.method).toBe('editMessageText');
    expect(undone.payload.message_id).toBe(messageIdOf(added));
    expect(textOf(undone)).toBe('Undone: the entry is deleted and the balance is back.');
    expect(await ledgerRows(ann)).toHaveLength(0);

    const after = await ask(ann, '/balance');
    expect(textOf(after)).toContain('Cash: 0.00 EUR');
    expect(textOf(after)).not.toContain('-250.00');
  }, 90_000);

  it('asks for the category with a keyboard when the word is unknown or ambiguous', async () => {
    const ben = newTelegramUser('Ben');
    await quickRegister(ben);
    const question = await ask(ben, '/add 12 xyz');
    expect(textOf(question)).toBe('Which category for 12.00 EUR?');
    const names = buttonsOf(question).map((b) => b.text);
    expect(names).toContain('Groceries');
    expect(names.length).toBeGreaterThan(1);
    expect(await ledgerRows(ben)).toHaveLength(0);

    const picked = await press(ben, question, 'Groceries', (t) => t.startsWith('Recorded'));
    expect(picked.method).toBe('editMessageText');
    expect(picked.payload.message_id).toBe(messageIdOf(question));
    expect(textOf(picked)).toMatch(/^Recorded −12\.00 EUR · Groceries · xyz\n/);
    expect(buttonsOf(picked).map((b) => b.text)).toEqual(['Undo']);
    expect((await ledgerRows(ben)).map((r) => r.amount)).toEqual(['1200']);

    // A second tap on the same choice (the keyboard was still on screen) records nothing more.
    const tapped = tg.mark();
    const groceries = buttonsOf(question).find((b) => b.text === 'Groceries')!;
    tg.pressButton(ben, messageIdOf(question), groceries.callback_data!);
    await vi.waitFor(
      () => {
        const answer = tg.calls
          .slice(tapped)
          .find((c) => c.method === 'answerCallbackQuery' && c.error === undefined);
        expect(answer?.payload.text).toBe('This choice has expired; send the entry again.');
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(await ledgerRows(ben)).toHaveLength(1);

    // "tra" starts Transport, Public transport and Travel: only those are offered.
    const which = await ask(ben, '/add 30 tra weekend');
    expect(textOf(which)).toBe('Which one do you mean for 30.00 EUR?');
    expect(
      buttonsOf(which)
        .map((b) => b.text)
        .sort(),
    ).toEqual(['Public transport', 'Transport', 'Travel']);
    const travel = await press(ben, which, 'Travel', (t) => t.startsWith('Recorded'));
    expect(textOf(travel).split('\n')[0]).toBe('Recorded −30.00 EUR · Travel · weekend');
    expect((await ledgerRows(ben)).map((r) => [r.amount, r.note])).toEqual([
      ['1200', 'xyz'],
      ['3000', 'weekend'],
    ]);
  }, 90_000);

  it('understands plain messages as /add, with arithmetic and decimal commas', async () => {
    const cy = newTelegramUser('Cy');
    await quickRegister(cy);
    const plain = await ask(cy, '250 groceries');
    expect(textOf(plain).split('\n')[0]).toBe('Recorded −250.00 EUR · Groceries');
    const sum = await ask(cy, '12+8 taxi');
    expect(textOf(sum).split('\n')[0]).toBe('Recorded −20.00 EUR · Taxi');
    const comma = await ask(cy, '12,50 groceries');
    expect(textOf(comma).split('\n')[0]).toBe('Recorded −12.50 EUR · Groceries');
    expect((await ledgerRows(cy)).map((r) => r.amount)).toEqual(['25000', '2000', '1250']);
    const balance = await ask(cy, '/balance');
    expect(textOf(balance)).toContain('Cash: -282.50 EUR');
  }, 90_000);

  it('records a redelivered update once', async () => {
    const dee = newTelegramUser('Dee');
    await quickRegister(dee);
    const from = tg.mark();
    const first = tg.sendText(dee, '/add 7 groceries');
    tg.sendText(dee, '/add 7 groceries', { messageId: first.message.message_id });
    await vi.waitFor(
      () => {
        const replies = tg.sent(from).filter((c) => chatOf(c) === dee.id);
        if (replies.length < 2) throw new Error('waiting for both replies');
      },
      { timeout: 20_000, interval: 50 },
    );
    const replies = tg.sent(from).filter((c) => chatOf(c) === dee.id);
    expect(replies.map((c) => textOf(c).split('\n')[0])).toEqual([
      'Recorded −7.00 EUR · Groceries',
      'Recorded −7.00 EUR · Groceries',
    ]);
    const rows = await ledgerRows(dee);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idempotency_key).toBe(`tg:${dee.id}:${first.message.message_id}`);
    expect(textOf(await ask(dee, '/balance'))).toContain('Cash: -7.00 EUR');
  }, 90_000);

  it('refreshes an expired access token and recovers lost tokens without the user noticing', async () => {
    const eve = newTelegramUser('Eve');
    await quickRegister(eve);
    expect(textOf(await ask(eve, '/balance'))).toContain('Cash: 0.00 EUR');
    const [session] = await sessionsOf(eve);
    expect(session!.refresh_tokens).toBe(1);

    // The access JWT is dead for the API; the bot's copy in Redis has not expired yet.
    app.clock.advance(16 * MINUTE);
    if (realRedis) expect(await redis!.exists(`${redisPrefix}chat:${eve.id}:access`)).toBe(1);
    expect(textOf(await ask(eve, '/balance'))).toContain('Cash: 0.00 EUR');
    const refreshed = await sessionsOf(eve);
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.refresh_tokens).toBe(2);

    // Again, through /add, which asks the API two things at once.
    app.clock.advance(16 * MINUTE);
    const added = await ask(eve, '/add 5 groceries');
    expect(textOf(added).split('\n')[0]).toBe('Recorded −5.00 EUR · Groceries');

    const sessionsBefore = (await sessionsOf(eve)).length;
    if (realRedis) {
      const keys = await redis!.keys(`${redisPrefix}chat:${eve.id}:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis!.del(...keys);
      expect(textOf(await ask(eve, '/balance'))).toContain('Cash: -5.00 EUR');
      // Signed in again with the bot credential: a new session.
      expect((await sessionsOf(eve)).length).toBe(sessionsBefore + 1);
    } else {
      expect(textOf(await ask(eve, '/balance'))).toContain('Cash: -5.00 EUR');
    }
  }, 90_000);

  it('keeps chat tokens encrypted at rest and asks the chat to connect again when one was tampered with', async () => {
    const uma = newTelegramUser('Uma');
    await quickRegister(uma);
    const accessKey = `chat:${uma.id}:access`;
    const refreshKey = `chat:${uma.id}:refresh`;
    /** What the bot's store holds, read from Redis itself when the run has one. */
    const stored = async (key: string) =>
      redis ? redis.get(`${redisPrefix}${key}`) : running!.store.get(key);
    const sealedAccess = (await stored(accessKey))!;
    const sealedRefresh = (await stored(refreshKey))!;
    const cipher = new TokenCipher(tokenKey);
    const access = cipher.open(sealedAccess, accessKey)!;
    const refreshToken = cipher.open(sealedRefresh, refreshKey)!;
    // The bot's key opens them to the real tokens; what is stored shows neither, in any encoding.
    expect(access.split('.')).toHaveLength(3);
    expect((await app.gql(`{ me { firstName } }`, {}, { token: access })).data).toEqual({
      me: { firstName: 'Uma' },
    });
    for (const token of [access, refreshToken]) {
      for (const encoded of [
        token,
        Buffer.from(token).toString('base64'),
        Buffer.from(token).toString('base64url'),
      ]) {
        expect(sealedAccess).not.toContain(encoded);
        expect(sealedRefresh).not.toContain(encoded);
      }
    }

    // One byte of the stored access token changed: unreadable, removed, and the chat is asked to connect.
    const at = Math.floor(sealedAccess.length / 2);
    const tampered =
      sealedAccess.slice(0, at) + (sealedAccess[at] === 'A' ? 'B' : 'A') + sealedAccess.slice(at + 1);
    if (redis) await redis.set(`${redisPrefix}${accessKey}`, tampered, 'KEEPTTL');
    else await running!.store.set(accessKey, tampered, 600);
    const sessionsBefore = await sessionsOf(uma);
    expect(textOf(await ask(uma, '/balance'))).toBe('Your session has ended. Send /start to connect again.');
    expect(await stored(accessKey)).toBeNull();
    expect(await stored(refreshKey)).toBeNull();
    // The bot did not sign in for the user by itself: /start offers to connect, one tap does it.
    expect(await sessionsOf(uma)).toHaveLength(sessionsBefore.length);
    const start = await ask(uma, '/start');
    expect(buttonsOf(start).map((b) => b.text)).toEqual(['Quick register', 'Link account']);
    await press(uma, start, 'Quick register', (t) => t.startsWith('Welcome, Uma!'));
    expect(textOf(await ask(uma, '/balance'))).toContain('Cash: 0.00 EUR');
  }, 90_000);

  it('links an email account: /link, the web step, then the bot confirms by itself', async () => {
    const fay = newTelegramUser('Fay');
    const linkReply = await ask(fay, '/link');
    const [button] = buttonsOf(linkReply);
    expect(button?.url).toContain('/link#code=');
    const code = button!.url!.split('#code=')[1]!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    const emailUser = await registerUser(app);
    const from = tg.mark();
    const confirmed = await app.gql<{ bindingConfirm: { telegramId: string } }>(
      BINDING_CONFIRM,
      { code },
      { token: emailUser.accessToken },
    );
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data?.bindingConfirm.telegramId).toBe(String(fay.id));

    const linked = await tg.waitFor(
      (c) => c.index >= from && chatOf(c) === fay.id && textOf(c).startsWith('Linked!'),
      15_000,
    );
    expect(linked.method).toBe('sendMessage');

    const rows = await app.sql<{ email: string | null }>(
      'select email from app_user where telegram_id = $1',
      [String(fay.id)],
    );
    expect(rows).toEqual([{ email: emailUser.email }]);
    expect(textOf(await ask(fay, '/balance'))).toContain('Cash: 0.00 EUR');
    // The email user's name (Test), not the Telegram one: the chat acts as the email account.
    expect(textOf(await ask(fay, '/start'))).toMatch(/^Hi Test! You're connected to Test's family\./);
  }, 90_000);

  it('delivers each budget alert once', async () => {
    const gil = newTelegramUser('Gil');
    await quickRegister(gil);
    const token = await tokenOf(gil);
    const categories = await app.gql<{ categories: { id: string; name: string }[] }>(
      CATEGORIES,
      {},
      { token },
    );
    const food = categories.data!.categories.find((c) => c.name === 'Food')!;
    const budget = await app.gql(
      CREATE_BUDGET,
      { input: { amount: '100.00', categoryId: food.id } },
      { token },
    );
    expect(budget.errors).toBeUndefined();

    const warned = tg.mark();
    await ask(gil, '/add 90 groceries');
    const eighty = await tg.waitFor(
      (c) => c.index >= warned && chatOf(c) === gil.id && textOf(c).startsWith('Budget 80% used: Food'),
    );
    expect(textOf(eighty)).toContain('90.00 EUR of 100.00 EUR (90');

    await ask(gil, '/add 20 groceries');
    await tg.waitFor((c) => chatOf(c) === gil.id && textOf(c).startsWith('Budget exceeded: Food'));
    await ask(gil, '/add 5 groceries');

    await vi.waitFor(
      async () => {
        const pending = await app.sql(
          `select n.id from notification n join app_user u on u.id = n.user_id
            where u.telegram_id = $1 and n.delivered_at is null`,
          [String(gil.id)],
        );
        if (pending.length > 0) throw new Error('notifications not delivered yet');
      },
      { timeout: 20_000, interval: 100 },
    );
    await notificationRounds(3);

    const texts = tg
      .sent()
      .filter((c) => chatOf(c) === gil.id && c.method === 'sendMessage')
      .map(textOf);
    expect(texts.filter((t) => t.startsWith('Budget 80% used: Food'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('Budget exceeded: Food'))).toHaveLength(1);
    const rows = await app.sql<{ threshold: string; delivered: boolean }>(
      `select n.payload->>'threshold' as threshold, n.delivered_at is not null as delivered
         from notification n join app_user u on u.id = n.user_id
        where u.telegram_id = $1 and n.kind = 'budget_alert'
        order by n.seq`,
      [String(gil.id)],
    );
    expect(rows).toEqual([
      { threshold: '80', delivered: true },
      { threshold: '100', delivered: true },
    ]);
  }, 120_000);

  /** An ask-first schedule in the user's cash account, due every day from today, run at once. */
  async function dueSchedule(
    token: string,
    input: Record<string, unknown>,
  ): Promise<{ id: string; day: string }> {
    const accounts = await app.gql<{ accounts: { id: string; name: string }[] }>(ACCOUNTS, {}, { token });
    const cash = accounts.data!.accounts.find((a) => a.name === 'Cash')!;
    const created = await app.gql<{ createSchedule: { id: string; nextOn: string } }>(
      CREATE_SCHEDULE,
      {
        input: {
          accountId: cash.id,
          kind: 'EXPENSE',
          mode: 'ASK_FIRST',
          rule: { frequency: 'DAILY' },
          ...input,
        },
      },
      { token },
    );
    if (!created.data?.createSchedule) throw new Error(`createSchedule failed: ${created.text}`);
    const { id, nextOn } = created.data.createSchedule;
    // The test app works no jobs (see startTestApp): the runner is driven here, for this schedule only.
    await new ScheduleRunner(app.deps).runDue(id);
    return { id, day: nextOn };
  }

  const occurrencesOf = (scheduleId: string) =>
    app.sql<{ occurs_on: string; status: string; amount: string | null }>(
      `select o.occurs_on::text, o.status, t.amount::text as amount
         from schedule_occurrence o left join ledger_transaction t on t.id = o.transaction_id
        where o.schedule_id = $1 order by o.occurs_on`,
      [scheduleId],
    );

  it('ask-first occurrences reach the bot: Record, Skip and Edit, and a second answer is refused kindly', async () => {
    const kai = newTelegramUser('Kai');
    await quickRegister(kai);
    const token = await tokenOf(kai);
    const categories = await app.gql<{ categories: { id: string; name: string }[] }>(
      CATEGORIES,
      {},
      { token },
    );
    const housing = categories.data!.categories.find((c) => c.name === 'Housing')!;

    const shown = tg.mark();
    const rent = await dueSchedule(token, { amount: '1200.00', note: 'Rent', categoryId: housing.id });
    const rentDue = await tg.waitFor(
      (c) => c.index >= shown && chatOf(c) === kai.id && textOf(c).startsWith('Rent'),
    );
    expect(textOf(rentDue)).toBe('Rent 1200.00 EUR is due today');
    expect(buttonsOf(rentDue).map((b) => b.text)).toEqual(['Record', 'Skip', 'Edit']);

    const recorded = await press(kai, rentDue, 'Record', (t) => t.startsWith('Recorded'));
    expect(textOf(recorded)).toBe(`Recorded −1200.00 EUR · Housing · Rent · ${rent.day}\nCash: -1200.00 EUR`);
    expect(await occurrencesOf(rent.id)).toEqual([
      { occurs_on: rent.day, status: 'recorded', amount: '120000' },
    ]);
    // A second tap (or another member's) meets the API's CONFLICT and is told so; nothing is recorded twice.
    const again = await press(kai, rentDue, 'Record', (t) => t.includes('already'));
    expect(textOf(again)).toBe(`Rent on ${rent.day} was already recorded or skipped.`);
    expect(await occurrencesOf(rent.id)).toEqual([
      { occurs_on: rent.day, status: 'recorded', amount: '120000' },
    ]);

    const internet = await dueSchedule(token, { amount: '40.00', note: 'Internet' });
    const internetDue = await tg.waitFor(
      (c) => chatOf(c) === kai.id && textOf(c) === 'Internet 40.00 EUR is due today',
    );
    const skipped = await press(kai, internetDue, 'Skip', (t) => t.startsWith('Skipped'));
    expect(textOf(skipped)).toBe(`Skipped: Internet 40.00 EUR on ${internet.day}. Nothing was recorded.`);
    expect(await occurrencesOf(internet.id)).toEqual([
      { occurs_on: internet.day, status: 'skipped', amount: null },
    ]);
    const skippedAgain = await press(kai, internetDue, 'Record', (t) => t.includes('already'));
    expect(textOf(skippedAgain)).toBe(`Internet on ${internet.day} was already recorded or skipped.`);

    // Approximate: Edit asks for the amount within the range, then records it.
    const power = await dueSchedule(token, { amount: '80.00', amountMax: '120.00', note: 'Electricity' });
    const powerDue = await tg.waitFor(
      (c) => chatOf(c) === kai.id && textOf(c) === 'Electricity 80.00–120.00 EUR is due today',
    );
    const question = await press(kai, powerDue, 'Edit', (t) => t.startsWith('How much'));
    expect(textOf(question)).toBe(`How much was Electricity on ${power.day}? Between 80.00 and 120.00 EUR.`);
    expect(textOf(await ask(kai, '130'))).toBe('Please write an amount between 80.00 and 120.00 EUR.');
    expect(textOf(await ask(kai, '95,40'))).toBe(
      `Recorded −95.40 EUR · Electricity · ${power.day}\nCash: -1295.40 EUR`,
    );
    expect(await occurrencesOf(power.id)).toEqual([
      { occurs_on: power.day, status: 'recorded', amount: '9540' },
    ]);
    // The question is answered: the next number is an ordinary entry again.
    expect(textOf(await ask(kai, '5 groceries')).split('\n')[0]).toBe('Recorded −5.00 EUR · Groceries');
  }, 120_000);

  it('/recurring lists the schedules and pauses and resumes one', async () => {
    const lea = newTelegramUser('Lea');
    await quickRegister(lea);
    const token = await tokenOf(lea);
    expect(textOf(await ask(lea, '/recurring'))).toBe(
      'No recurring transactions yet. Create them in the app (rent, salary, subscriptions).',
    );
    const accounts = await app.gql<{ accounts: { id: string; name: string }[] }>(ACCOUNTS, {}, { token });
    const cash = accounts.data!.accounts.find((a) => a.name === 'Cash')!;
    const create = async (input: Record<string, unknown>) => {
      const result = await app.gql<{ createSchedule: { id: string; nextOn: string } }>(
        CREATE_SCHEDULE,
        { input: { accountId: cash.id, ...input } },
        { token },
      );
      if (!result.data?.createSchedule) throw new Error(`createSchedule failed: ${result.text}`);
      return result.data.createSchedule;
    };
    const salary = await create({
      kind: 'INCOME',
      amount: '2500.00',
      note: 'Salary',
      mode: 'AUTO_POST',
      rule: { frequency: 'MONTHLY', dayOfMonth: 25, startsOn: '2030-01-01' },
    });
    const gym = await create({
      kind: 'EXPENSE',
      amount: '30.00',
      amountMax: '35.00',
      note: 'Gym',
      mode: 'ASK_FIRST',
      rule: { frequency: 'MONTHLY', dayOfMonth: 3, startsOn: '2030-01-01' },
    });
    expect(salary.nextOn).toBe('2030-01-25');
    expect(gym.nextOn).toBe('2030-01-03');

    const list = await ask(lea, '/recurring');
    expect(textOf(list)).toBe(
      [
        'Recurring transactions:',
        '• Gym: −30.00–35.00 EUR, every month on the 3rd',
        '   next 2030-01-03 · asks first',
        '• Salary: +2500.00 EUR, every month on the 25th',
        '   next 2030-01-25 · recorded automatically',
      ].join('\n'),
    );
    expect(buttonsOf(list).map((b) => b.text)).toEqual(['Pause Gym', 'Pause Salary']);

    const paused = await press(lea, list, 'Pause Gym', (t) => t.startsWith('Paused'));
    expect(textOf(paused).split('\n')).toEqual([
      'Paused: Gym.',
      '',
      'Recurring transactions:',
      '• Gym: −30.00–35.00 EUR, every month on the 3rd',
      '   paused · asks first',
      '• Salary: +2500.00 EUR, every month on the 25th',
      '   next 2030-01-25 · recorded automatically',
    ]);
    expect(buttonsOf(paused).map((b) => b.text)).toEqual(['Resume Gym', 'Pause Salary']);
    const pausedRows = () =>
      app.sql<{ note: string; paused: boolean }>(
        `select note, paused from schedule where id = any($1) order by note`,
        [[salary.id, gym.id]],
      );
    expect(await pausedRows()).toEqual([
      { note: 'Gym', paused: true },
      { note: 'Salary', paused: false },
    ]);

    const resumed = await press(lea, paused, 'Resume Gym', (t) => t.startsWith('Resumed'));
    expect(textOf(resumed).split('\n')[0]).toBe('Resumed: Gym.');
    expect(await pausedRows()).toEqual([
      { note: 'Gym', paused: false },
      { note: 'Salary', paused: false },
    ]);
  }, 120_000);

  it('answers kindly when the API is down, keeps answering, and counts the failed updates', async () => {
    const token = '654321:TEST-down';
    const metricsPort = await freePort();
    const down = await startBot(
      loadBotConfig(
        botEnv({
          TELEGRAM_BOT_TOKEN: token,
          // A free port: nothing listens there, so the API is down.
          API_URL: `http://127.0.0.1:${await freePort()}/graphql`,
          REDIS_KEY_PREFIX: `${redisPrefix}down:`,
          BOT_METRICS_PORT: String(metricsPort),
          BOT_HOST: '127.0.0.1',
        }),
      ),
    );
    try {
      const hal = newTelegramUser('Hal');
      expect(textOf(await ask(hal, '/start', { token }))).toBe(NOT_REACHABLE);
      expect(textOf(await ask(hal, '/balance', { token }))).toBe(NOT_REACHABLE);
      expect(textOf(await ask(hal, '/add 5 groceries', { token }))).toBe(NOT_REACHABLE);
      const ivy = newTelegramUser('Ivy');
      expect(textOf(await ask(ivy, '/register', { token }))).toBe(NOT_REACHABLE);
      expect(textOf(await ask(hal, '/balance', { token }))).toBe(NOT_REACHABLE);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^bot_updates_total\{type="message",outcome="error"\} 5$/m);
    } finally {
      await down.stop();
    }
  }, 90_000);

  it('retries a reply that Telegram refused with 429 after retry_after', async () => {
    const jo = newTelegramUser('Jo');
    await quickRegister(jo);
    const from = tg.mark();
    tg.failNext(
      'sendMessage',
      { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      { token: TOKEN, chatId: jo.id },
    );
    const reply = await ask(jo, '/balance');
    expect(textOf(reply)).toContain('Cash: 0.00 EUR');
    const attempts = tg.calls.slice(from).filter((c) => c.method === 'sendMessage' && chatOf(c) === jo.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.error?.error_code).toBe(429);
    expect(attempts[1]!.error).toBeUndefined();
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
  }, 90_000);

  it('takes identity only from private chats', async () => {
    const group = { id: -4_000_000_001, type: 'group' as const, title: 'Family chat' };
    const kim = newTelegramUser('Kim');
    expect(textOf(await ask(kim, '/register', { chat: group }))).toBe(PRIVATE_ONLY);
    expect(textOf(await ask(kim, '/link', { chat: group }))).toBe(PRIVATE_ONLY);
    expect(await userIdOf(kim)).toBeUndefined();

    // A registered member speaking in a group must not open the group to their account.
    const lee = newTelegramUser('Lee');
    await quickRegister(lee);
    await ask(lee, '/add 42 groceries');
    const leeInGroup = await ask(lee, '/balance', { chat: group });
    const otherInGroup = await ask(kim, '/balance', { chat: group });
    for (const reply of [leeInGroup, otherInGroup]) {
      expect(textOf(reply)).not.toContain('42.00');
      // A group shows figures only once an owner or admin connected it to a family.
      expect(textOf(reply)).toBe(
        'This group is not connected to a family yet. An owner or admin can send /connect here.',
      );
    }
    expect(await ledgerRows(lee)).toHaveLength(1);
  }, 90_000);

  it('signs out with /logout and does not sign back in by itself', async () => {
    const max = newTelegramUser('Max');
    await quickRegister(max);
    expect(textOf(await ask(max, '/logout'))).toBe('Signed out of this chat. Send /start to connect again.');
    const afterLogout = await sessionsOf(max);
    expect(afterLogout.every((s) => s.revoked_at !== null)).toBe(true);

    expect(textOf(await ask(max, '/balance'))).toBe(NOT_CONNECTED);
    expect(await sessionsOf(max)).toHaveLength(afterLogout.length);
    const start = await ask(max, '/start');
    expect(buttonsOf(start).map((b) => b.text)).toEqual(['Quick register', 'Link account']);
    expect(await sessionsOf(max)).toHaveLength(afterLogout.length);
  }, 90_000);

  it('invites through a deep link from /family and joins after Quick register', async () => {
    const ned = newTelegramUser('Ned');
    await quickRegister(ned);
    const family = await ask(ned, '/family');
    expect(textOf(family)).toContain("Ned's family");
    expect(textOf(family)).toContain('• Ned (owner)');
    const link = new RegExp(`https://t\\.me/${BOT_USERNAME}\\?start=join_([A-Za-z0-9_-]+)`).exec(
      textOf(family),
    );
    expect(link).not.toBeNull();
    const code = link![1]!;

    const ola = newTelegramUser('Ola');
    const invited = await ask(ola, `/start join_${code}`);
    expect(textOf(invited)).toContain('Connect first');
    expect(await userIdOf(ola)).toBeUndefined();

    const from = tg.mark();
    await press(ola, invited, 'Quick register', (t) => t.startsWith('Welcome, Ola!'));
    const joined = await tg.waitFor(
      (c) => c.index >= from && chatOf(c) === ola.id && textOf(c).startsWith('You joined'),
    );
    expect(textOf(joined)).toBe("You joined Ned's family. Welcome!");

    const theirs = await ask(ola, '/family');
    expect(textOf(theirs)).toMatch(/^Ned's family\n/);
    expect(textOf(theirs)).toContain('• Ned (owner)');
    expect(textOf(theirs)).toContain('• Ola (member)');
    expect(textOf(theirs)).not.toContain('t.me/');
  }, 90_000);

  it('answers every private message: greetings, questions, thanks, unknown commands, anything', async () => {
    const ria = newTelegramUser('Ria');
    const guest = await ask(ria, 'hi');
    expect(textOf(guest)).toMatch(/^Hi! Send me what you spent/);
    expect(buttonsOf(guest).map((b) => b.text)).toEqual(['Quick register', 'Link account']);
    expect(textOf(await ask(ria, '/frobnicate'))).toMatch(
      /^I don't know that command\.\n\nI keep your family's money/,
    );

    await quickRegister(ria);
    expect(textOf(await ask(ria, 'hello there!'))).toMatch(/^Hi! Send me what you spent/);
    expect(textOf(await ask(ria, "what's my balance?"))).toContain('Cash: 0.00 EUR');
    expect(textOf(await ask(ria, 'thanks 👍'))).toBe('You are welcome!');
    expect(textOf(await ask(ria, 'the weather is nice'))).toMatch(/^I did not find an amount in that\./);
    const unknown = await ask(ria, '/frobnicate');
    expect(textOf(unknown)).toMatch(/^I don't know that command\.\n\nHere is what I can do:/);
    expect(await ledgerRows(ria)).toHaveLength(0);
  }, 90_000);

  it('keeps an entry typed before registration and offers it right after the one tap', async () => {
    const sol = newTelegramUser('Sol');
    const kept = await ask(sol, 'coffee 3.50');
    expect(textOf(kept)).toMatch(/^I will keep "coffee 3\.50" for you\./);
    expect(await userIdOf(sol)).toBeUndefined();

    const from = tg.mark();
    await press(sol, kept, 'Quick register', (t) => t.startsWith('Welcome, Sol!'));
    const offer = await tg.waitFor(
      (c) => c.index >= from && chatOf(c) === sol.id && textOf(c).startsWith('Before you connected'),
    );
    expect(textOf(offer)).toBe('Before you connected you sent "coffee 3.50". Record it now?');
    const recorded = await press(sol, offer, 'Record it', (t) => t.startsWith('Recorded'));
    expect(textOf(recorded)).toBe('Recorded −3.50 EUR · Eating out\nCash: -3.50 EUR');
    expect((await ledgerRows(sol)).map((r) => r.amount)).toEqual(['350']);
  }, 90_000);

  it('understands how people write: any order, thousands, dates, currency words, income, absurd amounts', async () => {
    const tia = newTelegramUser('Tia');
    await quickRegister(tia);
    const yesterday = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10);
    expect(textOf(await ask(tia, 'yesterday taxi 20')).split('\n')[0]).toBe(
      `Recorded −20.00 EUR · Taxi · ${yesterday}`,
    );
    expect(textOf(await ask(tia, '1 200 rent')).split('\n')[0]).toBe('Recorded −1200.00 EUR · Housing');
    expect(textOf(await ask(tia, '1,200.50 rent')).split('\n')[0]).toBe('Recorded −1200.50 EUR · Housing');
    expect(textOf(await ask(tia, '+500 salary')).split('\n')[0]).toBe('Recorded +500.00 EUR · Salary');
    expect(textOf(await ask(tia, 'зарплата 2к')).split('\n')[0]).toBe('Recorded +2000.00 EUR · Salary');
    expect(textOf(await ask(tia, '🍕 15')).split('\n')[0]).toBe('Recorded −15.00 EUR · Eating out');
    expect(textOf(await ask(tia, '20 BAR drinks'))).toBe('Which category for 20.00 EUR?');
    expect(textOf(await ask(tia, '300 руб такси'))).toBe(
      'You have no account in RUB. Add one in the app first.',
    );
    expect(textOf(await ask(tia, '12345678901234567890 groceries'))).toBe(
      'That amount is too large to record. Please check it and send it again.',
    );
    const rows = await app.sql<{ occurred_on: string; amount: string }>(
      `select t.occurred_on::text, t.amount::text from ledger_transaction t
         join membership m on m.family_id = t.family_id join app_user u on u.id = m.user_id
        where u.telegram_id = $1 order by t.seq`,
      [String(tia.id)],
    );
    expect(rows.map((r) => r.amount)).toEqual(['2000', '120000', '120050', '50000', '200000', '1500']);
    expect(rows[0]!.occurred_on).toBe(yesterday);
    const long = await ask(tia, `25 groceries ${'and then some more words about the shopping '.repeat(40)}`);
    expect(textOf(long).split('\n')[0]).toMatch(/^Recorded −25\.00 EUR · Groceries · and then .*…$/);
  }, 90_000);

  it('pages through every category in the picker, most used first, and a typed word narrows it', async () => {
    const uli = newTelegramUser('Uli');
    await quickRegister(uli);
    await ask(uli, '7 taxi');
    await ask(uli, '8 taxi');
    await ask(uli, '9 kids');
    const picker = await ask(uli, '9 xyz');
    expect(textOf(picker)).toBe('Which category for 9.00 EUR?');
    const first = buttonsOf(picker).map((b) => b.text);
    expect(first.slice(0, 2)).toEqual(['Taxi', 'Kids']);
    expect(first.at(-1)).toBe('More ›');

    const seen = new Set(first.filter((t) => t !== 'More ›'));
    let page = picker;
    while (buttonsOf(page).some((b) => b.text === 'More ›')) {
      page = await press(uli, page, 'More ›', () => true);
      expect(page.method).toBe('editMessageText');
      for (const b of buttonsOf(page)) if (!b.text.endsWith('›') && !b.text.startsWith('‹')) seen.add(b.text);
    }
    const token = await tokenOf(uli);
    const all = await app.gql<{ categories: { name: string }[] }>(CATEGORIES, {}, { token });
    expect([...seen].sort()).toEqual(all.data!.categories.map((c) => c.name).sort());

    const narrowed = await ask(uli, 'util');
    expect(textOf(narrowed)).toBe('Which category for 9.00 EUR? Matching "util":');
    expect(buttonsOf(narrowed).map((b) => b.text)).toEqual(['Utilities']);
    const done = await press(uli, narrowed, 'Utilities', (t) => t.startsWith('Recorded'));
    expect(textOf(done).split('\n')[0]).toBe('Recorded −9.00 EUR · Utilities · xyz');
  }, 90_000);

  it("shows each entry's own balance, even in a burst of 30 quick entries", async () => {
    const vic = newTelegramUser('Vic');
    await quickRegister(vic);
    const from = tg.mark();
    for (let i = 0; i < 30; i++) tg.sendText(vic, '1 groceries');
    await vi.waitFor(
      () => {
        const replies = tg.sent(from).filter((c) => chatOf(c) === vic.id && textOf(c).startsWith('Recorded'));
        if (replies.length < 30) throw new Error(`${replies.length} of 30 replies`);
      },
      { timeout: 60_000, interval: 100 },
    );
    const balances = tg
      .sent(from)
      .filter((c) => chatOf(c) === vic.id && textOf(c).startsWith('Recorded'))
      .map((c) => Number(/Cash: -(\d+)\.00 EUR/.exec(textOf(c))![1]))
      .sort((a, b) => a - b);
    expect(balances).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  }, 120_000);

  it('speaks Russian to a Russian Telegram user, and /language switches', async () => {
    // The command menu is described in Russian for Russian Telegram users.
    const menus = tg.calls.filter((c) => c.method === 'setMyCommands' && c.token === TOKEN);
    const russian = menus.find((c) => c.payload.language_code === 'ru');
    expect(JSON.stringify(russian?.payload.commands)).toContain('Записать расход');
    expect(menus.some((c) => c.payload.language_code === undefined)).toBe(true);
    const yana: TgUser = { ...newTelegramUser('Yana'), language_code: 'ru' };
    const start = await ask(yana, '/start');
    expect(textOf(start)).toMatch(/^Я веду деньги вашей семьи/);
    expect(buttonsOf(start).map((b) => b.text)).toEqual(['Быстрая регистрация', 'Привязать аккаунт']);
    await press(yana, start, 'Быстрая регистрация', (t) => t.startsWith('Добро пожаловать, Yana!'));
    const taxi = await ask(yana, 'вчера такси 300');
    expect(textOf(taxi)).toMatch(/^Записал −300\.00 EUR · Taxi · \d{4}-\d{2}-\d{2}\nCash: -300\.00 EUR$/);
    expect(buttonsOf(taxi).map((b) => b.text)).toEqual(['Отменить']);
    expect(textOf(await ask(yana, 'привет'))).toMatch(/^Привет! Пришлите, что потратили/);

    const choose = await ask(yana, '/language');
    expect(textOf(choose)).toBe('Выберите язык ответов:');
    expect(buttonsOf(choose).map((b) => b.text)).toEqual(['English', 'Русский']);
    expect(textOf(await press(yana, choose, 'English', (t) => t.startsWith('From now')))).toBe(
      'From now on I reply in English.',
    );
    expect(textOf(await ask(yana, 'hi'))).toMatch(/^Hi! Send me what you spent/);
    // The choice is kept on the user through the API, not only in the bot.
    const stored = await app.sql<{ language: string | null }>(
      'select language from app_user where telegram_id = $1',
      [String(yana.id)],
    );
    expect(stored).toEqual([{ language: 'en' }]);

    const back = await ask(yana, '/language');
    expect(textOf(await press(yana, back, 'Русский', (t) => t.startsWith('Теперь')))).toBe(
      'Теперь я отвечаю по-русски.',
    );
    expect(await app.sql('select language from app_user where telegram_id = $1', [String(yana.id)])).toEqual([
      { language: 'ru' },
    ]);

    // Chosen elsewhere (another client), it reaches the bot with the next sign-in, over Telegram's own.
    const set = await app.gql(
      `mutation { setLanguage(language: "en") { language } }`,
      {},
      { token: await tokenOf(yana) },
    );
    expect(set.errors).toBeUndefined();
    if (realRedis) {
      const keys = await redis!.keys(`${redisPrefix}*${yana.id}*`);
      await redis!.del(...keys);
      expect(textOf(await ask(yana, 'привет'))).toMatch(/^Hi! Send me what you spent/);
    }
  }, 90_000);

  it("keeps a language picked before registering as the new user's choice", async () => {
    const zed = newTelegramUser('Zed');
    const choose = await ask(zed, '/language');
    expect(textOf(await press(zed, choose, 'Русский', (t) => t.startsWith('Теперь')))).toBe(
      'Теперь я отвечаю по-русски.',
    );
    const start = await ask(zed, '/start');
    await press(zed, start, 'Быстрая регистрация', (t) => t.startsWith('Добро пожаловать, Zed!'));
    expect(await app.sql('select language from app_user where telegram_id = $1', [String(zed.id)])).toEqual([
      { language: 'ru' },
    ]);
  }, 90_000);

  it('a family group: an admin connects it, two members record there, viewers and strangers are refused, an alert arrives in the group', async () => {
    const group = { id: -4_000_000_777, type: 'group' as const, title: 'The Smiths' };
    const inGroup = { chat: group };
    const NOT_CONNECTED_GROUP =
      'This group is not connected to a family yet. An owner or admin can send /connect here.';
    const gwen = newTelegramUser('Gwen');
    await quickRegister(gwen);
    const gwenToken = await tokenOf(gwen);
    const me = await app.gql<{ me: { defaultFamily: { id: string } } }>(
      `{ me { defaultFamily { id } } }`,
      {},
      {
        token: gwenToken,
      },
    );
    const familyId = me.data!.me.defaultFamily.id;
    const invite = async (role: string) =>
      (
        await app.gql<{ createInvite: { code: string } }>(
          `mutation ($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
          { input: { familyId, role } },
          { token: gwenToken },
        )
      ).data!.createInvite.code;
    const hank = newTelegramUser('Hank');
    await quickRegister(hank);
    await ask(hank, `/start join_${await invite('MEMBER')}`, { expect: (t) => t.startsWith('You joined') });
    const ivy = newTelegramUser('Ivy');
    await quickRegister(ivy);
    await ask(ivy, `/start join_${await invite('VIEWER')}`, { expect: (t) => t.startsWith('You joined') });

    // Not connected yet: no figures, and plain talk is left alone.
    expect(textOf(await ask(hank, '/balance', inGroup))).toBe(NOT_CONNECTED_GROUP);
    // A member below admin cannot connect it.
    expect(textOf(await ask(hank, '/connect', inGroup))).toBe(
      'Only an owner or admin of the family can connect a group.',
    );

    const from = tg.mark();
    tg.sendText(gwen, '/connect', inGroup);
    const confirm = await tg.waitFor(
      (c) => c.index >= from && chatOf(c) === gwen.id && textOf(c).startsWith('Connect the group'),
    );
    expect(textOf(confirm)).toBe(
      'Connect the group "The Smiths" to Gwen\'s family? Its members will record there, and budget alerts will go there.',
    );
    await tg.waitFor((c) => c.index >= from && chatOf(c) === group.id && textOf(c).startsWith('I sent you'));
    const announced = tg.mark();
    const done = await press(gwen, confirm, 'Connect', (t) => t.startsWith('Connected'));
    expect(textOf(done)).toBe('Connected: "The Smiths" now belongs to Gwen\'s family.');
    await tg.waitFor(
      (c) =>
        c.index >= announced && chatOf(c) === group.id && textOf(c).startsWith('This group is now connected'),
    );
    expect(
      await app.sql('select family_id from telegram_group where chat_id = $1', [String(group.id)]),
    ).toEqual([{ family_id: familyId }]);

    const food = (
      await app.gql<{ categories: { id: string; name: string }[] }>(CATEGORIES, {}, { token: gwenToken })
    ).data!.categories.find((c) => c.name === 'Food')!;
    expect(
      (
        await app.gql(
          CREATE_BUDGET,
          { input: { amount: '100.00', categoryId: food.id } },
          { token: gwenToken },
        )
      ).errors,
    ).toBeUndefined();

    // Two members record in the group, each as themselves.
    const alerts = tg.mark();
    const gwenEntry = await ask(gwen, '60 groceries', {
      ...inGroup,
      expect: (t) => t.startsWith('Recorded'),
    });
    expect(textOf(gwenEntry)).toBe('Recorded −60.00 EUR · Groceries · Gwen\nCash: -60.00 EUR');
    const hankEntry = await ask(hank, `@${BOT_USERNAME} 250 groceries`, {
      ...inGroup,
      expect: (t) => t.startsWith('Recorded'),
    });
    expect(textOf(hankEntry)).toBe('Recorded −250.00 EUR · Groceries · Hank\nCash: -310.00 EUR');
    const creators = await app.sql<{ amount: string; first_name: string }>(
      `select t.amount::text, u.first_name from ledger_transaction t join app_user u on u.id = t.created_by_id
        where t.family_id = $1 order by t.seq`,
      [familyId],
    );
    expect(creators).toEqual([
      { amount: '6000', first_name: 'Gwen' },
      { amount: '25000', first_name: 'Hank' },
    ]);

    // The budget alert goes to the group.
    const alert = await tg.waitFor(
      (c) => c.index >= alerts && chatOf(c) === group.id && textOf(c).startsWith('Budget exceeded: Food'),
    );
    expect(textOf(alert)).toContain('310.00 EUR of 100.00 EUR');

    // A viewer is refused by the API; a stranger gets a private nudge to /start.
    expect(textOf(await ask(ivy, '/add 5 groceries', inGroup))).toBe(
      "Your role in this family doesn't allow that. Ask an owner or admin.",
    );
    const jon = newTelegramUser('Jon');
    const nudged = tg.mark();
    tg.sendText(jon, '20 taxi', inGroup);
    const nudge = await tg.waitFor((c) => c.index >= nudged && chatOf(c) === jon.id);
    expect(textOf(nudge)).toBe('To record in your family group, connect first: send /start here (one tap).');
    expect(await userIdOf(jon)).toBeUndefined();

    // The family's figures, shown in the group.
    expect(textOf(await ask(ivy, '/balance', inGroup))).toContain('Cash: -310.00 EUR');
    expect(textOf(await ask(hank, '/report', inGroup))).toMatch(/^Spending \S+ – \S+: 310\.00 EUR\n/);
    expect(textOf(await ask(hank, '/budget', inGroup))).toMatch(/^Budgets .*\n\nFood\n/);
    expect((await ledgerRows(gwen)).map((r) => r.amount)).toEqual(['6000', '25000']);

    // /undo in the group takes back the sender's own last entry, not the latest one of the group.
    expect(textOf(await ask(gwen, '/undo', inGroup))).toBe(
      'Undone: the last entry is deleted and the balance is back.',
    );
    expect((await ledgerRows(gwen)).map((r) => r.amount)).toEqual(['25000']);
    expect(textOf(await ask(gwen, '/undo', inGroup))).toBe('Nothing to undo.');
  }, 120_000);

  it('in webhook mode accepts only updates carrying the secret token (T2)', async () => {
    const token = '777777:TEST-hook';
    const secret = randomBytes(24).toString('base64url');
    const hook = await startBot(
      loadBotConfig(
        botEnv({
          TELEGRAM_BOT_TOKEN: token,
          BOT_WEBHOOK_URL: 'https://example.test/hook',
          BOT_WEBHOOK_SECRET: secret,
          BOT_PORT: String(await freePort()),
          BOT_HOST: '127.0.0.1',
          REDIS_KEY_PREFIX: `${redisPrefix}hook:`,
        }),
      ),
    );
    try {
      expect(tg.webhookOf(token)).toEqual({ url: 'https://example.test/hook', secret_token: secret });
      expect(hook.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const pat = newTelegramUser('Pat');
      const post = (headers: Record<string, string>) =>
        fetch(hook.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(tg.textUpdate(pat, '/start', { token })),
        });
      const repliesToPat = () => tg.sent().filter((c) => c.token === token && chatOf(c) === pat.id);

      expect((await post({})).status).toBe(401);
      expect((await post({ 'x-telegram-bot-api-secret-token': `${secret}x` })).status).toBe(401);
      expect((await post({ 'x-telegram-bot-api-secret-token': 'short' })).status).toBe(401);
      expect(repliesToPat()).toHaveLength(0);

      expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
      const replies = repliesToPat();
      expect(replies).toHaveLength(1);
      expect(buttonsOf(replies[0]!).map((b) => b.text)).toEqual(['Quick register', 'Link account']);
    } finally {
      await hook.stop();
    }
  }, 90_000);
});
