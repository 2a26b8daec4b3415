import { createSecretKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import argon2 from 'argon2';
import express from 'express';
import { buildSchema, GraphQLError, type GraphQLFieldResolver } from 'graphql';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { hashPassword } from '../../src/modules/auth/password.js';
import { formatAmount, parseAmount } from '../../src/shared/money.js';
import { serveParent } from '../lib/child.js';
import * as sql from '../lib/baseline-sql.js';

/**
 * The hand-written baselines the app is compared with, in one child process (only one of them is under
 * load at a time):
 *
 * - `raw`: node:http + a pg Pool, one route per scenario, each the best single SQL statement for the same
 *   answer (tenancy included: the caller's default family, through their membership), shaped exactly like
 *   the app's GraphQL `data` and sent with JSON.stringify. The caller is read from the same HS256 access
 *   token the app issues (verified, not trusted).
 * - `apollo`: Apollo Server 5 on express 5 with a hand-written SDL schema (graphql buildSchema) whose
 *   resolvers run the same SQL as `raw` for scenarios (a) and (b): the issue's reference point for (a),
 *   and for (b) what GraphQL execution itself costs.
 * - `/argon2` on `raw`: a bare argon2.verify of a hash made with the app's parameters, the ceiling for (d).
 */

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_MAX ?? 10) });
const jwtSettings = {
  // A KeyObject, as a hand-written server would hold it: given a string, jsonwebtoken first tries (and
  // fails) to parse it as a public key on every verify.
  key: createSecretKey(Buffer.from(env.JWT_SECRET!, 'utf8')),
  issuer: env.JWT_ISSUER ?? 'family-finance',
  audience: env.JWT_AUDIENCE ?? 'family-finance-api',
};
const passwordHash = await hashPassword(env.BENCH_PASSWORD!);

/** The user id of a valid Bearer access token, or undefined. */
function caller(authorization: string | undefined): string | undefined {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) return undefined;
  try {
    const claims = jwt.verify(token, jwtSettings.key, {
      algorithms: ['HS256'],
      issuer: jwtSettings.issuer,
      audience: jwtSettings.audience,
    });
    return typeof claims === 'string' ? undefined : claims.sub;
  } catch {
    return undefined;
  }
}

const money = (minor: string, currency: string) => ({
  amount: formatAmount(BigInt(minor), currency),
  currency,
});

async function accounts(userId: string) {
  const { rows } = await pool.query<sql.AccountRow>(sql.ACCOUNTS, [userId]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type.toUpperCase(),
    currency: r.currency,
    archived: r.archived,
    balance: money(r.balance, r.currency),
  }));
}

async function newestTransactions(userId: string) {
  const { rows } = await pool.query<sql.TransactionRow>(sql.NEWEST_TRANSACTIONS, [userId, 51]);
  const page = rows.slice(0, 50);
  const last = page.at(-1);
  return {
    transactions: {
      edges: page.map((r) => ({
        node: {
          id: r.id,
          kind: r.kind.toUpperCase(),
          occurredOn: r.occurred_on,
          amount: money(r.amount, r.currency),
          note: r.note,
          account: { id: r.account_id, name: r.account_name },
          category: r.category_id === null ? null : { id: r.category_id, name: r.category_name },
          createdBy: { id: r.user_id, firstName: r.first_name },
        },
      })),
      pageInfo: {
        hasNextPage: rows.length > 50,
        endCursor:
          last === undefined ? null : Buffer.from(`${last.occurred_on}~${last.seq}`).toString('base64url'),
      },
    },
  };
}

/** spent / available in percent with one decimal, rounded half up (as the app reports it). */
function percent(spent: bigint, available: bigint): string {
  const tenths = (spent * 1000n + available / 2n) / available;
  return `${tenths / 10n}.${tenths % 10n}`;
}

async function spendingByCategory(userId: string, from: string, to: string) {
  const { rows } = await pool.query<sql.SpendingRow>(sql.SPENDING_BY_CATEGORY, [userId, from, to]);
  const currency = rows[0]?.base_currency ?? 'EUR';
  const total = rows.reduce((sum, r) => sum + BigInt(r.spent), 0n);
  return {
    spendingByCategory: {
      period: { start: from, end: to },
      total: money(total.toString(), currency),
      categories: rows.map((r) => ({
        category: r.category_id === null ? null : { id: r.category_id, name: r.name },
        spent: money(r.spent, currency),
        budget:
          r.budget === null
            ? null
            : {
                available: money(r.budget, currency),
                spent: money(r.spent, currency),
                percentUsed: BigInt(r.budget) > 0n ? percent(BigInt(r.spent), BigInt(r.budget)) : null,
              },
      })),
      missingRates: [],
    },
  };
}

interface CreateBody {
  accountId: string;
  categoryId: string;
  amount: string;
  idempotencyKey: string;
}

async function createTransaction(userId: string, body: CreateBody) {
  const amount = parseAmount(body.amount, 'EUR', 'amount');
  const today = new Date().toISOString().slice(0, 10);
  const { rows } = await pool.query<sql.CreatedRow>(sql.CREATE_EXPENSE, [
    userId,
    body.accountId,
    body.categoryId,
    amount.toString(),
    body.idempotencyKey,
    today,
  ]);
  const r = rows[0];
  if (r === undefined) return null;
  return {
    createTransaction: {
      id: r.id,
      kind: r.kind.toUpperCase(),
      occurredOn: r.occurred_on,
      amount: money(r.amount, r.currency),
      account: { id: r.account_id, balance: money(r.balance, r.account_currency) },
    },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://baseline');
  if (url.pathname === '/argon2') {
    const { password } = (await readBody(req)) as { password: string };
    send(res, 200, { data: { ok: await argon2.verify(passwordHash, password) } });
    return;
  }
  const userId = caller(req.headers.authorization);
  if (userId === undefined) {
    send(res, 401, { errors: [{ message: 'unauthenticated' }] });
    return;
  }
  let data: unknown;
  if (url.pathname === '/accounts') data = { accounts: await accounts(userId) };
  else if (url.pathname === '/transactions' && req.method === 'GET') data = await newestTransactions(userId);
  else if (url.pathname === '/transactions' && req.method === 'POST')
    data = await createTransaction(userId, (await readBody(req)) as CreateBody);
  else if (url.pathname === '/spending')
    data = await spendingByCategory(userId, url.searchParams.get('from')!, url.searchParams.get('to')!);
  else {
    send(res, 404, { errors: [{ message: 'not found' }] });
    return;
  }
  send(res, data === null ? 400 : 200, data === null ? { errors: [{ message: 'rejected' }] } : { data });
}

const raw = createServer((req, res) => {
  route(req, res).catch((error: unknown) => send(res, 500, { errors: [{ message: String(error) }] }));
});

/**
 * Apollo Server 5 + express 5 with a hand-written schema and default resolvers over the same SQL as raw
 * /accounts and /transactions: what GraphQL itself costs, without our layers.
 */
const schema = buildSchema(`
  enum AccountType { CASH CHECKING SAVINGS CREDIT_CARD LOAN INVESTMENT }
  enum TransactionKind { EXPENSE INCOME TRANSFER }
  type Money { amount: String! currency: String! }
  type Account { id: ID! name: String! type: AccountType! currency: String! archived: Boolean! balance: Money! }
  type Category { id: ID! name: String! }
  type User { id: ID! firstName: String! }
  type Transaction {
    id: ID! kind: TransactionKind! occurredOn: String! amount: Money! note: String
    account: Account! category: Category createdBy: User!
  }
  type TransactionEdge { node: Transaction! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type TransactionConnection { edges: [TransactionEdge!]! pageInfo: PageInfo! }
  type Query { accounts: [Account!]! transactions(first: Int): TransactionConnection! }
`);
const resolveAccounts: GraphQLFieldResolver<unknown, { userId: string }> = (_root, _args, context) =>
  accounts(context.userId);
const resolveTransactions: GraphQLFieldResolver<unknown, { userId: string }> = async (
  _root,
  _args,
  context,
) => (await newestTransactions(context.userId)).transactions;
schema.getQueryType()!.getFields().accounts!.resolve = resolveAccounts;
schema.getQueryType()!.getFields().transactions!.resolve = resolveTransactions;

const apolloApp = express();
const apolloHttp = createServer(apolloApp);
const apollo = new ApolloServer<{ userId: string }>({ schema, introspection: false });
await apollo.start();
apolloApp.use(
  '/graphql',
  express.json(),
  expressMiddleware(apollo, {
    context: async ({ req }) => {
      const userId = caller(req.get('authorization'));
      if (userId === undefined)
        throw new GraphQLError('unauthenticated', { extensions: { http: { status: 401 } } });
      return { userId };
    },
  }),
);

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

let stopping: Promise<void> | undefined;
serveParent({ raw: await listen(raw), apollo: await listen(apolloHttp) }, () => {
  stopping ??= (async () => {
    await apollo.stop();
    raw.closeAllConnections();
    apolloHttp.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
    await new Promise((resolve) => apolloHttp.close(resolve));
    await pool.end();
  })();
  return stopping;
});
