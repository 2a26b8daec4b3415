import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessExtensions } from '../../src/graphql/access.js';
import { loadConfig } from '../../src/config.js';
import { createSchema } from '../../src/schema.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  createScratchDatabase,
  fromFreshClient,
  realRedis,
  startTestApp,
  uniqueEmail,
  type GqlOptions,
  type GqlResult,
  type TestApp,
} from '../helpers/app.js';
import { codeOf, login, refresh, registerUser, verifyEmailByMail } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';

/**
 * SECURITY.md, Telegram (T1, T4, T5; T2 and T3 live in the bot) and L5 for the Telegram
 * fields. The app runs on a scratch database of this file's own, so the bot's outbox holds only what
 * these tests put there.
 */

const BOT_FIELDS = [
  'acknowledgeNotifications',
  'bindingStart',
  'pendingNotifications',
  'telegramGroup',
  'telegramLogin',
  'telegramRegister',
];

const AUTH = 'accessToken refreshToken user { id email telegramId }';
const TG_REGISTER = `mutation TgRegister($input: TelegramRegisterInput!) { telegramRegister(input: $input) { ${AUTH} } }`;
const TG_LOGIN = `mutation TgLogin($telegramId: ID!) { telegramLogin(telegramId: $telegramId) { ${AUTH} } }`;
const BINDING_START = `mutation Start($input: BindingStartInput!) { bindingStart(input: $input) { code url expiresAt } }`;
const BINDING_INFO = `query Info($code: String!) { bindingInfo(code: $code) { telegramId firstName lastName username expiresAt } }`;
const BINDING_CONFIRM = `mutation Confirm($code: String!) { bindingConfirm(code: $code) { id telegramId } }`;
const BINDING_CANCEL = `mutation Cancel($code: String!) { bindingCancel(code: $code) }`;
const PENDING = `query Pending($limit: Int!) { pendingNotifications(limit: $limit) { id kind telegramId payload createdAt } }`;
const ACK = `mutation Ack($ids: [ID!]!) { acknowledgeNotifications(ids: $ids) }`;
const SET_EMAIL = `mutation SetEmail($input: SetEmailPasswordInput!) { setEmailPassword(input: $input) { id email emailVerified telegramId } }`;
const UNLINK = `mutation Unlink { unlinkTelegram }`;
const ME = `query Me { me { id email telegramId } }`;

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string | null; telegramId: string | null };
}
interface Notification {
  id: string;
  kind: string;
  telegramId: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

let tgCounter = 0;
/** A Telegram user id no other test of this file uses. */
const newTelegramId = () => String(7_000_000_000 + ++tgCounter);

const fieldOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.field;

describe('Telegram identity (SECURITY.md T1, T4, T5)', () => {
  const botSecret = randomBytes(36).toString('base64url');
  const bot: GqlOptions = { headers: { 'x-bot-key': botSecret } };
  let app: TestApp;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    app = await startTestApp({
      DATABASE_URL: scratch.url,
      BOT_API_SECRET: botSecret,
      PUBLIC_URL: 'https://finance.example.test',
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
    });
    if (realRedis) redis = new Redis(TEST_REDIS_URL);
  }, 120_000);
  afterAll(async () => {
    await redis?.quit();
    await app?.stop();
    if (scratch === undefined) return;
    await scratch.drop();
  }, 60_000);

  const emailUser = () => registerUser(app, {}, fromFreshClient());

  const tgRegister = (telegramId: string, extra: Record<string, unknown> = {}) =>
    app.gql<{ telegramRegister: AuthPayload }>(
      TG_REGISTER,
      { input: { telegramId, chatId: telegramId, firstName: 'Tina', ...extra } },
      bot,
    );

  const registered = async (telegramId: string): Promise<AuthPayload> => {
    const result = await tgRegister(telegramId);
    if (!result.data?.telegramRegister) throw new Error(`telegramRegister failed: ${result.text}`);
    return result.data.telegramRegister;
  };

  const bindingStart = (telegramId: string, extra: Record<string, unknown> = {}) =>
    app.gql<{ bindingStart: { code: string; url: string; expiresAt: string } }>(
      BINDING_START,
      { input: { telegramId, chatId: telegramId, firstName: 'Ann', ...extra } },
      bot,
    );

  const newCode = async (telegramId: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const result = await bindingStart(telegramId, extra);
    if (!result.data?.bindingStart) throw new Error(`bindingStart failed: ${result.text}`);
    return result.data.bindingStart.code;
  };

  const confirm = (code: string, token: string) =>
    app.gql<{ bindingConfirm: { id: string; telegramId: string | null } }>(
      BINDING_CONFIRM,
      { code },
      { token },
    );

  const info = (code: string, token: string) =>
    app.gql<{
      bindingInfo: {
        telegramId: string;
        firstName: string;
        lastName: string | null;
        username: string | null;
        expiresAt: string;
      };
    }>(BINDING_INFO, { code }, { token });

  const me = (token: string) =>
    app.gql<{ me: { id: string; email: string | null; telegramId: string | null } }>(ME, {}, { token });

  const pending = async (limit = 100): Promise<Notification[]> => {
    const result = await app.gql<{ pendingNotifications: Notification[] }>(PENDING, { limit }, bot);
    expect(result.errors, result.text).toBeUndefined();
    return result.data!.pendingNotifications;
  };

  /** The telegram_id the database holds for a user, as text (exact, whatever its size). */
  const storedTelegramId = async (userId: string): Promise<string | null> => {
    const rows = await app.sql<{ telegram_id: string | null }>(
      'select telegram_id::text as telegram_id from app_user where id = $1',
      [userId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.telegram_id;
  };

  const usersWithTelegramId = async (telegramId: string): Promise<string[]> =>
    (
      await app.sql<{ id: string }>('select id from app_user where telegram_id = $1::bigint', [telegramId])
    ).map((r) => r.id);

  /** Every key of this app in the store, without the prefix, with its value and seconds to live. */
  async function storedEntries(): Promise<{ key: string; value: string; ttl: number }[]> {
    const prefix = app.config.redisKeyPrefix;
    if (redis !== undefined) {
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }))
        keys.push(...(batch as string[]));
      return Promise.all(
        keys.map(async (key) => ({
          key: key.slice(prefix.length),
          value: (await redis!.type(key)) === 'string' ? ((await redis!.get(key)) ?? '') : '',
          ttl: await redis!.ttl(key),
        })),
      );
    }
    // The in-process store (no Redis reachable): the same facts, read from its map.
    const entries = (
      app.deps.kv as unknown as { entries: Map<string, { value: string; expiresAt?: number }> }
    ).entries;
    const now = app.clock.now().getTime();
    return [...entries].map(([key, entry]) => ({
      key,
      value: entry.value,
      ttl: entry.expiresAt === undefined ? -1 : Math.ceil((entry.expiresAt - now) / 1000),
    }));
  }

  /** One sample operation per bot-only field; `works` checks a successful answer. */
  const botOperations = (telegramId: string) => ({
    telegramRegister: {
      query: TG_REGISTER,
      variables: { input: { telegramId, chatId: telegramId, firstName: 'Bo' } },
      works: (data: Record<string, unknown>) =>
        expect((data.telegramRegister as AuthPayload).accessToken).toMatch(/^eyJ/),
    },
    telegramLogin: {
      query: TG_LOGIN,
      variables: { telegramId },
      works: (data: Record<string, unknown>) =>
        expect((data.telegramLogin as AuthPayload).user.telegramId).toBe(telegramId),
    },
    bindingStart: {
      query: BINDING_START,
      variables: { input: { telegramId, chatId: telegramId, firstName: 'Bo' } },
      works: (data: Record<string, unknown>) =>
        expect((data.bindingStart as { code: string }).code).toMatch(/^[A-Za-z0-9_-]{22,}$/),
    },
    pendingNotifications: {
      query: PENDING,
      variables: { limit: 1 },
      works: (data: Record<string, unknown>) => expect(Array.isArray(data.pendingNotifications)).toBe(true),
    },
    acknowledgeNotifications: {
      query: ACK,
      variables: { ids: [] },
      works: (data: Record<string, unknown>) => expect(data.acknowledgeNotifications).toBe(0),
    },
    telegramGroup: {
      query: `query Group($chatId: ID!) { telegramGroup(chatId: $chatId) { familyId } }`,
      variables: { chatId: '-1001' },
      works: (data: Record<string, unknown>) => expect(data.telegramGroup).toBeNull(),
    },
  });

  it('T1: bot-only fields need X-Bot-Key (none or a wrong key -> 401, a user token -> 403, the key -> works); no key, no token', async () => {
    const schema = await createSchema();
    const botFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => (type ? Object.values(type.getFields()) : []))
      .filter((field) => (field.extensions as AccessExtensions).access === 'bot')
      .map((field) => field.name)
      .sort();
    expect(botFields).toEqual(BOT_FIELDS);

    const user = await emailUser();
    const telegramId = newTelegramId();
    const operations = botOperations(telegramId);
    expect(Object.keys(operations).sort()).toEqual(BOT_FIELDS);
    const wrongKey = botSecret.slice(0, -1) + (botSecret.endsWith('A') ? 'B' : 'A');
    expect(wrongKey).toHaveLength(botSecret.length);

    for (const [name, op] of Object.entries(operations)) {
      const refusals: [string, GqlOptions, string, number][] = [
        ['no credential', {}, 'UNAUTHENTICATED', 401],
        ['a wrong key of the same length', { headers: { 'x-bot-key': wrongKey } }, 'UNAUTHENTICATED', 401],
        ['an empty key', { headers: { 'x-bot-key': '' } }, 'UNAUTHENTICATED', 401],
        ['a user token only', { token: user.accessToken }, 'FORBIDDEN', 403],
        [
          'a user token and a wrong key',
          { token: user.accessToken, headers: { 'x-bot-key': wrongKey } },
          'FORBIDDEN',
          403,
        ],
      ];
      for (const [what, options, code, status] of refusals) {
        const result = await app.gql(op.query, op.variables, options);
        expect(codeOf(result), `${name} with ${what}: ${result.text}`).toBe(code);
        expect(result.status, `${name} with ${what}`).toBe(status);
        expect(result.data ?? null, `${name} with ${what}`).toBeNull();
        expect(result.text, `${name} with ${what}`).not.toMatch(/eyJ|accessToken|refreshToken/);
      }
    }
    // Nothing the refused calls asked for happened.
    expect(await usersWithTelegramId(telegramId)).toEqual([]);

    // In order: telegramRegister creates the user that telegramLogin then signs in.
    for (const [name, op] of Object.entries(operations)) {
      const result = await app.gql(op.query, op.variables, bot);
      expect(result.errors, `${name} with the key: ${result.text}`).toBeUndefined();
      expect(result.status).toBe(200);
      op.works(result.data as Record<string, unknown>);
    }

    // A Telegram id alone (a known one) never yields a token.
    const alone = await app.gql(TG_LOGIN, { telegramId });
    expect(codeOf(alone)).toBe('UNAUTHENTICATED');
    expect(alone.text).not.toMatch(/eyJ|accessToken/);
  });

  it('T1: an app without BOT_API_SECRET refuses every bot-only field', async () => {
    const closed = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    try {
      expect(closed.config.botApiSecret).toBeUndefined();
      const user = await registerUser(closed, {}, fromFreshClient());
      const telegramId = newTelegramId();
      for (const [name, op] of Object.entries(botOperations(telegramId))) {
        for (const key of [botSecret, '', 'undefined']) {
          const result = await closed.gql(op.query, op.variables, { headers: { 'x-bot-key': key } });
          expect(codeOf(result), `${name} with key "${key}": ${result.text}`).toBe('UNAUTHENTICATED');
          expect(result.status).toBe(401);
          expect(result.text).not.toMatch(/eyJ|accessToken/);
        }
        const withUser = await closed.gql(op.query, op.variables, {
          token: user.accessToken,
          headers: { 'x-bot-key': botSecret },
        });
        expect(codeOf(withUser), `${name} with a user token: ${withUser.text}`).toBe('FORBIDDEN');
        expect(withUser.status).toBe(403);
      }
      const rows = await closed.sql('select 1 from app_user where telegram_id = $1::bigint', [telegramId]);
      expect(rows).toEqual([]);
    } finally {
      await closed.stop();
    }
  });

  it('T1: BOT_API_SECRET shorter than 32 bytes is refused by loadConfig, naming BOT_API_SECRET', () => {
    const base = {
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      JWT_SECRET: randomBytes(48).toString('base64url'),
    } as const;
    for (const short of ['x'.repeat(31), 'é'.repeat(15) + 'x', 'short']) {
      expect(() => loadConfig({ ...base, BOT_API_SECRET: short }), short).toThrow(/BOT_API_SECRET/);
    }
    // Bytes, not characters: 16 two-byte characters are 32 bytes.
    for (const ok of ['x'.repeat(32), 'é'.repeat(16), botSecret]) {
      expect(loadConfig({ ...base, BOT_API_SECRET: ok }).botApiSecret).toBe(ok);
    }
  });

  it('T1: Telegram ids beyond 2^53 round-trip exactly and are stored as bigint', async () => {
    const big = '9007199254740993';
    expect(String(Number(big))).not.toBe(big); // a double cannot hold it
    const payload = await registered(big);
    expect(payload.user.telegramId).toBe(big);
    const mine = await me(payload.accessToken);
    expect(mine.data?.me.telegramId).toBe(big);

    const column = await app.sql<{ data_type: string }>(
      `select data_type from information_schema.columns where table_name = 'app_user' and column_name = 'telegram_id'`,
    );
    expect(column).toEqual([{ data_type: 'bigint' }]);
    expect(await storedTelegramId(payload.user.id)).toBe(big);

    const again = await app.gql<{ telegramLogin: AuthPayload }>(TG_LOGIN, { telegramId: big }, bot);
    expect(again.data?.telegramLogin.user.id).toBe(payload.user.id);
    // Its float-rounded neighbour is someone else (nobody).
    const rounded = await app.gql(TG_LOGIN, { telegramId: '9007199254740992' }, bot);
    expect(codeOf(rounded)).toBe('NOT_FOUND');
  });

  it('telegramRegister is idempotent per Telegram id: one user, one personal family with categories and a Cash account', async () => {
    const telegramId = newTelegramId();
    const first = await registered(telegramId);
    const second = await tgRegister(telegramId, { firstName: 'Someone Else' });
    expect(second.errors, second.text).toBeUndefined();
    const secondPayload = second.data!.telegramRegister;
    expect(secondPayload.user.id).toBe(first.user.id);
    expect(secondPayload.accessToken).not.toBe(first.accessToken);
    for (const token of [first.accessToken, secondPayload.accessToken]) {
      const result = await me(token);
      expect(result.data?.me, result.text).toEqual({ id: first.user.id, email: null, telegramId });
    }
    for (const token of [first.refreshToken, secondPayload.refreshToken]) {
      const result = await refresh(app, token);
      expect(result.errors, result.text).toBeUndefined();
      expect(result.data?.refreshToken.user.id).toBe(first.user.id);
    }

    expect(await usersWithTelegramId(telegramId)).toEqual([first.user.id]);
    const families = await app.sql<{ family_id: string; role: string; is_default: boolean }>(
      `select m.family_id, m.role, u.default_family_id = m.family_id as is_default
         from membership m join app_user u on u.id = m.user_id where m.user_id = $1`,
      [first.user.id],
    );
    expect(families).toHaveLength(1);
    expect(families[0]).toMatchObject({ role: 'owner', is_default: true });
    const familyId = families[0]!.family_id;
    const [categories] = await app.sql<{ n: string }>(
      'select count(*) as n from category where family_id = $1',
      [familyId],
    );
    expect(Number(categories!.n)).toBeGreaterThan(0);
    const accounts = await app.sql<{ name: string; type: string }>(
      'select name, type from account where family_id = $1',
      [familyId],
    );
    expect(accounts).toEqual([{ name: 'Cash', type: 'cash' }]);

    // Two registrations of a new Telegram user at once also end as one account.
    const racing = newTelegramId();
    const [a, b] = await Promise.all([tgRegister(racing), tgRegister(racing)]);
    expect(a.errors, a.text).toBeUndefined();
    expect(b.errors, b.text).toBeUndefined();
    expect(a.data!.telegramRegister.user.id).toBe(b.data!.telegramRegister.user.id);
    expect(await usersWithTelegramId(racing)).toEqual([a.data!.telegramRegister.user.id]);
    const [memberships] = await app.sql<{ n: string }>(
      'select count(*) as n from membership where user_id = $1',
      [a.data!.telegramRegister.user.id],
    );
    expect(Number(memberships!.n)).toBe(1);
  });

  it('telegramLogin returns tokens for a registered Telegram user and NOT_FOUND for an unknown one', async () => {
    const telegramId = newTelegramId();
    const user = await registered(telegramId);
    const result = await app.gql<{ telegramLogin: AuthPayload }>(TG_LOGIN, { telegramId }, bot);
    expect(result.errors, result.text).toBeUndefined();
    const tokens = result.data!.telegramLogin;
    expect(tokens.user.id).toBe(user.user.id);
    expect((await me(tokens.accessToken)).data?.me.id).toBe(user.user.id);

    const unknown = await app.gql(TG_LOGIN, { telegramId: newTelegramId() }, bot);
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect(unknown.text).not.toMatch(/eyJ|accessToken/);
  });

  it('malformed Telegram ids -> BAD_USER_INPUT naming the field', async () => {
    const malformed = ['abc', '-5', '0', '12345678901234567890', '9223372036854775808', '12 34', '0x10', ''];
    for (const telegramId of malformed) {
      const register = await tgRegister(telegramId);
      expect(codeOf(register), `telegramRegister ${telegramId}: ${register.text}`).toBe('BAD_USER_INPUT');
      expect(fieldOf(register), `telegramRegister ${telegramId}`).toBe('input.telegramId');
      const start = await bindingStart(telegramId);
      expect(codeOf(start), `bindingStart ${telegramId}: ${start.text}`).toBe('BAD_USER_INPUT');
      expect(fieldOf(start), `bindingStart ${telegramId}`).toBe('input.telegramId');
      const loginResult = await app.gql(TG_LOGIN, { telegramId }, bot);
      expect(codeOf(loginResult), `telegramLogin ${telegramId}: ${loginResult.text}`).toBe('BAD_USER_INPUT');
      expect(fieldOf(loginResult), `telegramLogin ${telegramId}`).toBe('telegramId');
    }
    const [users] = await app.sql<{ n: string }>(
      `select count(*) as n from app_user where telegram_id::text = any($1::text[])`,
      [malformed],
    );
    expect(Number(users!.n)).toBe(0);
  });

  it('T4: bindingStart issues a >= 128-bit code, stored only hashed with a TTL of at most 10 minutes', async () => {
    const telegramId = newTelegramId();
    const before = app.clock.now().getTime();
    const result = await bindingStart(telegramId, { lastName: 'Example', username: 'ann_tg' });
    expect(result.errors, result.text).toBeUndefined();
    const { code, url, expiresAt } = result.data!.bindingStart;
    expect(code).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(Buffer.from(code, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(url).toBe(`https://finance.example.test/link#code=${code}`);
    expect(new Date(expiresAt).getTime() - before).toBe(600_000);
    const other = await newCode(newTelegramId());
    expect(other).not.toBe(code);

    const entries = await storedEntries();
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry.key, 'a stored key').not.toContain(code);
      expect(entry.value, `the value of ${entry.key}`).not.toContain(code);
    }
    const bindings = entries.filter((e) => e.key.includes('binding'));
    expect(
      bindings.filter((e) => `${e.key} ${e.value}`.includes(telegramId)).length,
      JSON.stringify(entries.map((e) => e.key)),
    ).toBeGreaterThan(0);
    for (const binding of bindings) {
      expect(binding.ttl, binding.key).toBeGreaterThan(0);
      expect(binding.ttl, binding.key).toBeLessThanOrEqual(600);
    }
  });

  it('T4: bindingConfirm links once; reuse, +601 s, a newer code and Cancel make a code invalid (NOT_FOUND)', async () => {
    const user = await emailUser();
    const telegramId = newTelegramId();
    const code = await newCode(telegramId);
    const linked = await confirm(code, user.accessToken);
    expect(linked.errors, linked.text).toBeUndefined();
    expect(linked.data?.bindingConfirm).toEqual({ id: user.user.id, telegramId });
    expect((await me(user.accessToken)).data?.me.telegramId).toBe(telegramId);
    expect(await storedTelegramId(user.user.id)).toBe(telegramId);

    // Reuse, by anyone.
    const other = await emailUser();
    for (const token of [user.accessToken, other.accessToken]) {
      const reused = await confirm(code, token);
      expect(codeOf(reused), reused.text).toBe('NOT_FOUND');
      expect(codeOf(await info(code, token))).toBe('NOT_FOUND');
    }
    expect(await storedTelegramId(other.user.id)).toBeNull();

    // +601 s (still fine at +599 s).
    const lateId = newTelegramId();
    const late = await newCode(lateId);
    app.clock.advance(599_000);
    expect((await info(late, other.accessToken)).errors).toBeUndefined();
    app.clock.advance(2_000);
    expect(codeOf(await info(late, other.accessToken))).toBe('NOT_FOUND');
    const expired = await confirm(late, other.accessToken);
    expect(codeOf(expired), expired.text).toBe('NOT_FOUND');
    expect(await storedTelegramId(other.user.id)).toBeNull();

    // A new code for the same Telegram id replaces the previous one.
    const replacedId = newTelegramId();
    const old = await newCode(replacedId);
    const fresh = await newCode(replacedId);
    expect(codeOf(await info(old, other.accessToken))).toBe('NOT_FOUND');
    const viaOld = await confirm(old, other.accessToken);
    expect(codeOf(viaOld), viaOld.text).toBe('NOT_FOUND');
    expect(await storedTelegramId(other.user.id)).toBeNull();
    const viaFresh = await confirm(fresh, other.accessToken);
    expect(viaFresh.data?.bindingConfirm.telegramId, viaFresh.text).toBe(replacedId);

    // Cancel.
    const third = await emailUser();
    const cancelledId = newTelegramId();
    const cancelled = await newCode(cancelledId);
    const cancel = await app.gql<{ bindingCancel: boolean }>(
      BINDING_CANCEL,
      { code: cancelled },
      { token: third.accessToken },
    );
    expect(cancel.data?.bindingCancel, cancel.text).toBe(true);
    expect(codeOf(await info(cancelled, third.accessToken))).toBe('NOT_FOUND');
    const afterCancel = await confirm(cancelled, third.accessToken);
    expect(codeOf(afterCancel), afterCancel.text).toBe('NOT_FOUND');
    const again = await app.gql<{ bindingCancel: boolean }>(
      BINDING_CANCEL,
      { code: cancelled },
      { token: third.accessToken },
    );
    expect(again.data?.bindingCancel).toBe(false);
    expect(await storedTelegramId(third.user.id)).toBeNull();
    expect(await usersWithTelegramId(cancelledId)).toEqual([]);
  });

  it('T4: of two concurrent bindingConfirm calls with one code, exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([emailUser(), emailUser()]);
      const telegramId = newTelegramId();
      const code = await newCode(telegramId);
      const results = await Promise.all([confirm(code, a.accessToken), confirm(code, b.accessToken)]);
      const winners = results.filter((r) => r.errors === undefined && r.data?.bindingConfirm);
      const losers = results.filter((r) => r.errors !== undefined);
      expect(winners, results.map((r) => r.text).join('\n')).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(codeOf(losers[0]!)).toBe('NOT_FOUND');
      const winner = winners[0]!.data!.bindingConfirm.id;
      expect([a.user.id, b.user.id]).toContain(winner);
      expect(await usersWithTelegramId(telegramId)).toEqual([winner]);
    }
  });

  it('T4: bindingInfo names the Telegram account without using the code up', async () => {
    const user = await emailUser();
    const telegramId = newTelegramId();
    const start = await bindingStart(telegramId, {
      firstName: 'Ann',
      lastName: 'Example',
      username: '@ann_tg',
    });
    const { code, expiresAt } = start.data!.bindingStart;
    for (let i = 0; i < 2; i++) {
      const result = await info(code, user.accessToken);
      expect(result.data?.bindingInfo, result.text).toEqual({
        telegramId,
        firstName: 'Ann',
        lastName: 'Example',
        username: 'ann_tg',
        expiresAt,
      });
    }
    expect(await storedTelegramId(user.user.id)).toBeNull();
    const linked = await confirm(code, user.accessToken);
    expect(linked.data?.bindingConfirm.telegramId, linked.text).toBe(telegramId);
  });

  it('T5: a Telegram id linked to user X -> linking it to user Y is CONFLICT and X keeps it', async () => {
    const [x, y] = [await emailUser(), await emailUser()];
    const telegramId = newTelegramId();
    expect((await confirm(await newCode(telegramId), x.accessToken)).data?.bindingConfirm.telegramId).toBe(
      telegramId,
    );
    const takeover = await confirm(await newCode(telegramId), y.accessToken);
    expect(codeOf(takeover), takeover.text).toBe('CONFLICT');
    expect(await storedTelegramId(x.user.id)).toBe(telegramId);
    expect(await storedTelegramId(y.user.id)).toBeNull();
    expect(await usersWithTelegramId(telegramId)).toEqual([x.user.id]);
    // The bot still signs in as X.
    const bot1 = await app.gql<{ telegramLogin: AuthPayload }>(TG_LOGIN, { telegramId }, bot);
    expect(bot1.data?.telegramLogin.user.id).toBe(x.user.id);
  });

  it('T5: a Telegram-only user holding the id -> linking it to an email user is CONFLICT (no silent merge)', async () => {
    const telegramId = newTelegramId();
    const telegramOnly = await registered(telegramId);
    const emailOne = await emailUser();
    const merge = await confirm(await newCode(telegramId), emailOne.accessToken);
    expect(codeOf(merge), merge.text).toBe('CONFLICT');
    expect(await storedTelegramId(emailOne.user.id)).toBeNull();
    expect(await usersWithTelegramId(telegramId)).toEqual([telegramOnly.user.id]);
    expect((await me(telegramOnly.accessToken)).data?.me).toEqual({
      id: telegramOnly.user.id,
      email: null,
      telegramId,
    });
  });

  it('T5: a user already linked to another Telegram id -> CONFLICT', async () => {
    const user = await emailUser();
    const first = newTelegramId();
    const second = newTelegramId();
    expect((await confirm(await newCode(first), user.accessToken)).data?.bindingConfirm.telegramId).toBe(
      first,
    );
    const relink = await confirm(await newCode(second), user.accessToken);
    expect(codeOf(relink), relink.text).toBe('CONFLICT');
    expect(await storedTelegramId(user.user.id)).toBe(first);
    expect(await usersWithTelegramId(second)).toEqual([]);
  });

  it("outbox: bindingConfirm queues 'telegram_linked'; fetched ones are leased for 60 s; acknowledged ones are gone", async () => {
    const linkOne = async () => {
      const user = await emailUser();
      const telegramId = newTelegramId();
      const result = await confirm(await newCode(telegramId), user.accessToken);
      expect(result.errors, result.text).toBeUndefined();
      return telegramId;
    };
    const firstId = await linkOne();
    const secondId = await linkOne();

    const fetched = await pending();
    const byTelegram = (id: string) =>
      fetched.filter((n) => n.telegramId === id && n.kind === 'TELEGRAM_LINKED');
    expect(byTelegram(firstId), JSON.stringify(fetched)).toHaveLength(1);
    expect(byTelegram(secondId)).toHaveLength(1);
    const one = byTelegram(firstId)[0]!;
    const two = byTelegram(secondId)[0]!;
    expect(one.payload.chatId).toBe(firstId);
    expect(two.payload.chatId).toBe(secondId);
    expect(new Date(one.createdAt).getTime()).toBeLessThanOrEqual(app.clock.now().getTime());
    // Oldest first.
    expect(fetched.indexOf(one)).toBeLessThan(fetched.indexOf(two));

    // Leased by the first call: a second fetch within 60 s does not hand them out again.
    app.clock.advance(59_000);
    const ids = (list: Notification[]) => list.map((n) => n.id);
    const meanwhile = ids(await pending());
    expect(meanwhile).not.toContain(one.id);
    expect(meanwhile).not.toContain(two.id);

    const acked = await app.gql<{ acknowledgeNotifications: number }>(ACK, { ids: [one.id] }, bot);
    expect(acked.data?.acknowledgeNotifications, acked.text).toBe(1);

    // After the lease, the unacknowledged one comes back; the acknowledged one never does.
    app.clock.advance(2_000);
    const later = ids(await pending());
    expect(later).toContain(two.id);
    expect(later).not.toContain(one.id);
    const ackAgain = await app.gql<{ acknowledgeNotifications: number }>(ACK, { ids: [one.id] }, bot);
    expect(ackAgain.data?.acknowledgeNotifications).toBe(0);
    const ackTwo = await app.gql<{ acknowledgeNotifications: number }>(ACK, { ids: [two.id] }, bot);
    expect(ackTwo.data?.acknowledgeNotifications).toBe(1);
    app.clock.advance(61_000);
    const finally_ = ids(await pending());
    expect(finally_).not.toContain(one.id);
    expect(finally_).not.toContain(two.id);
  });

  it('setEmailPassword: a Telegram-only user adds email + password once; taken email -> CONFLICT; weak -> WEAK_PASSWORD', async () => {
    const telegramId = newTelegramId();
    const tg = await registered(telegramId);
    const email = uniqueEmail('tg');
    const set = await app.gql<{ setEmailPassword: { id: string; email: string } }>(
      SET_EMAIL,
      { input: { email, password: STRONG_PASSWORD } },
      { token: tg.accessToken },
    );
    expect(set.errors, set.text).toBeUndefined();
    expect(set.data?.setEmailPassword).toMatchObject({ id: tg.user.id, email, emailVerified: false });
    // E3: the new address signs in only once confirmed, through the link mailed to it.
    const unconfirmed = await login(app, email, STRONG_PASSWORD, fromFreshClient());
    expect(codeOf(unconfirmed), unconfirmed.text).toBe('EMAIL_NOT_VERIFIED');
    expect(unconfirmed.data?.login ?? null).toBeNull();
    await verifyEmailByMail(app, email, fromFreshClient());
    const signedIn = await login(app, email, STRONG_PASSWORD, fromFreshClient());
    expect(signedIn.errors, signedIn.text).toBeUndefined();
    expect((await me(signedIn.data!.login.accessToken)).data?.me).toEqual({
      id: tg.user.id,
      email,
      telegramId,
    });

    const second = await app.gql(
      SET_EMAIL,
      { input: { email: uniqueEmail('tg2'), password: STRONG_PASSWORD } },
      { token: tg.accessToken },
    );
    expect(codeOf(second), second.text).toBe('CONFLICT');
    expect((await me(tg.accessToken)).data?.me.email).toBe(email);

    const someoneElse = await emailUser();
    const other = await registered(newTelegramId());
    for (const taken of [someoneElse.email, someoneElse.email.toUpperCase(), email]) {
      const result = await app.gql(
        SET_EMAIL,
        { input: { email: taken, password: STRONG_PASSWORD } },
        { token: other.accessToken },
      );
      expect(codeOf(result), `${taken}: ${result.text}`).toBe('CONFLICT');
      expect(fieldOf(result)).toBe('input.email');
    }
    for (const weak of ['short', 'password', '12345678']) {
      const result = await app.gql(
        SET_EMAIL,
        { input: { email: uniqueEmail('weak'), password: weak } },
        { token: other.accessToken },
      );
      expect(codeOf(result), `${weak}: ${result.text}`).toBe('WEAK_PASSWORD');
    }
    expect((await me(other.accessToken)).data?.me.email).toBeNull();
    const [row] = await app.sql<{ email: string | null; password_hash: string | null }>(
      'select email, password_hash from app_user where id = $1',
      [other.user.id],
    );
    expect(row).toEqual({ email: null, password_hash: null });
  });

  it("unlinkTelegram ends the bot's sessions but keeps the calling web session; a Telegram-only user cannot unlink", async () => {
    const telegramId = newTelegramId();
    const viaRegister = await registered(telegramId);
    const loginResult = await app.gql<{ telegramLogin: AuthPayload }>(TG_LOGIN, { telegramId }, bot);
    const viaLogin = loginResult.data!.telegramLogin;

    // Without an email the user could not sign in any more: refused.
    const refused = await app.gql(UNLINK, {}, { token: viaRegister.accessToken });
    expect(codeOf(refused), refused.text).toBe('CONFLICT');
    expect(await storedTelegramId(viaRegister.user.id)).toBe(telegramId);
    expect((await me(viaLogin.accessToken)).errors).toBeUndefined();

    const email = uniqueEmail('unlink');
    const set = await app.gql(
      SET_EMAIL,
      { input: { email, password: STRONG_PASSWORD } },
      { token: viaRegister.accessToken },
    );
    expect(set.errors, set.text).toBeUndefined();
    // Nor with an address that is not confirmed yet: it could not sign in either.
    const unconfirmed = await app.gql(UNLINK, {}, { token: viaRegister.accessToken });
    expect(codeOf(unconfirmed), unconfirmed.text).toBe('CONFLICT');
    expect(await storedTelegramId(viaRegister.user.id)).toBe(telegramId);
    await verifyEmailByMail(app, email, fromFreshClient());
    const web = (await login(app, email, STRONG_PASSWORD, fromFreshClient())).data!.login;

    const unlinked = await app.gql<{ unlinkTelegram: boolean }>(UNLINK, {}, { token: web.accessToken });
    expect(unlinked.data?.unlinkTelegram, unlinked.text).toBe(true);
    expect(await storedTelegramId(viaRegister.user.id)).toBeNull();

    for (const [what, session] of [
      ['telegramRegister', viaRegister],
      ['telegramLogin', viaLogin],
    ] as const) {
      const access = await me(session.accessToken);
      expect(codeOf(access), `${what} access token: ${access.text}`).toBe('UNAUTHENTICATED');
      expect(access.status).toBe(401);
      const renewed = await refresh(app, session.refreshToken);
      expect(renewed.errors, `${what} refresh token: ${renewed.text}`).toBeDefined();
      expect(renewed.text).not.toMatch(/eyJ/);
    }
    const stillIn = await me(web.accessToken);
    expect(stillIn.data?.me, stillIn.text).toEqual({ id: viaRegister.user.id, email, telegramId: null });
    const webRefresh = await refresh(app, web.refreshToken);
    expect(webRefresh.errors, webRefresh.text).toBeUndefined();

    // The bot no longer knows this Telegram id.
    expect(codeOf(await app.gql(TG_LOGIN, { telegramId }, bot))).toBe('NOT_FOUND');
  });

  it('L5: two Telegram auth fields in one operation -> GRAPHQL_VALIDATION_FAILED', async () => {
    const telegramId = newTelegramId();
    await registered(telegramId);
    const aliased = await app.gql(
      `mutation Two($t: ID!) { a: telegramLogin(telegramId: $t) { accessToken } b: telegramLogin(telegramId: $t) { accessToken } }`,
      { t: telegramId },
      bot,
    );
    expect(codeOf(aliased), aliased.text).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(aliased.errors?.[0]?.message).toMatch(/at most one authentication field/);
    expect(aliased.text).not.toMatch(/eyJ/);
    const viaFragment = await app.gql(
      `mutation Two($t: ID!) { a: telegramLogin(telegramId: $t) { accessToken } ...More }
       fragment More on Mutation { b: telegramRegister(input: { telegramId: $t, chatId: $t, firstName: "X" }) { accessToken } }`,
      { t: telegramId },
      bot,
    );
    expect(codeOf(viaFragment), viaFragment.text).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(viaFragment.errors?.[0]?.message).toMatch(/at most one authentication field/);

    const user = await emailUser();
    const code = await newCode(newTelegramId());
    const twoConfirms = await app.gql(
      `mutation Two($c: String!) { a: bindingConfirm(code: $c) { id } b: bindingConfirm(code: $c) { id } }`,
      { c: code },
      { token: user.accessToken },
    );
    expect(codeOf(twoConfirms), twoConfirms.text).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(twoConfirms.errors?.[0]?.message).toMatch(/at most one authentication field/);
    // Nothing ran: the code is still unused.
    expect((await info(code, user.accessToken)).errors).toBeUndefined();
    expect(await storedTelegramId(user.user.id)).toBeNull();
  });
});
