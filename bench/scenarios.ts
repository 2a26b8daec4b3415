import type { SeededFamily } from './lib/seed.js';
import { BENCH_PASSWORD } from './lib/seed.js';
import type { RequestSpec, Target } from './lib/load.js';

/**
 * The five API scenarios of the issue, each an app request and the hand-written baselines that give the
 * same answer. Reads rotate over the seeded families (request n uses family n mod 10) on both sides.
 */

export interface BenchContext {
  appUrl: string;
  rawUrl: string;
  apolloUrl: string;
  families: SeededFamily[];
  /** Access token of each family's owner, same index as `families`. */
  tokens: string[];
  /** A personal access token (READ) of each family's owner for that family, same index as `families`. */
  personalTokens: string[];
  /** The report month: the last full calendar month. */
  month: { from: string; to: string };
  /** Unique per run, for idempotency keys. */
  runTag: string;
}

export interface Scenario {
  name: 'a' | 'b' | 'c' | 'd' | 'e' | 'f';
  title: string;
  connections: number;
  app(ctx: BenchContext): RequestSpec;
  baselines(ctx: BenchContext): Target[];
  /** The baseline the target is measured against, and the minimum ratio app / baseline. */
  reference: string;
  target: number;
  /** Which answer to compare across sides before the load (same data, same shape). */
  probe?: (ctx: BenchContext) => { app: RequestSpec; baselines: Record<string, RequestSpec> };
}

export const ACCOUNTS_QUERY = `query Accounts { accounts { id name type currency archived balance { amount currency } } }`;

export const NEWEST_QUERY = `query Newest {
  transactions(first: 50) {
    edges { node { id kind occurredOn amount { amount currency } note account { id name } category { id name } createdBy { id firstName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SPENDING_QUERY = `query Spending($from: LocalDate, $to: LocalDate) {
  spendingByCategory(from: $from, to: $to) {
    period { start end }
    total { amount currency }
    categories {
      category { id name }
      spent { amount currency }
      budget { available { amount currency } spent { amount currency } percentUsed }
    }
    missingRates
  }
}`;

export const LOGIN_MUTATION = `mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`;

export const CREATE_MUTATION = `mutation Create($input: CreateTransactionInput!) {
  createTransaction(input: $input) { id kind occurredOn amount { amount currency } account { id balance { amount currency } } }
}`;

const graphql = (query: string, variables: Record<string, unknown> = {}) =>
  JSON.stringify({ query, variables });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A request whose caller (and so family) rotates over the seeded families. */
function rotating(
  ctx: BenchContext,
  spec: Omit<RequestSpec, 'perRequest'>,
  tokens: string[] = ctx.tokens,
): RequestSpec {
  return { ...spec, perRequest: (n) => ({ headers: bearer(tokens[n % tokens.length]!) }) };
}

/** Documentation range (RFC 3849): a distinct client address per login, so per-IP limits never bind. */
const clientAddress = (n: number) => `2001:db8::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

const monthQuery = (ctx: BenchContext) => `/spending?from=${ctx.month.from}&to=${ctx.month.to}`;

const expenseInput = (ctx: BenchContext, n: number) => {
  const family = ctx.families[n % ctx.families.length]!;
  return {
    family: n % ctx.families.length,
    input: {
      kind: 'EXPENSE',
      amount: '12.34',
      accountId: family.accounts[0]!,
      categoryId: family.categories.get('Groceries')!,
      idempotencyKey: `bench-${ctx.runTag}-${n}`,
    },
  };
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'a',
    title: "accounts with balances (the caller's family)",
    connections: 50,
    app: (ctx) => rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(ACCOUNTS_QUERY) }),
    baselines: (ctx) => [
      {
        label: 'apollo-sdl',
        url: ctx.apolloUrl,
        request: rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(ACCOUNTS_QUERY) }),
      },
      { label: 'raw', url: ctx.rawUrl, request: rotating(ctx, { method: 'GET', path: '/accounts' }) },
    ],
    reference: 'apollo-sdl',
    target: 0.8,
    probe: (ctx) => ({
      app: {
        method: 'POST',
        path: '/graphql',
        body: graphql(ACCOUNTS_QUERY),
        headers: bearer(ctx.tokens[0]!),
      },
      baselines: {
        'apollo-sdl': {
          method: 'POST',
          path: '/graphql',
          body: graphql(ACCOUNTS_QUERY),
          headers: bearer(ctx.tokens[0]!),
        },
        raw: { method: 'GET', path: '/accounts', headers: bearer(ctx.tokens[0]!) },
      },
    }),
  },
  {
    name: 'b',
    title: 'newest 50 transactions with account, category, createdBy',
    connections: 50,
    app: (ctx) => rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(NEWEST_QUERY) }),
    baselines: (ctx) => [
      {
        label: 'raw-join',
        url: ctx.rawUrl,
        request: rotating(ctx, { method: 'GET', path: '/transactions' }),
      },
      {
        label: 'apollo-sdl',
        url: ctx.apolloUrl,
        request: rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(NEWEST_QUERY) }),
      },
    ],
    reference: 'raw-join',
    target: 0.5,
    probe: (ctx) => ({
      app: { method: 'POST', path: '/graphql', body: graphql(NEWEST_QUERY), headers: bearer(ctx.tokens[0]!) },
      baselines: {
        'raw-join': { method: 'GET', path: '/transactions', headers: bearer(ctx.tokens[0]!) },
        'apollo-sdl': {
          method: 'POST',
          path: '/graphql',
          body: graphql(NEWEST_QUERY),
          headers: bearer(ctx.tokens[0]!),
        },
      },
    }),
  },
  {
    name: 'c',
    title: "a month's spending by category (with budgets)",
    connections: 50,
    app: (ctx) =>
      rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(SPENDING_QUERY, ctx.month) }),
    baselines: (ctx) => [
      { label: 'raw', url: ctx.rawUrl, request: rotating(ctx, { method: 'GET', path: monthQuery(ctx) }) },
    ],
    reference: 'raw',
    target: 0.5,
    probe: (ctx) => ({
      app: {
        method: 'POST',
        path: '/graphql',
        body: graphql(SPENDING_QUERY, ctx.month),
        headers: bearer(ctx.tokens[0]!),
      },
      baselines: { raw: { method: 'GET', path: monthQuery(ctx), headers: bearer(ctx.tokens[0]!) } },
    }),
  },
  {
    name: 'd',
    title: 'login (argon2id verify + new session)',
    connections: 10,
    app: (ctx) => {
      const bodies = ctx.families.map((f) =>
        graphql(LOGIN_MUTATION, { input: { email: f.email, password: BENCH_PASSWORD } }),
      );
      return {
        method: 'POST',
        path: '/graphql',
        perRequest: (n) => ({
          body: bodies[n % bodies.length]!,
          headers: { 'x-forwarded-for': clientAddress(n) },
        }),
      };
    },
    baselines: (ctx) => [
      {
        label: 'argon2-verify',
        url: ctx.rawUrl,
        request: { method: 'POST', path: '/argon2', body: JSON.stringify({ password: BENCH_PASSWORD }) },
      },
    ],
    reference: 'argon2-verify',
    target: 0.9,
  },
  {
    name: 'e',
    title: 'createTransaction (expense, new idempotency key each)',
    connections: 10,
    app: (ctx) => ({
      method: 'POST',
      path: '/graphql',
      perRequest: (n) => {
        const { family, input } = expenseInput(ctx, n);
        return { body: graphql(CREATE_MUTATION, { input }), headers: bearer(ctx.tokens[family]!) };
      },
    }),
    baselines: (ctx) => [
      {
        label: 'raw-insert+update',
        url: ctx.rawUrl,
        request: {
          method: 'POST',
          path: '/transactions',
          perRequest: (n) => {
            const { family, input } = expenseInput(ctx, n);
            return { body: JSON.stringify(input), headers: bearer(ctx.tokens[family]!) };
          },
        },
      },
    ],
    reference: 'raw-insert+update',
    target: 0.5,
  },
  {
    name: 'f',
    title: 'accounts with balances, with a personal access token against a JWT access token',
    connections: 50,
    app: (ctx) =>
      rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(ACCOUNTS_QUERY) }, ctx.personalTokens),
    baselines: (ctx) => [
      {
        label: 'app-jwt',
        url: ctx.appUrl,
        request: rotating(ctx, { method: 'POST', path: '/graphql', body: graphql(ACCOUNTS_QUERY) }),
      },
    ],
    reference: 'app-jwt',
    target: 0.9,
    probe: (ctx) => ({
      app: {
        method: 'POST',
        path: '/graphql',
        body: graphql(ACCOUNTS_QUERY),
        headers: bearer(ctx.personalTokens[0]!),
      },
      baselines: {
        'app-jwt': {
          method: 'POST',
          path: '/graphql',
          body: graphql(ACCOUNTS_QUERY),
          headers: bearer(ctx.tokens[0]!),
        },
      },
    }),
  },
];
