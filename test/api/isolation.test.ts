import 'reflect-metadata';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  getNamedType,
  OperationTypeNode,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessExtensions } from '../../src/graphql/access.js';
import { createSchema } from '../../src/schema.js';
import { addDays } from '../../src/shared/dates.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  fromFreshClient,
  startTestApp,
  type GqlResult,
  type TestApp,
} from '../helpers/app.js';
import { login, registerUser } from '../helpers/auth.js';
import { budgetAlertsSettled } from '../helpers/finance.js';

/**
 * A2: no identifier from family B is usable by a member of family A. The cases are generated from the
 * schema: one per ID argument (root argument or input field, recursively) of every Query and Mutation
 * field. Each case calls the field as A with B's object at that one place and A's own, valid values
 * everywhere else, then checks the answer (NOT_FOUND, naming the field for a reference inside an input;
 * an empty list for a list filter), that nothing of B's leaks into the response, and that no row of B's
 * (or pointing at B's) and no row of A's family changed. The same call with A's own object must then
 * succeed, which proves that B's id was the only thing wrong with the call.
 */

type Kind =
  | 'family'
  | 'account'
  | 'category'
  | 'transaction'
  | 'invite'
  | 'member'
  | 'budget'
  | 'goal'
  | 'exchangeRate'
  | 'notification'
  | 'telegramUser'
  | 'telegramChat'
  | 'session'
  | 'telegramGroup'
  | 'schedule'
  | 'accessToken'
  | 'webhook'
  | 'webhookDelivery';

/**
 * One family's objects, one of each kind, plus a second account. `member` is a user of the family;
 * `telegramUser` and `telegramChat` are the Telegram ids of a member who signed up through the bot.
 */
type FamilyObjects = Record<Kind, string> & { wallet: string };

/** What an ID argument or input field refers to, by its name, wherever it appears. */
const ID_BY_NAME: Record<string, Kind> = {
  familyId: 'family',
  accountId: 'account',
  toAccountId: 'account',
  categoryId: 'category',
  parentId: 'category',
  paidById: 'member',
  userId: 'member',
  goalId: 'goal',
  scheduleId: 'schedule',
  webhookId: 'webhook',
  deliveryId: 'webhookDelivery',
  telegramId: 'telegramUser',
  chatId: 'telegramChat',
};

/** ID arguments whose name alone does not tell (lists of references, for instance). */
const ID_BY_PLACE: Record<string, Kind> = {
  'acknowledgeNotifications(ids)': 'notification',
  'markNotificationsRead(ids)': 'notification',
  'telegramGroup(chatId)': 'telegramGroup',
  'connectTelegramGroup(input.chatId)': 'telegramGroup',
  'disconnectTelegramGroup(chatId)': 'telegramGroup',
};

/**
 * User fields that also want the bot's credential beside the user's token (the bot vouches it saw the
 * user do this in Telegram): the attack and the control both carry it, so only B's id can be wrong.
 */
const WITH_BOT_CREDENTIAL = new Set(['connectTelegramGroup', 'disconnectTelegramGroup']);

/** What a root field's `id` argument refers to. */
const ID_BY_FIELD: Record<string, Kind> = {
  family: 'family',
  updateFamily: 'family',
  setDefaultFamily: 'family',
  account: 'account',
  updateAccount: 'account',
  updateCategory: 'category',
  deleteCategory: 'category',
  transaction: 'transaction',
  updateTransaction: 'transaction',
  deleteTransaction: 'transaction',
  revokeInvite: 'invite',
  budget: 'budget',
  updateBudget: 'budget',
  deleteBudget: 'budget',
  goal: 'goal',
  updateGoal: 'goal',
  deleteGoal: 'goal',
  deleteExchangeRate: 'exchangeRate',
  revokeSession: 'session',
  updateSchedule: 'schedule',
  deleteSchedule: 'schedule',
  revokeAccessToken: 'accessToken',
  updateWebhook: 'webhook',
  deleteWebhook: 'webhook',
};

/** Lists of ids that narrow a listing: another family's id matches nothing, so the answer is an empty list. */
const LIST_FILTERS: Record<string, Kind> = {
  'transactions(filter.accountIds)': 'account',
  'transactions(filter.categoryIds)': 'category',
  'transactions(filter.memberIds)': 'member',
};

type Args = Record<string, unknown>;

/**
 * Valid values from A's family for arguments the generic filler cannot guess (it fills required
 * arguments by type, ID paths from A's objects, and every `familyId` with A's family). `target` is the
 * path under test, e.g. `input.toAccountId`. Every mutation with an ID inside an input object has an
 * entry (`() => ({})` when the filler suffices): a new one fails the completeness check until it has one.
 */
const VALID_ARGS: Record<string, (a: FamilyObjects, target: string) => Args> = {
  bindingStart: () => ({}),
  contributeToGoal: () => ({}),
  createAccessToken: () => ({
    input: {
      name: 'Isolation token',
      scopes: ['READ'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
  }),
  createAccount: () => ({ input: { name: 'Isolation account', type: 'CASH' } }),
  createBudget: (a) => ({ input: { categoryId: a.category, amount: '10.00' } }),
  createGoal: () => ({ input: { name: 'Isolation goal', target: '10.00' } }),
  createInvite: () => ({}),
  telegramRegister: () => ({}),
  connectTelegramGroup: () => ({ input: { title: 'Isolation group' } }),
  createTransaction: (a, target) =>
    target === 'input.toAccountId'
      ? { input: { kind: 'TRANSFER', accountId: a.wallet, amount: '5.00' } }
      : { input: { kind: 'EXPENSE', amount: '5.00' } },
  updateTransaction: (a, target) => {
    if (target === 'input.accountId') return { input: { amount: '5.00' } };
    if (target === 'input.toAccountId')
      return { input: { kind: 'TRANSFER', accountId: a.wallet, amount: '5.00', clearCategory: true } };
    return { input: { note: 'changed by the isolation test' } };
  },
  createCategory: () => ({ input: { kind: 'EXPENSE' } }),
  updateAccount: () => ({ input: { name: 'Renamed by the isolation test', openingBalance: '1.00' } }),
  updateCategory: () => ({ input: { name: 'Renamed by the isolation test' } }),
  updateFamily: () => ({ input: { name: 'Renamed by the isolation test' } }),
  updateBudget: () => ({ input: { amount: '1.00' } }),
  updateGoal: () => ({ input: { name: 'Renamed by the isolation test' } }),
  changeMemberRole: () => ({ role: 'ADMIN' }),
  setExchangeRate: () => ({ input: { base: 'USD', quote: 'EUR', rate: '1.1' } }),
  createSchedule: () => ({
    input: { kind: 'EXPENSE', amount: '5.00', rule: { frequency: 'DAILY', startsOn: scheduleStart } },
  }),
  updateSchedule: () => ({ input: { note: 'changed by the isolation test' } }),
  recordScheduledOccurrence: () => ({ occursOn: scheduleStart }),
  skipScheduledOccurrence: () => ({ occursOn: scheduleStart }),
  // A's password (registerUser's): the control deletes the fresh family it was given.
  deleteFamily: () => ({ confirmation: { password: STRONG_PASSWORD } }),
  createWebhook: () => ({ input: { url: WEBHOOK_URL, events: ['SCHEDULE_DUE'] } }),
};

type Expectation = 'not-found' | 'not-found-field' | 'empty' | 'bot-only';

const EXPECTATION_TEXT: Record<Expectation, string> = {
  'not-found': 'NOT_FOUND',
  'not-found-field': 'NOT_FOUND naming the field',
  empty: 'an empty list',
  // T1: a bot-only field answers any user token with FORBIDDEN, whatever the id; A reaches nothing.
  'bot-only': 'FORBIDDEN (bot only)',
};

interface IdPath {
  path: string[];
  list: boolean;
  /** Set when the generator cannot address this path (an ID inside a list of input objects). */
  unsupported?: string;
}

interface Case {
  title: string;
  operation: OperationTypeNode;
  field: string;
  target: IdPath;
  kind: Kind | undefined;
  expectation: Expectation;
  /** Why this case cannot be run: it fails with this message. */
  problem: string | undefined;
}

const ROOTS = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION];

const label = (field: string, path: string[]) => `${field}(${path.join('.')})`;

/** Every ID-typed place in a field's arguments: root arguments and input fields, recursively. */
function idPaths(field: GraphQLField<unknown, unknown>): IdPath[] {
  const found: IdPath[] = [];
  const walk = (type: GraphQLInputType, path: string[], inList: boolean, seen: Set<string>) => {
    let inner = isNonNullType(type) ? type.ofType : type;
    let list = false;
    if (isListType(inner)) {
      list = true;
      inner = isNonNullType(inner.ofType) ? inner.ofType.ofType : inner.ofType;
    }
    const named = getNamedType(inner);
    if (isScalarType(named) && named.name === 'ID') {
      found.push({
        path,
        list,
        ...(inList && { unsupported: 'an ID inside a list of input objects; extend the generator' }),
      });
    } else if (isInputObjectType(named) && !seen.has(named.name)) {
      for (const child of Object.values(named.getFields()))
        walk(child.type, [...path, child.name], inList || list, new Set([...seen, named.name]));
    }
  };
  for (const arg of field.args) walk(arg.type, [arg.name], false, new Set());
  return found;
}

function kindOf(field: string, path: string[], list: boolean): Kind | undefined {
  const placed = LIST_FILTERS[label(field, path)] ?? ID_BY_PLACE[label(field, path)];
  if (placed !== undefined) return placed;
  if (list) return undefined;
  const name = path.at(-1)!;
  if (name === 'id') return path.length === 1 ? ID_BY_FIELD[field] : undefined;
  return ID_BY_NAME[name];
}

function generateCases(schema: GraphQLSchema): Case[] {
  const cases: Case[] = [];
  for (const operation of ROOTS) {
    const root = schema.getRootType(operation);
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const target of idPaths(field)) {
        const where = label(field.name, target.path);
        const kind = kindOf(field.name, target.path, target.list);
        const expectation: Expectation =
          (field.extensions as AccessExtensions).access === 'bot'
            ? 'bot-only'
            : LIST_FILTERS[where] !== undefined
              ? 'empty'
              : target.path.length === 1
                ? 'not-found'
                : 'not-found-field';
        const problem =
          target.unsupported !== undefined
            ? `${operation} ${where}: ${target.unsupported}`
            : kind === undefined
              ? `${operation} ${where} takes an ID that the isolation table does not map to an object kind: ` +
                `add it to ID_BY_NAME, ID_BY_FIELD, ID_BY_PLACE or LIST_FILTERS in test/api/isolation.test.ts`
              : undefined;
        cases.push({
          title: `${operation} ${where} with B's ${kind ?? '(unmapped)'} -> ${EXPECTATION_TEXT[expectation]}`,
          operation,
          field: field.name,
          target,
          kind,
          expectation,
          problem,
        });
      }
    }
  }
  return cases;
}

const schema = await createSchema();
const cases = generateCases(schema);
/** Mutations with an ID inside an input object: each needs its base input in VALID_ARGS. */
const mutationsWithInputIds = cases
  .filter((c) => c.operation === OperationTypeNode.MUTATION && c.target.path.length > 1)
  .map((c) => c.field)
  .filter((field, i, all) => all.indexOf(field) === i);
const idTakingFields = ROOTS.flatMap((operation) =>
  Object.values(schema.getRootType(operation)?.getFields() ?? {})
    .filter((field) => idPaths(field).length > 0)
    .map((field) => field.name),
);

function rootField(c: Case): GraphQLField<unknown, unknown> {
  return schema.getRootType(c.operation)!.getFields()[c.field]!;
}

const today = new Date().toISOString().slice(0, 10);
/**
 * A public (documentation-range) address: accepted without a DNS lookup. The fixtures' webhooks hear only
 * of schedules coming due, which none does while a case watches.
 */
const WEBHOOK_URL = 'http://203.0.113.7/hook';
/** Schedules start well ahead, so no job posts anything into a family while a case watches it. */
const scheduleStart = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);

/** A valid value of an input type, from A's objects for IDs; required input fields only. */
function sample(type: GraphQLInputType, field: string, path: string[], a: FamilyObjects): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [sample(inner.ofType, field, path, a)];
  if (isEnumType(inner)) return inner.getValues()[0]!.name;
  if (isInputObjectType(inner)) {
    const value: Args = {};
    for (const child of Object.values(inner.getFields())) {
      if (isNonNullType(child.type) && child.defaultValue === undefined)
        value[child.name] = sample(child.type, field, [...path, child.name], a);
    }
    return value;
  }
  if (inner.name === 'ID') {
    const kind = kindOf(field, path, false);
    if (kind === undefined) throw new Error(`${label(field, path)}: required ID with no object kind`);
    return a[kind];
  }
  const scalars: Record<string, unknown> = {
    String: 'Isolation check',
    Int: 1,
    Float: 1,
    Boolean: false,
    Decimal: '10.00',
    Currency: 'EUR',
    LocalDate: today,
    DateTimeISO: new Date().toISOString(),
  };
  if (!(inner.name in scalars)) throw new Error(`${label(field, path)}: no sample value for ${inner.name}`);
  return scalars[inner.name];
}

function setPath(target: Args, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Args;
  }
  node[path.at(-1)!] = value;
}

function merge(target: Args, source: Args): Args {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value !== null && typeof value === 'object' && current !== null && typeof current === 'object')
      merge(current as Args, value as Args);
    else target[key] = value;
  }
  return target;
}

/** The arguments of a case: A's valid values everywhere, `targetId` at the path under test. */
function argumentsFor(c: Case, a: FamilyObjects, targetId: string): Args {
  const field = rootField(c);
  const args: Args = {};
  for (const arg of field.args) {
    if (isNonNullType(arg.type) && arg.defaultValue === undefined)
      args[arg.name] = sample(arg.type, c.field, [arg.name], a);
  }
  for (const { path } of idPaths(field)) if (path.at(-1) === 'familyId') setPath(args, path, a.family);
  merge(args, VALID_ARGS[c.field]?.(a, c.target.path.join('.')) ?? {});
  setPath(args, c.target.path, c.target.list ? [targetId] : targetId);
  return args;
}

/** Every field of the result (arguments-free ones), `levels` levels deep. */
function selection(type: GraphQLOutputType, levels: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '__typename';
  const parts = ['__typename'];
  for (const child of Object.values(named.getFields())) {
    if (child.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    if (isLeafType(getNamedType(child.type))) parts.push(child.name);
    else if (levels > 1) parts.push(`${child.name} { ${selection(child.type, levels - 1)} }`);
  }
  return parts.join(' ');
}

function operationFor(c: Case, args: Args): string {
  const field = rootField(c);
  const present = field.args.filter((arg) => args[arg.name] !== undefined);
  const variables = present.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = present.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  // The bot's answers carry a user's tokens and are for the bot: their own fields are enough.
  const fields = selection(field.type, c.expectation === 'bot-only' ? 1 : 3);
  return (
    `${c.operation} Isolation${variables === '' ? '' : `(${variables})`} ` +
    `{ ${c.field}${call === '' ? '' : `(${call})`}${fields === '' ? '' : ` { ${fields} }`} }`
  );
}

/** The items a listing returned: the list itself, or a connection's edges. */
function listedItems(value: unknown, field: string): unknown[] {
  if (Array.isArray(value)) return value;
  const edges = (value as { edges?: unknown } | null)?.edges;
  if (Array.isArray(edges)) return edges;
  throw new Error(`${field}: cannot tell which items this result lists`);
}

const codesOf = (result: GqlResult<unknown>) => (result.errors ?? []).map((e) => e.extensions?.code);

/** Family-scoped tables that are work queues, empty once their rows are worked off. */
const QUEUES = new Set(['budget_alert_check']);

describe('A2 family isolation: a member of family A calls every ID-taking field with family B ids', () => {
  const botKey = randomBytes(32).toString('base64url');
  let app: TestApp;
  let tokenA: string;
  let credentialsA: { email: string; password: string };
  let tokenA2: string;
  let userA2: string;
  /** A's Telegram-only user (signed up through the bot), for the bot-only fields' controls. */
  let telegramA: { telegramUser: string; telegramChat: string };
  let b: FamilyObjects;
  /** Every id of B's: its family, its members, their Telegram ids, and every row with its family_id. */
  let bIds: string[];
  /** Strings of B's that must never appear in an answer to A. */
  let bSecrets: string[];
  /** Table -> columns holding ids (`id` and `*_id`): the rows of B's, or pointing at B's, are watched. */
  let idColumns: Map<string, string[]>;
  let familyScopedTables: string[];

  const must = async <T>(token: string | null, query: string, variables: Args): Promise<T> => {
    const result = await app.gql<T>(
      query,
      variables,
      token === null ? { headers: { 'x-bot-key': botKey } } : { token },
    );
    if (result.errors !== undefined || result.data == null)
      throw new Error(`fixture ${query.slice(0, 80)} failed: ${result.text}`);
    return result.data;
  };

  /** A user who signs up through the bot, with a Telegram user id and chat id of its own. */
  const telegramUser = async () => {
    const telegramId = String(randomInt(1_000_000_000, 2 ** 47));
    const { telegramRegister } = await must<{
      telegramRegister: { accessToken: string; user: { id: string } };
    }>(
      null,
      `mutation ($input: TelegramRegisterInput!) { telegramRegister(input: $input) { accessToken user { id } } }`,
      { input: { telegramId, chatId: telegramId, firstName: 'Telegram' } },
    );
    return { telegramId, token: telegramRegister.accessToken, userId: telegramRegister.user.id };
  };

  const join = async (ownerToken: string, family: string, joinerToken: string, role = 'MEMBER') => {
    const { createInvite } = await must<{ createInvite: { code: string } }>(
      ownerToken,
      `mutation ($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
      { input: { familyId: family, role } },
    );
    await must(joinerToken, `mutation ($code: String!) { joinFamily(code: $code) { id } }`, {
      code: createInvite.code,
    });
  };

  /** One object of each family-owned kind in `family`, created through the API; labels carry `tag`. */
  const createObjects = async (token: string, family: string, member: string, tag: string) => {
    const account = async (name: string, type: string) =>
      (
        await must<{ createAccount: { id: string } }>(
          token,
          `mutation ($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
          { input: { familyId: family, name, type, openingBalance: '100.00' } },
        )
      ).createAccount.id;
    const savings = await account(`${tag} savings`, 'SAVINGS');
    const wallet = await account(`${tag} wallet`, 'CASH');
    const category = (
      await must<{ createCategory: { id: string } }>(
        token,
        `mutation ($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`,
        { input: { familyId: family, name: `${tag} groceries`, kind: 'EXPENSE' } },
      )
    ).createCategory.id;
    // Before the transaction, which goes over it: the budget alerts land in the notification outbox.
    const budget = (
      await must<{ createBudget: { budget: { id: string } } }>(
        token,
        `mutation ($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`,
        { input: { familyId: family, categoryId: category, amount: '10.00' } },
      )
    ).createBudget.budget.id;
    const transaction = (
      await must<{ createTransaction: { id: string } }>(
        token,
        `mutation ($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
        {
          input: {
            accountId: savings,
            amount: '12.34',
            kind: 'EXPENSE',
            categoryId: category,
            paidById: member,
            note: `${tag} shopping`,
          },
        },
      )
    ).createTransaction.id;
    const invite = (
      await must<{ createInvite: { invite: { id: string } } }>(
        token,
        `mutation ($input: CreateInviteInput!) { createInvite(input: $input) { invite { id } } }`,
        { input: { familyId: family } },
      )
    ).createInvite.invite.id;
    const goal = (
      await must<{ createGoal: { goal: { id: string } } }>(
        token,
        `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }`,
        { input: { familyId: family, name: `${tag} holiday`, target: '500.00' } },
      )
    ).createGoal.goal.id;
    await must(
      token,
      `mutation ($input: ContributeToGoalInput!) { contributeToGoal(input: $input) { saved { amount } } }`,
      { input: { goalId: goal, amount: '5.00', note: `${tag} savings` } },
    );
    const exchangeRate = (
      await must<{ setExchangeRate: { id: string } }>(
        token,
        `mutation ($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
        { input: { familyId: family, base: 'USD', quote: 'EUR', rate: '0.9' } },
      )
    ).setExchangeRate.id;
    const telegramGroup = `-100${randomInt(100_000_000, 999_999_999)}`;
    const connected = await app.gql(
      `mutation ($input: ConnectTelegramGroupInput!) { connectTelegramGroup(input: $input) { id } }`,
      { input: { familyId: family, chatId: telegramGroup, title: `${tag} group` } },
      { token, headers: { 'x-bot-key': botKey } },
    );
    if (connected.errors !== undefined)
      throw new Error(`fixture connectTelegramGroup failed: ${connected.text}`);
    const schedule = (
      await must<{ createSchedule: { id: string } }>(
        token,
        `mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }`,
        {
          input: {
            accountId: wallet,
            categoryId: category,
            kind: 'EXPENSE',
            amount: '30.00',
            mode: 'ASK_FIRST',
            note: `${tag} rent`,
            rule: { frequency: 'DAILY', startsOn: scheduleStart },
          },
        },
      )
    ).createSchedule.id;
    // An answered occurrence ahead of its day: the family has a row of each schedule table.
    await must(
      token,
      `mutation ($s: ID!, $d: LocalDate!) { skipScheduledOccurrence(scheduleId: $s, occursOn: $d) { id } }`,
      { s: schedule, d: addDays(scheduleStart, 1) },
    );
    const accessToken = (
      await must<{ createAccessToken: { token: { id: string } } }>(
        token,
        `mutation ($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { token { id } } }`,
        {
          input: {
            familyId: family,
            name: `${tag} sync`,
            scopes: ['READ'],
            expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          },
        },
      )
    ).createAccessToken.token.id;
    const webhook = (
      await must<{ createWebhook: { webhook: { id: string } } }>(
        token,
        `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
        {
          input: { familyId: family, url: WEBHOOK_URL, events: ['SCHEDULE_DUE'], description: `${tag} hook` },
        },
      )
    ).createWebhook.webhook.id;
    // A delivery as the log keeps it once delivered: settled, so no worker of any test app touches it.
    const webhookDelivery = randomUUID();
    await app.sql(
      `insert into webhook_delivery (id, endpoint_id, family_id, event_id, event_type, payload, status, attempts,
                                     last_status_code, queued_at, last_attempt_at, delivered_at)
       values ($1, $2, $3, 'msg_isolation', 'schedule.due', '{}'::jsonb, 'delivered', 1, 200, now(), now(), now())`,
      [webhookDelivery, webhook, family],
    );
    await budgetAlertsSettled(app, family);
    const alerts = await app.sql<{ id: string }>(
      `select id::text as id from notification where family_id = $1 order by seq limit 1`,
      [family],
    );
    if (alerts[0] === undefined) throw new Error(`fixture: no budget alert in the outbox of ${tag}`);
    return {
      family,
      account: savings,
      wallet,
      category,
      transaction,
      invite,
      member,
      budget,
      goal,
      exchangeRate,
      telegramGroup,
      schedule,
      accessToken,
      webhook,
      webhookDelivery,
      notification: alerts[0].id,
    };
  };

  /**
   * A fresh family of A's for one case, so a control call may delete or leave. A2 joins and is made a
   * second owner, so demoting or removing A2, and A leaving, are all allowed.
   */
  const freshFamilyOfA = async (): Promise<FamilyObjects> => {
    const family = (
      await must<{ createFamily: { id: string } }>(
        tokenA,
        `mutation ($input: CreateFamilyInput!) { createFamily(input: $input) { id } }`,
        { input: { name: 'A isolation family' } },
      )
    ).createFamily.id;
    await join(tokenA, family, tokenA2, 'ADMIN');
    await must(
      tokenA,
      `mutation ($f: ID!, $u: ID!) { changeMemberRole(familyId: $f, userId: $u, role: OWNER) { role } }`,
      { f: family, u: userA2 },
    );
    // A's session for the revokeSession control is made by that case alone: a sign-in per case is slow.
    return { ...(await createObjects(tokenA, family, userA2, 'A')), ...telegramA, session: '' };
  };

  /** A new session of a user (signing in again, as from another device): its id. */
  const newSession = async (credentials: { email: string; password: string }): Promise<string> => {
    const result = await login(app, credentials.email, credentials.password, fromFreshClient());
    if (result.data?.login == null) throw new Error(`fixture login failed: ${result.text}`);
    const sessions = await must<{ sessions: { id: string; current: boolean }[] }>(
      result.data.login.accessToken,
      `query { sessions { id current } }`,
      {},
    );
    return sessions.sessions.find((session) => session.current)!.id;
  };

  /** B's rows and every row pointing at one of B's ids, as JSON, per table. */
  const snapshotB = async (): Promise<Record<string, unknown[]>> => {
    const snapshot: Record<string, unknown[]> = {};
    for (const [table, columns] of idColumns) {
      const where = columns.map((column) => `"${column}"::text = any($1::text[])`).join(' or ');
      const rows = await app.sql<{ row: unknown }>(
        `select to_jsonb(t) as row from "${table}" t where ${where} order by to_jsonb(t)::text`,
        [bIds],
      );
      snapshot[table] = rows.map((r) => r.row);
    }
    return snapshot;
  };

  /** Every row of one of A's families, per family-scoped table (balances included). */
  const snapshotFamily = async (family: string): Promise<Record<string, unknown[]>> => {
    const snapshot: Record<string, unknown[]> = {};
    for (const table of ['family', ...familyScopedTables]) {
      const rows = await app.sql<{ row: unknown }>(
        `select to_jsonb(t) as row from "${table}" t where ${table === 'family' ? 'id' : 'family_id'} = $1
          order by to_jsonb(t)::text`,
        [family],
      );
      snapshot[table] = rows.map((r) => r.row);
    }
    return snapshot;
  };

  beforeAll(async () => {
    app = await startTestApp({ BOT_API_SECRET: botKey, TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    const userB = await registerUser(app);
    const userA = await registerUser(app);
    const a2 = await registerUser(app);
    tokenA = userA.accessToken;
    credentialsA = userA;
    tokenA2 = a2.accessToken;
    userA2 = a2.user.id;
    const tA = await telegramUser();
    telegramA = { telegramUser: tA.telegramId, telegramChat: tA.telegramId };

    const marker = `bsecret${randomBytes(6).toString('hex')}`;
    const familyB = (
      await must<{ families: { id: string }[] }>(userB.accessToken, `query { families { id } }`, {})
    ).families[0]!.id;
    await must(
      userB.accessToken,
      `mutation ($id: ID!, $input: UpdateFamilyInput!) { updateFamily(id: $id, input: $input) { id } }`,
      { id: familyB, input: { name: `B family ${marker}` } },
    );
    // B's family has a second member who uses the bot: its Telegram ids are B's identifiers too.
    const tB = await telegramUser();
    await join(userB.accessToken, familyB, tB.token);
    b = {
      ...(await createObjects(userB.accessToken, familyB, userB.user.id, `B ${marker}`)),
      telegramUser: tB.telegramId,
      telegramChat: tB.telegramId,
      session: await newSession(userB),
    };

    const columns = await app.sql<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name
         from information_schema.columns c
         join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
          and (c.column_name = 'id' or c.column_name like '%\\_id')
        order by c.table_name, c.column_name`,
    );
    idColumns = new Map();
    for (const { table_name, column_name } of columns)
      idColumns.set(table_name, [...(idColumns.get(table_name) ?? []), column_name]);
    familyScopedTables = columns.filter((c) => c.column_name === 'family_id').map((c) => c.table_name);

    bIds = [familyB, userB.user.id, tB.userId, tB.telegramId, b.telegramGroup];
    for (const table of familyScopedTables) {
      if (!idColumns.get(table)!.includes('id')) continue;
      const rows = await app.sql<{ id: string }>(
        `select id::text as id from "${table}" where family_id = $1`,
        [familyB],
      );
      bIds.push(...rows.map((r) => r.id));
    }
    bSecrets = [marker, userB.email];
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('generates a case for every Query and Mutation field that takes an ID', () => {
    expect(idTakingFields.length).toBeGreaterThan(0);
    expect(cases.length).toBeGreaterThanOrEqual(idTakingFields.length);
    expect(idTakingFields.filter((field) => !cases.some((c) => c.field === field))).toEqual([]);
  });

  it('has a valid base input for every mutation with an ID inside its input', () => {
    expect(mutationsWithInputIds).toEqual(expect.arrayContaining(['createTransaction', 'createBudget']));
    expect(mutationsWithInputIds.filter((field) => VALID_ARGS[field] === undefined)).toEqual([]);
  });

  it("watches every family-scoped table: family B has rows in each, and they are in B's snapshot", async () => {
    expect(familyScopedTables).toEqual(
      expect.arrayContaining(['membership', 'invite', 'account', 'category', 'ledger_transaction']),
    );
    const snapshot = await snapshotB();
    expect(snapshot.family).toHaveLength(1);
    expect(
      familyScopedTables.filter((table) => !QUEUES.has(table) && (snapshot[table] ?? []).length === 0),
    ).toEqual([]);
  });

  for (const c of cases) {
    it(c.title, async () => {
      if (c.problem !== undefined) throw new Error(c.problem);
      const kind = c.kind!;
      const a = await freshFamilyOfA();
      if (kind === 'session') a.session = await newSession(credentialsA);
      const before = await snapshotB();
      const beforeA = await snapshotFamily(a.family);

      const attackArgs = argumentsFor(c, a, b[kind]);
      const bot = WITH_BOT_CREDENTIAL.has(c.field) ? { headers: { 'x-bot-key': botKey } } : {};
      const attack = await app.gql<Record<string, unknown>>(operationFor(c, attackArgs), attackArgs, {
        token: tokenA,
        ...bot,
      });
      const others = new Set(bIds.filter((id) => id !== b[kind]));
      const leaked = [...bSecrets, ...others].filter((secret) => attack.text.includes(secret));
      expect(leaked, `B's data in the answer: ${attack.text}`).toEqual([]);
      if (c.expectation === 'bot-only') {
        expect(codesOf(attack), attack.text).toEqual(['FORBIDDEN']);
        expect(attack.data?.[c.field] ?? null, attack.text).toBeNull();
      } else if (c.expectation === 'empty') {
        expect(attack.errors, attack.text).toBeUndefined();
        expect(listedItems(attack.data?.[c.field], c.field)).toEqual([]);
      } else {
        expect(attack.data?.[c.field] ?? null, attack.text).toBeNull();
        expect(codesOf(attack), attack.text).toEqual(['NOT_FOUND']);
        if (c.expectation === 'not-found-field')
          expect(attack.errors![0]!.extensions?.field, attack.text).toBe(c.target.path.join('.'));
      }
      expect(await snapshotB(), "B's rows changed").toEqual(before);
      expect(await snapshotFamily(a.family), "A's rows changed").toEqual(beforeA);

      // Control: the very same call with A's own object succeeds (bot-only fields: with the bot's
      // credential instead of A's token), so B's id was the only thing wrong with the call.
      const controlArgs = argumentsFor(c, a, a[kind]);
      const control = await app.gql<Record<string, unknown>>(
        operationFor(c, controlArgs),
        controlArgs,
        c.expectation === 'bot-only' ? { headers: { 'x-bot-key': botKey } } : { token: tokenA, ...bot },
      );
      expect(control.errors, `control with A's own ${kind} failed: ${control.text}`).toBeUndefined();
      if (c.expectation === 'empty') expect(listedItems(control.data?.[c.field], c.field)).not.toEqual([]);
      else expect(control.data?.[c.field], control.text).toBeTruthy();
    });
  }
});
