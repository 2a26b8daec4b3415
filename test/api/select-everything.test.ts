import 'reflect-metadata';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  getNamedType,
  isLeafType,
  isObjectType,
  OperationTypeNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessExtensions } from '../../src/graphql/access.js';
import { QUERY_LIMITS } from '../../src/graphql/apollo.js';
import { createSchema } from '../../src/schema.js';
import { addDays } from '../../src/shared/dates.js';
import { ErrorCode } from '../../src/shared/errors.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  freshClientIp,
  gql,
  realRedis,
  uniqueEmail,
  type GqlOptions,
  type GqlResult,
} from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import { spawnApi, waitForHttp, type ApiProcess } from '../helpers/server-process.js';
import { confirmEmail } from '../helpers/auth.js';
import { linkToken, startMailbox, type Mailbox } from '../helpers/mailbox.js';

/**
 * Every field of every type a client can reach, selected at least once, from every root query and from
 * every mutation's payload, as an owner and as a viewer, over data in which every nullable relation
 * occurs both present and absent. The documents are generated from the schema, so a new type, field,
 * query or mutation is covered without touching this file (a mutation needs an entry in MUTATIONS: the
 * test fails until it has one). Nothing may answer INTERNAL_SERVER_ERROR; expected refusals (a viewer
 * writing, say) must carry a catalog code.
 *
 * The API runs as its own process, started as `npm start` starts it: under vitest's transform TypeScript
 * emits decorator metadata, and type-graphql then rebuilds every resolver's root as an instance of the
 * declared class, which hides a root of another shape than the one declared. tsx emits none.
 */

type Vars = Record<string, unknown>;
type Role = 'owner' | 'viewer' | 'bot';

/** A caller: a user's access token, or the bot's credential. */
interface Caller {
  role: Role;
  token?: string;
  userId?: string;
  email?: string;
}

/** The seeded family F and its objects; see beforeAll. */
interface Fixtures {
  family: string;
  cash: string;
  usd: string;
  archived: string;
  food: string;
  groceries: string;
  salary: string;
  transfer: string;
  expense: string;
  uncategorized: string;
  budgetAll: string;
  budgetFood: string;
  goalWithAccount: string;
  goalWithout: string;
  rate: string;
  /** Ask-first, approximate, with a category; and auto-post, fixed, without one; both start later. */
  scheduleAsk: string;
  scheduleAuto: string;
  /** An endpoint with a delivery that failed (every nullable field set) and one delivered. */
  webhook: string;
  webhookDelivery: string;
  telegramMember: { userId: string; telegramId: string };
  /** A family of another user, where invites for joinFamily / leaveFamily come from. */
  other: { family: string; token: string };
}

/**
 * What one call of a root field needs: its variables, and another token when the caller's own won't do
 * (null: none, as a sign-in is sent).
 */
interface Call {
  variables: Vars;
  token?: string | null;
}

interface Entry {
  /** The call for this caller; may create what it consumes (a fresh invite, a fresh transaction...). */
  call(f: Fixtures, caller: Caller): Promise<Call> | Call;
  /** The code the owner's call answers when success is impossible by design; default: it succeeds. */
  ownerCode?: string;
}

const catalog = new Set<string>(Object.values(ErrorCode));
const today = new Date().toISOString().slice(0, 10);
/** Schedules start ahead, so nothing posts while the test runs; each answer takes a day of its own. */
const scheduleStart = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
let answeredDays = 0;
const nextAnswerDay = () => addDays(scheduleStart, answeredDays++);
const schema = await createSchema();

// --- documents -------------------------------------------------------------------------------------------

/** Every (type, field) of every object type reachable from the roots, e.g. "Transaction.createdBy". */
function reachablePairs(schemaToWalk: GraphQLSchema): Set<string> {
  const pairs = new Set<string>();
  const seen = new Set<string>();
  const walk = (type: GraphQLObjectType) => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      pairs.add(`${type.name}.${field.name}`);
      const named = getNamedType(field.type);
      if (isObjectType(named)) walk(named);
    }
  };
  for (const root of [schemaToWalk.getQueryType(), schemaToWalk.getMutationType()]) {
    for (const field of Object.values(root!.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named)) walk(named);
    }
  }
  return pairs;
}

const selected = new Set<string>();

/**
 * The selection of a root field's result: breadth first, so each (type, field) is selected at the
 * shallowest place it occurs, once per document, within the depth limit (G5). Leaves are selected
 * everywhere.
 */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  interface Node {
    type: GraphQLObjectType;
    parts: string[];
    children: Map<string, Node>;
  }
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return '';
  const root: Node = { type: named, parts: [], children: new Map() };
  const taken = new Set<string>();
  const queue: { node: Node; depth: number }[] = [{ node: root, depth: 2 }];
  while (queue.length > 0) {
    const { node, depth } = queue.shift()!;
    for (const child of Object.values(node.type.getFields())) {
      const pair = `${node.type.name}.${child.name}`;
      const type = getNamedType(child.type);
      if (isLeafType(type)) {
        node.parts.push(child.name);
        selected.add(pair);
      } else if (isObjectType(type) && !taken.has(pair) && depth < QUERY_LIMITS.depth) {
        taken.add(pair);
        selected.add(pair);
        const next: Node = { type, parts: [], children: new Map() };
        node.children.set(child.name, next);
        queue.push({ node: next, depth: depth + 1 });
      }
    }
  }
  const print = (node: Node): string =>
    [...node.parts, ...[...node.children].map(([name, child]) => `${name} { ${print(child)} }`)].join(' ');
  return print(root);
}

function documentFor(operation: OperationTypeNode, name: string, variables: Vars): string {
  const field = schema.getRootType(operation)!.getFields()[name]!;
  const present = field.args.filter((arg) => variables[arg.name] !== undefined);
  const declared = present.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = present.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = selectionOf(field);
  return (
    `${operation} SelectEverything${declared === '' ? '' : `(${declared})`} ` +
    `{ ${name}${args === '' ? '' : `(${args})`}${selection === '' ? '' : ` { ${selection} }`} }`
  );
}

// --- the calls -------------------------------------------------------------------------------------------

const botKey = randomBytes(32).toString('base64url');
let server: ApiProcess;
let pool: pg.Pool;
/** Where the server sends its mail: confirmation and reset links come from here. */
let mailbox: Mailbox;
const app = {
  gql: <T>(query: string, variables: Vars, options: GqlOptions) =>
    gql<T>(server.url, query, variables, options),
  sql: async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) =>
    (await pool.query<R>(text, params)).rows,
};

async function send(caller: Caller, query: string, variables: Vars, token?: string | null) {
  const bearer = token === undefined ? caller.token : (token ?? undefined);
  return app.gql<Record<string, unknown>>(query, variables, {
    ...(bearer !== undefined && { token: bearer }),
    headers: { ...freshClientIp(), ...(caller.role === 'bot' && { 'x-bot-key': botKey }) },
  });
}

/** A call that must work: fixtures are made through the API. */
async function must<T = Record<string, unknown>>(token: string | null, query: string, variables: Vars = {}) {
  const result = await app.gql<T>(query, variables, {
    ...(token !== null && { token }),
    headers: { ...freshClientIp(), ...(token === null && { 'x-bot-key': botKey }) },
  });
  if (result.errors !== undefined || result.data == null)
    throw new Error(`fixture ${query.slice(0, 100)} failed: ${result.text}`);
  return result.data;
}

const owner: Caller = { role: 'owner' };
const viewer: Caller = { role: 'viewer' };
const bot: Caller = { role: 'bot' };

/** A new email user, signed in; `confirmed` (the default): its address confirmed through the mail. */
const register = async (label: string, confirmed = true) => {
  const email = uniqueEmail(label);
  const { register: r } = await must<{ register: { accessToken: string; user: { id: string } } }>(
    null,
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    { input: { email, password: STRONG_PASSWORD, firstName: label } },
  );
  if (confirmed) await confirmEmail(mailbox, server.url, email, { headers: freshClientIp() });
  return { token: r.accessToken, userId: r.user.id, email };
};

/** The token of the newest link of a kind mailed to `email`, from `since` on. */
const mailedToken = async (email: string, page: '/verify' | '/reset', since = 0) =>
  linkToken(await mailbox.next(email, { since, match: (m) => m.text.includes(`${page}#token=`) }), page);

const telegramRegister = async (firstName: string) => {
  const telegramId = String(randomInt(1_000_000_000, 2 ** 47));
  const { telegramRegister: r } = await must<{
    telegramRegister: { accessToken: string; user: { id: string } };
  }>(
    null,
    `mutation ($input: TelegramRegisterInput!) { telegramRegister(input: $input) { accessToken user { id } } }`,
    { input: { telegramId, chatId: telegramId, firstName } },
  );
  return { token: r.accessToken, userId: r.user.id, telegramId };
};

const inviteCode = async (token: string, familyId: string, role = 'MEMBER') =>
  (
    await must<{ createInvite: { code: string; invite: { id: string } } }>(
      token,
      `mutation ($input: CreateInviteInput!) { createInvite(input: $input) { code invite { id } } }`,
      { input: { familyId, role } },
    )
  ).createInvite;

const join = async (token: string, code: string) =>
  must(token, `mutation ($code: String!) { joinFamily(code: $code) { id } }`, { code });

const bindingCode = async () =>
  (
    await must<{ bindingStart: { code: string } }>(
      null,
      `mutation ($input: BindingStartInput!) { bindingStart(input: $input) { code } }`,
      {
        input: {
          telegramId: String(randomInt(1_000_000_000, 2 ** 47)),
          chatId: String(randomInt(1_000_000_000, 2 ** 47)),
          firstName: 'Linked',
        },
      },
    )
  ).bindingStart.code;

const createTransaction = async (input: Vars) =>
  (
    await must<{ createTransaction: { id: string } }>(
      owner.token!,
      `mutation ($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
      { input },
    )
  ).createTransaction.id;

const create = async (mutation: string, inputType: string, input: Vars, path = 'id') => {
  const data = await must<Record<string, Record<string, unknown>>>(
    owner.token!,
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { ${path.includes('.') ? `${path.split('.')[0]} { id }` : 'id'} } }`,
    { input },
  );
  const result = data[mutation]!;
  return (path.includes('.') ? (result[path.split('.')[0]!] as { id: string }).id : result.id) as string;
};

const accessTokenInput = (family: string) => ({
  name: 'Everything',
  scopes: ['READ', 'WRITE'],
  familyId: family,
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
});

const freshLogin = async (caller: Caller) =>
  (
    await must<{ login: { accessToken: string; refreshToken: string } }>(
      null,
      `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`,
      { input: { email: caller.email, password: STRONG_PASSWORD } },
    )
  ).login;

/**
 * Variables for every root query that takes some, as several calls where the answer's shape differs
 * (a transfer and an uncategorized expense; an archived account...). `familyId` is always F.
 */
const QUERIES: Record<string, (f: Fixtures) => Promise<Vars[]> | Vars[]> = {
  account: (f) => [{ id: f.cash }, { id: f.usd }, { id: f.archived }],
  accounts: (f) => [{ familyId: f.family, includeArchived: true }],
  transaction: (f) => [{ id: f.transfer }, { id: f.expense }, { id: f.uncategorized }],
  transactions: (f) => [{ familyId: f.family, first: 5 }],
  budget: (f) => [
    { id: f.budgetAll, date: today },
    { id: f.budgetFood, date: today },
  ],
  budgets: (f) => [{ familyId: f.family, date: today }],
  goal: (f) => [{ id: f.goalWithAccount }, { id: f.goalWithout }],
  goals: (f) => [{ familyId: f.family, includeArchived: true }],
  family: (f) => [{ id: f.family }],
  categories: (f) => [{ familyId: f.family, includeArchived: true }],
  bindingInfo: async () => [{ code: await bindingCode() }],
  telegramGroup: async (f) => {
    // Connected by the owner through the bot (both credentials), as the bot's /connect does.
    const chatId = `-100${randomInt(1_000_000, 9_999_999)}`;
    const connected = await app.gql(
      `mutation ($input: ConnectTelegramGroupInput!) { connectTelegramGroup(input: $input) { id } }`,
      { input: { familyId: f.family, chatId, title: 'Everything' } },
      { token: owner.token!, headers: { ...freshClientIp(), 'x-bot-key': botKey } },
    );
    if (connected.errors !== undefined) throw new Error(`connect failed: ${connected.text}`);
    return [{ chatId }, { chatId: '-1' }];
  },
  upcomingTransactions: (f) => [{ familyId: f.family, days: 45 }],
  webhooks: (f) => [{ familyId: f.family }],
  webhookDeliveries: (f) => [{ webhookId: f.webhook, first: 10 }],
};

/** A public (documentation-range) address, accepted without a DNS lookup; its webhooks hear only of schedules. */
const webhookInput = (family: string) => ({
  familyId: family,
  url: 'http://203.0.113.7/hook',
  events: ['SCHEDULE_DUE'],
  description: 'Everything',
});

/** Variables of every mutation, in the order they run; each is called by the viewer, then the owner. */
const MUTATIONS: Record<string, Entry> = {
  register: { call: () => ({ variables: { input: fresh('Registered') } }) },
  login: {
    call: (_f, c) => ({ variables: { input: { email: c.email, password: STRONG_PASSWORD } }, token: null }),
  },
  refreshToken: {
    call: async (_f, c) => ({
      variables: { refreshToken: (await freshLogin(c)).refreshToken },
      token: null,
    }),
  },
  telegramRegister: {
    call: () => {
      const telegramId = String(randomInt(1_000_000_000, 2 ** 47));
      return { variables: { input: { telegramId, chatId: telegramId, firstName: 'Bot', lastName: 'User' } } };
    },
  },
  telegramLogin: {
    call: (f) => ({ variables: { telegramId: f.telegramMember.telegramId } }),
    // The Telegram user is a member of F, its default family: invites are for owners and admins.
    ownerCode: 'FORBIDDEN',
  },
  bindingStart: {
    call: () => ({
      variables: {
        input: { telegramId: String(randomInt(1_000_000_000, 2 ** 47)), chatId: '42', firstName: 'Link' },
      },
    }),
  },
  bindingConfirm: { call: async () => ({ variables: { code: await bindingCode() } }) },
  bindingCancel: { call: async () => ({ variables: { code: await bindingCode() } }) },
  setEmailPassword: {
    // A Telegram-only user of its own adds an email; for the owner and the viewer it is CONFLICT.
    call: async (_f, c) =>
      c.role === 'owner'
        ? {
            variables: { input: { email: uniqueEmail('set'), password: STRONG_PASSWORD } },
            token: (await telegramRegister('Email later')).token,
          }
        : { variables: { input: { email: uniqueEmail('set'), password: STRONG_PASSWORD } } },
  },
  unlinkTelegram: { call: () => ({ variables: {} }) },
  requestPasswordReset: { call: (_f, c) => ({ variables: { email: c.email }, token: null }) },
  requestEmailVerification: { call: (_f, c) => ({ variables: { email: c.email }, token: null }) },
  verifyEmail: {
    call: async () => {
      const { email } = await register('Unconfirmed', false);
      return { variables: { token: await mailedToken(email, '/verify') }, token: null };
    },
  },
  resetPassword: {
    // A user of its own forgets the password: the reset ends only that user's sessions.
    call: async () => {
      const { email } = await register('Forgetful');
      const since = mailbox.messages.length;
      await must(null, `mutation ($email: String!) { requestPasswordReset(email: $email) }`, { email });
      return {
        variables: {
          token: await mailedToken(email, '/reset', since),
          newPassword: 'a forgetful passphrase 9',
        },
        token: null,
      };
    },
  },
  createFamily: { call: () => ({ variables: { input: { name: 'Another family' } } }) },
  updateFamily: { call: (f) => ({ variables: { id: f.family, input: { name: 'The Everythings' } } }) },
  setDefaultFamily: { call: (f) => ({ variables: { id: f.family } }) },
  createInvite: { call: (f) => ({ variables: { input: { familyId: f.family, role: 'VIEWER' } } }) },
  revokeInvite: {
    call: async (f) => ({ variables: { id: (await inviteCode(owner.token!, f.family)).invite.id } }),
  },
  joinFamily: {
    // As an admin, so the payload's invites show.
    call: async (f) => ({
      variables: { code: (await inviteCode(f.other.token, f.other.family, 'ADMIN')).code },
    }),
  },
  leaveFamily: { call: (f) => ({ variables: { familyId: f.other.family } }) },
  changeMemberRole: {
    call: (f) => ({ variables: { familyId: f.family, userId: f.telegramMember.userId, role: 'MEMBER' } }),
  },
  removeMember: {
    call: async (f) => {
      const member = await register('Removed');
      await join(member.token, (await inviteCode(owner.token!, f.family)).code);
      return { variables: { familyId: f.family, userId: member.userId } };
    },
  },
  createAccount: {
    call: (f) => ({ variables: { input: { familyId: f.family, name: 'Joint', type: 'CHECKING' } } }),
  },
  updateAccount: { call: (f) => ({ variables: { id: f.cash, input: { name: 'Wallet' } } }) },
  createCategory: {
    call: (f) => ({
      variables: {
        input: { familyId: f.family, kind: 'EXPENSE', name: `Bakery ${randomInt(1e9)}`, parentId: f.food },
      },
    }),
  },
  updateCategory: { call: (f) => ({ variables: { id: f.groceries, input: { aliases: ['shop'] } } }) },
  deleteCategory: {
    call: async (f) => ({
      variables: {
        id: await create('createCategory', 'CreateCategoryInput', {
          familyId: f.family,
          kind: 'EXPENSE',
          name: `Doomed ${randomInt(1e9)}`,
        }),
      },
    }),
  },
  createTransaction: {
    call: (f) => ({
      variables: {
        input: { kind: 'TRANSFER', amount: '3.00', accountId: f.cash, toAccountId: f.usd, toAmount: '3.30' },
      },
    }),
  },
  updateTransaction: {
    call: (f) => ({ variables: { id: f.expense, input: { note: 'changed', tags: ['x'] } } }),
  },
  deleteTransaction: {
    call: async (f) => ({
      variables: { id: await createTransaction({ kind: 'EXPENSE', amount: '1.00', accountId: f.cash }) },
    }),
  },
  createBudget: {
    call: (f) => ({
      variables: { input: { familyId: f.family, categoryId: f.groceries, amount: '50.00', rollover: true } },
    }),
  },
  updateBudget: { call: (f) => ({ variables: { id: f.budgetFood, input: { amount: '300.00' } } }) },
  deleteBudget: {
    call: async (f) => ({
      variables: {
        id: await create(
          'createBudget',
          'CreateBudgetInput',
          { familyId: f.family, amount: '1.00' },
          'budget.id',
        ),
      },
    }),
  },
  createGoal: {
    call: (f) => ({
      variables: { input: { familyId: f.family, name: 'Car', target: '900.00', accountId: f.usd } },
    }),
  },
  updateGoal: {
    call: (f) => ({ variables: { id: f.goalWithout, input: { deadline: '2031-01-31' } } }),
  },
  contributeToGoal: {
    call: (f) => ({ variables: { input: { goalId: f.goalWithout, amount: '7.00', note: 'tips' } } }),
  },
  deleteGoal: {
    call: async (f) => ({
      variables: {
        id: await create(
          'createGoal',
          'CreateGoalInput',
          { familyId: f.family, name: 'Doomed', target: '1.00' },
          'goal.id',
        ),
      },
    }),
  },
  createAccessToken: {
    call: (f) => ({ variables: { input: accessTokenInput(f.family) } }),
  },
  revokeAccessToken: {
    call: async (f) => ({
      variables: {
        id: await create(
          'createAccessToken',
          'CreateAccessTokenInput',
          accessTokenInput(f.family),
          'token.id',
        ),
      },
    }),
  },
  createWebhook: { call: (f) => ({ variables: { input: webhookInput(f.family) } }) },
  updateWebhook: {
    call: (f) => ({ variables: { id: f.webhook, input: { description: 'Everything, still' } } }),
  },
  deleteWebhook: {
    call: async (f) => ({
      variables: {
        id: await create('createWebhook', 'CreateWebhookInput', webhookInput(f.family), 'webhook.id'),
      },
    }),
  },
  redeliverWebhook: { call: (f) => ({ variables: { deliveryId: f.webhookDelivery } }) },
  setExchangeRate: {
    call: (f) => ({
      variables: { input: { familyId: f.family, base: 'GBP', quote: 'EUR', rate: '1.17', date: today } },
    }),
  },
  deleteExchangeRate: {
    call: async (f) => ({
      variables: {
        id: (
          await must<{ setExchangeRate: { id: string } }>(
            owner.token!,
            `mutation ($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
            { input: { familyId: f.family, base: 'JPY', quote: 'EUR', rate: '0.0061' } },
          )
        ).setExchangeRate.id,
      },
    }),
  },
  createSchedule: {
    call: (f) => ({
      variables: {
        input: {
          accountId: f.usd,
          kind: 'INCOME',
          amount: '900.00',
          categoryId: f.salary,
          note: 'Pay day',
          rule: { frequency: 'MONTHLY', lastBusinessDay: true, startsOn: scheduleStart },
        },
      },
    }),
  },
  updateSchedule: {
    call: (f) => ({ variables: { id: f.scheduleAuto, input: { paused: false, amount: '16.00' } } }),
  },
  deleteSchedule: {
    call: async (f) => ({
      variables: {
        id: await create('createSchedule', 'CreateScheduleInput', {
          accountId: f.cash,
          kind: 'EXPENSE',
          amount: '1.00',
          rule: { rrule: 'FREQ=YEARLY', startsOn: scheduleStart },
        }),
      },
    }),
  },
  recordScheduledOccurrence: {
    call: (f) => ({ variables: { scheduleId: f.scheduleAsk, occursOn: nextAnswerDay(), amount: '11.50' } }),
  },
  skipScheduledOccurrence: {
    call: (f) => ({ variables: { scheduleId: f.scheduleAsk, occursOn: nextAnswerDay() } }),
  },
  acknowledgeNotifications: {
    call: async () => ({
      variables: {
        ids: (await app.sql<{ id: string }>(`select id::text as id from notification limit 2`)).map(
          (r) => r.id,
        ),
      },
    }),
  },
  // Without ids: every unread notification of the caller.
  markNotificationsRead: { call: () => ({ variables: {} }) },
  changePassword: {
    // A wrong current password: success would end the caller's other sessions, the ones this test uses.
    call: () => ({
      variables: { input: { currentPassword: 'not the password', newPassword: STRONG_PASSWORD } },
    }),
    ownerCode: 'INVALID_CREDENTIALS',
  },
  setLanguage: { call: () => ({ variables: { language: 'ru' } }) },
  // Only through the bot (its credential beside the user's token): a user's own call is refused.
  connectTelegramGroup: {
    call: (f) => ({ variables: { input: { familyId: f.family, chatId: '-1001', title: 'Family' } } }),
    ownerCode: 'FORBIDDEN',
  },
  disconnectTelegramGroup: { call: () => ({ variables: { chatId: '-1001' } }), ownerCode: 'FORBIDDEN' },
  logout: {
    call: async (_f, c) => ({ variables: { everywhere: false }, token: (await freshLogin(c)).accessToken }),
  },
  revokeSession: {
    // A session of its own (signed in for this call), so the sessions this test uses stay.
    call: async (_f, c) => {
      const { accessToken } = await freshLogin(c);
      const { sessions } = await must<{ sessions: { id: string; current: boolean }[] }>(
        accessToken,
        `query { sessions { id current } }`,
        {},
      );
      return { variables: { id: sessions.find((s) => s.current)!.id }, token: accessToken };
    },
  },
  deleteFamily: {
    // A family of its own (the owner's, made for this call), so the fixtures stay.
    call: async () => {
      const { createFamily } = await must<{ createFamily: { id: string } }>(
        owner.token!,
        `mutation ($input: CreateFamilyInput!) { createFamily(input: $input) { id } }`,
        { input: { name: 'Doomed' } },
      );
      return { variables: { familyId: createFamily.id, confirmation: { password: STRONG_PASSWORD } } };
    },
  },
  deleteAccount: {
    // A user of its own, signed in for this call.
    call: async () => ({
      variables: { input: { password: STRONG_PASSWORD } },
      token: (await register('Leaving')).token,
    }),
  },
};

function fresh(firstName: string) {
  return { email: uniqueEmail('everything'), password: STRONG_PASSWORD, firstName, lastName: 'Everything' };
}

const isBotOnly = (operation: OperationTypeNode, name: string) =>
  (schema.getRootType(operation)!.getFields()[name]!.extensions as AccessExtensions).access === 'bot';

const internalErrors: string[] = [];

/** The codes of an answer's errors; every one a catalog code, none INTERNAL_SERVER_ERROR. */
function checkCodes(where: string, result: GqlResult<unknown>): string[] {
  const codes = (result.errors ?? []).map((e) => String(e.extensions?.code));
  if (codes.includes(ErrorCode.INTERNAL_SERVER_ERROR)) internalErrors.push(`${where}: ${result.text}`);
  expect(
    codes.filter((code) => !catalog.has(code) || code === ErrorCode.INTERNAL_SERVER_ERROR),
    `${where}: ${result.text}`,
  ).toEqual([]);
  return codes;
}

describe('every field of every type, from every query and every mutation payload', () => {
  let f: Fixtures;

  beforeAll(async () => {
    mailbox = await startMailbox();
    server = await spawnApi({
      SMTP_URL: mailbox.url,
      NODE_ENV: 'test',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      DATABASE_URL: inject('databaseUrl'),
      // The run's embedded database (admin URL = run URL) serves one connection at a time.
      DATABASE_POOL_MAX: inject('adminDatabaseUrl') === inject('databaseUrl') ? '1' : '5',
      REDIS_URL: realRedis ? TEST_REDIS_URL : '',
      REDIS_KEY_PREFIX: `fftest:${randomUUID()}:`,
      BOT_API_SECRET: botKey,
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
    });
    await waitForHttp(server, '/healthz', 60_000);
    pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
    const o = await register('Owner');
    Object.assign(owner, o);
    const { families } = await must<{ families: { id: string }[] }>(o.token, `{ families { id } }`);
    const family = families[0]!.id;
    const { accounts, categories } = await must<{
      accounts: { id: string; name: string }[];
      categories: { id: string; name: string }[];
    }>(
      o.token,
      `query ($f: ID) { accounts(familyId: $f) { id name } categories(familyId: $f) { id name } }`,
      {
        f: family,
      },
    );
    const category = (name: string) => categories.find((c) => c.name === name)!.id;

    // A Telegram-only member (no email), who pays for things.
    const t = await telegramRegister('Tele');
    await join(t.token, (await inviteCode(o.token, family)).code);

    // The viewer has no default family: it leaves the family that was its default.
    const v = await register('Viewer');
    Object.assign(viewer, v);
    await join(v.token, (await inviteCode(o.token, family, 'VIEWER')).code);
    const x = await register('Other');
    const { createFamily } = await must<{ createFamily: { id: string } }>(
      v.token,
      `mutation { createFamily(input: { name: "Passing through" }) { id } }`,
    );
    await must(v.token, `mutation ($id: ID!) { setDefaultFamily(id: $id) { id } }`, { id: createFamily.id });
    await join(x.token, (await inviteCode(v.token, createFamily.id, 'ADMIN')).code);
    await must(
      v.token,
      `mutation ($f: ID!, $u: ID!) { changeMemberRole(familyId: $f, userId: $u, role: OWNER) { role } }`,
      { f: createFamily.id, u: x.userId },
    );
    await must(v.token, `mutation ($f: ID!) { leaveFamily(familyId: $f) }`, { f: createFamily.id });

    const account = (name: string, type: string, currency: string) =>
      create('createAccount', 'CreateAccountInput', {
        familyId: family,
        name,
        type,
        currency,
        openingBalance: '100.00',
      });
    const usd = await account('Dollars', 'SAVINGS', 'USD');
    const archived = await account('Old card', 'CREDIT_CARD', 'EUR');
    await must(o.token, `mutation ($id: ID!) { updateAccount(id: $id, input: { archived: true }) { id } }`, {
      id: archived,
    });
    const archivedCategory = await create('createCategory', 'CreateCategoryInput', {
      familyId: family,
      kind: 'EXPENSE',
      name: 'Retired',
    });
    await must(o.token, `mutation ($id: ID!) { updateCategory(id: $id, input: { archived: true }) { id } }`, {
      id: archivedCategory,
    });
    const cash = accounts.find((a) => a.name === 'Cash')!.id;
    const budgetAll = await create(
      'createBudget',
      'CreateBudgetInput',
      { familyId: family, amount: '20.00' },
      'budget.id',
    );
    const budgetFood = await create(
      'createBudget',
      'CreateBudgetInput',
      { familyId: family, categoryId: category('Food'), amount: '200.00', currency: 'USD', rollover: true },
      'budget.id',
    );
    await must(
      o.token,
      `mutation ($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
      {
        input: { familyId: family, base: 'USD', quote: 'EUR', rate: '0.9', date: '2020-01-01' },
      },
    );
    const rate = (
      await must<{ setExchangeRate: { id: string } }>(
        o.token,
        `mutation ($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
        { input: { familyId: family, base: 'CHF', quote: 'EUR', rate: '1.05' } },
      )
    ).setExchangeRate.id;
    const transfer = await createTransaction({
      kind: 'TRANSFER',
      amount: '10.00',
      accountId: cash,
      toAccountId: usd,
      toAmount: '11.00',
    });
    // Over the all-spending budget: budget alerts land in the bot's outbox.
    const expense = await createTransaction({
      kind: 'EXPENSE',
      amount: '25.00',
      accountId: cash,
      categoryId: category('Groceries'),
      paidById: t.userId,
      note: 'weekly shop',
      tags: ['food'],
    });
    const uncategorized = await createTransaction({ kind: 'EXPENSE', amount: '2.00', accountId: usd });
    await createTransaction({
      kind: 'INCOME',
      amount: '1000.00',
      accountId: cash,
      categoryId: category('Salary'),
    });
    const goalWithAccount = await create(
      'createGoal',
      'CreateGoalInput',
      { familyId: family, name: 'Trip', target: '500.00', accountId: usd, deadline: '2030-06-30' },
      'goal.id',
    );
    const goalWithout = await create(
      'createGoal',
      'CreateGoalInput',
      { familyId: family, name: 'Bike', target: '300.00' },
      'goal.id',
    );
    await must(
      o.token,
      `mutation ($input: ContributeToGoalInput!) { contributeToGoal(input: $input) { goal { id } } }`,
      {
        input: { goalId: goalWithout, amount: '20.00' },
      },
    );
    // Invites present and revoked.
    await inviteCode(o.token, family);
    await must(o.token, `mutation ($id: ID!) { revokeInvite(id: $id) { id } }`, {
      id: (await inviteCode(o.token, family)).invite.id,
    });
    const scheduleAsk = await create('createSchedule', 'CreateScheduleInput', {
      accountId: cash,
      categoryId: category('Groceries'),
      kind: 'EXPENSE',
      amount: '10.00',
      amountMax: '12.00',
      mode: 'ASK_FIRST',
      note: 'Farm box',
      rule: { frequency: 'DAILY', startsOn: scheduleStart },
    });
    const scheduleAuto = await create('createSchedule', 'CreateScheduleInput', {
      accountId: usd,
      kind: 'EXPENSE',
      amount: '15.00',
      rule: { frequency: 'WEEKLY', interval: 2, weekdays: ['MONDAY'], startsOn: scheduleStart },
    });
    const webhook = await create('createWebhook', 'CreateWebhookInput', webhookInput(family), 'webhook.id');
    // Two deliveries as the log keeps them once settled, so the server's worker leaves them alone.
    const webhookDelivery = randomUUID();
    await app.sql(
      `insert into webhook_delivery (id, endpoint_id, family_id, event_id, event_type, payload, status, attempts,
                                     last_status_code, last_error, queued_at, last_attempt_at, delivered_at)
       values ($1, $2, $3, 'msg_everything1', 'schedule.due', '{}'::jsonb, 'failed', 3, 500, 'HTTP 500', now(), now(), null),
              ($4, $2, $3, 'msg_everything2', 'schedule.due', '{}'::jsonb, 'delivered', 1, 200, null, now(), now(), now())`,
      [webhookDelivery, webhook, family, randomUUID()],
    );
    const otherFamily = (await must<{ families: { id: string }[] }>(x.token, `{ families { id } }`)).families;
    f = {
      family,
      cash,
      usd,
      archived,
      food: category('Food'),
      groceries: category('Groceries'),
      salary: category('Salary'),
      transfer,
      expense,
      uncategorized,
      budgetAll,
      budgetFood,
      goalWithAccount,
      goalWithout,
      rate,
      scheduleAsk,
      scheduleAuto,
      webhook,
      webhookDelivery,
      telegramMember: { userId: t.userId, telegramId: t.telegramId },
      other: { family: otherFamily.find((fam) => fam.id !== createFamily.id)!.id, token: x.token },
    };
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    await mailbox?.close();
  });

  it('the seeded data has every nullable relation both present and absent', async () => {
    const { me } = await must<{ me: { defaultFamily: unknown } }>(
      viewer.token!,
      `{ me { defaultFamily { id } } }`,
    );
    expect(me.defaultFamily).toBeNull();
    const users = await app.sql<{ email: string | null; telegram_id: string | null }>(
      `select u.email, u.telegram_id::text from app_user u join membership m on m.user_id = u.id where m.family_id = $1`,
      [f.family],
    );
    expect(users.some((u) => u.email === null && u.telegram_id !== null)).toBe(true);
    expect(users.some((u) => u.email !== null && u.telegram_id === null)).toBe(true);
  });

  const queryRoot = schema.getQueryType()!;
  for (const name of Object.keys(queryRoot.getFields())) {
    for (const caller of isBotOnly(OperationTypeNode.QUERY, name) ? [viewer, owner, bot] : [viewer, owner]) {
      it(`query ${name} as ${caller.role}`, async () => {
        const calls = (await QUERIES[name]?.(f)) ?? [{}];
        const takesFamily = queryRoot.getFields()[name]!.args.some((arg) => arg.name === 'familyId');
        for (const variables of calls.map((v) => (takesFamily ? { familyId: f.family, ...v } : v))) {
          const where = `query ${name} as ${caller.role} with ${JSON.stringify(variables)}`;
          const result = await send(caller, documentFor(OperationTypeNode.QUERY, name, variables), variables);
          const codes = checkCodes(where, result);
          // Only a viewer may meet refusals (invites are for admins), and the bot's field refuses users.
          if (caller.role === 'owner' && !isBotOnly(OperationTypeNode.QUERY, name))
            expect(codes, `${where}: ${result.text}`).toEqual([]);
          if (caller.role === 'bot') expect(codes, `${where}: ${result.text}`).toEqual([]);
        }
      });
    }
  }

  const mutationRoot = schema.getMutationType()!;
  it('has variables for every mutation in the schema', () => {
    expect(Object.keys(mutationRoot.getFields()).filter((name) => MUTATIONS[name] === undefined)).toEqual([]);
  });

  for (const [name, entry] of Object.entries(MUTATIONS)) {
    const botOnly =
      mutationRoot.getFields()[name] !== undefined && isBotOnly(OperationTypeNode.MUTATION, name);
    for (const caller of botOnly ? [viewer, bot] : [viewer, owner]) {
      it(`mutation ${name} as ${caller.role}`, async () => {
        expect(mutationRoot.getFields()[name], `${name} is not a mutation of the schema`).toBeDefined();
        const { variables, token } = await entry.call(f, caller);
        const where = `mutation ${name} as ${caller.role} with ${JSON.stringify(variables)}`;
        const result = await send(
          caller,
          documentFor(OperationTypeNode.MUTATION, name, variables),
          variables,
          token,
        );
        const codes = checkCodes(where, result);
        if (caller.role !== 'viewer')
          expect(codes, `${where}: ${result.text}`).toEqual(
            entry.ownerCode === undefined ? [] : [entry.ownerCode],
          );
        // The user a sign-in answers with is the caller's own: its default family shows.
        if (caller.role === 'owner' && (name === 'login' || name === 'refreshToken')) {
          const user = (result.data?.[name] as { user: { defaultFamily: unknown } }).user;
          expect(user.defaultFamily, `${where}: ${result.text}`).not.toBeNull();
        }
      });
    }
  }

  it('selected every field of every reachable type, and nothing answered INTERNAL_SERVER_ERROR', () => {
    expect([...reachablePairs(schema)].filter((pair) => !selected.has(pair))).toEqual([]);
    expect(internalErrors).toEqual([]);
  });
});
