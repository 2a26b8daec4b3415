import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  gql,
  realDatabase,
  realRedis,
  STRONG_PASSWORD,
  uniqueEmail,
  type GqlResult,
} from '../helpers/app.js';
import { LOGIN, ME, REFRESH, REGISTER, confirmEmail, type Tokens } from '../helpers/auth.js';
import { startMailbox, type Mailbox } from '../helpers/mailbox.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import { liveClient, subscriptionsRunning } from '../helpers/live.js';
import { spawnApi, waitForHttp, type ApiProcess } from '../helpers/server-process.js';

/**
 * Two API processes on one PostgreSQL and one Redis, as behind a load balancer: every piece of shared
 * state (sessions, revocations, rate limits, refresh-token rotation, balances) must hold across them.
 */

const TIMEOUT = 120_000;
const LOGOUT = `mutation Logout { logout }`;
const ACCOUNTS = `query { accounts { id currency balance { amount currency } openingBalance { amount } } }`;
const ACCOUNT = `query Account($id: ID!) { account(id: $id) { balance { amount currency } } }`;
const CREATE_TX = `mutation CreateTransaction($input: CreateTransactionInput!) {
  createTransaction(input: $input) { id amount { amount currency } account { id } }
}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codeOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;
/** Minor units of a 2-decimal currency as the API's decimal text, e.g. 1234 -> "12.34". */
const decimal = (minor: bigint) =>
  `${minor < 0n ? '-' : ''}${(minor < 0n ? -minor : minor) / 100n}.${String((minor < 0n ? -minor : minor) % 100n).padStart(2, '0')}`;

describe.runIf(realRedis && realDatabase)(
  'two API processes on one PostgreSQL and Redis (needs a real Redis)',
  () => {
    const prefix = `fftest:replicas:${randomUUID()}:`;
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      DATABASE_URL: inject('databaseUrl'),
      DATABASE_POOL_MAX: '5',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    };
    const servers: ApiProcess[] = [];
    let a: ApiProcess;
    let b: ApiProcess;
    let db: pg.Client;
    let mailbox: Mailbox;

    beforeAll(async () => {
      db = new pg.Client({ connectionString: inject('databaseUrl') });
      await db.connect();
      mailbox = await startMailbox();
      env.SMTP_URL = mailbox.url;
      a = await spawnApi(env);
      servers.push(a);
      b = await spawnApi(env);
      servers.push(b);
      await Promise.all([waitForHttp(a, '/readyz', 90_000), waitForHttp(b, '/readyz', 90_000)]);
      expect(a.port).not.toBe(b.port);
    }, 120_000);

    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await db?.end();
      await mailbox?.close();
      for (const server of servers) {
        if (server.stderr() !== '')
          process.stderr.write(`--- API on ${server.port} stderr:\n${server.stderr()}\n`);
      }
    }, 60_000);

    async function register(on: ApiProcess): Promise<Tokens & { email: string }> {
      const email = uniqueEmail('replica');
      const result = await gql<{ register: Tokens }>(on.url, REGISTER, {
        input: { email, password: STRONG_PASSWORD, firstName: 'Replica' },
      });
      if (!result.data?.register) throw new Error(`register failed: ${result.text}`);
      // Confirmed, so the address can sign in on either process.
      await confirmEmail(mailbox, on.url, email);
      return { ...result.data.register, email };
    }

    it(
      'a session made on one process works on the other, through refresh and logout',
      async () => {
        const user = await register(a);
        const meOnB = await gql<{ me: { email: string } }>(b.url, ME, {}, { token: user.accessToken });
        expect(meOnB.errors).toBeUndefined();
        expect(meOnB.data?.me.email).toBe(user.email);

        const refreshed = await gql<{ refreshToken: Tokens }>(b.url, REFRESH, { token: user.refreshToken });
        expect(refreshed.errors).toBeUndefined();
        const tokens = refreshed.data!.refreshToken;
        expect(tokens.refreshToken).not.toBe(user.refreshToken);
        const meOnA = await gql<{ me: { email: string } }>(a.url, ME, {}, { token: tokens.accessToken });
        expect(meOnA.data?.me.email).toBe(user.email);

        const loggedOut = await gql<{ logout: boolean }>(a.url, LOGOUT, {}, { token: tokens.accessToken });
        expect(loggedOut.data?.logout).toBe(true);
        // The revocation A wrote is seen by B: the still-unexpired access token is refused there.
        const afterLogout = await gql(b.url, ME, {}, { token: tokens.accessToken });
        expect(afterLogout.status).toBe(401);
        expect(codeOf(afterLogout)).toBe('UNAUTHENTICATED');
        const refreshAfterLogout = await gql(b.url, REFRESH, { token: tokens.refreshToken });
        expect(codeOf(refreshAfterLogout)).toBe('UNAUTHENTICATED');
        expect(refreshAfterLogout.data ?? null).toBeNull();
      },
      TIMEOUT,
    );

    it(
      'counts the per-IP login limit across both processes: the 31st login of the minute is refused',
      async () => {
        const user = await register(b);
        const attempt = (on: ApiProcess) =>
          gql<{ login: Tokens }>(on.url, LOGIN, { input: { email: user.email, password: STRONG_PASSWORD } });
        // 15 on each process: each alone is under the limit of 30, together they use it up. In waves of 6 (3 on
        // each): every attempt counts as a failure until its password is verified, and 10 at once would
        // lock the account (L4), which is not what this test is about.
        const first30: GqlResult<{ login: Tokens }>[] = [];
        for (let wave = 0; wave < 5; wave++) {
          first30.push(
            ...(await Promise.all(Array.from({ length: 6 }, (_, i) => attempt(i % 2 === 0 ? a : b)))),
          );
        }
        expect(first30).toHaveLength(30);
        for (const result of first30) {
          expect({ status: result.status, errors: result.errors }).toEqual({
            status: 200,
            errors: undefined,
          });
          expect(result.data?.login.user.email).toBe(user.email);
        }
        const thirtyFirst = await attempt(a);
        expect(thirtyFirst.status).toBe(429);
        expect(codeOf(thirtyFirst)).toBe('TOO_MANY_REQUESTS');
        expect(Number(thirtyFirst.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(thirtyFirst.data ?? null).toBeNull();
        const thirtySecond = await attempt(b);
        expect(thirtySecond.status).toBe(429);
        expect(codeOf(thirtySecond)).toBe('TOO_MANY_REQUESTS');
      },
      TIMEOUT,
    );

    it(
      'concurrent refreshes of one token across both processes leave exactly one live token',
      async () => {
        const user = await register(a);
        const sessions = await db.query<{ session_id: string }>(
          'select session_id from refresh_token where token_hash = $1',
          [sha256(user.refreshToken)],
        );
        expect(sessions.rows).toHaveLength(1);
        const sessionId = sessions.rows[0]!.session_id;

        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            gql<{ refreshToken: Tokens }>(i % 2 === 0 ? a.url : b.url, REFRESH, { token: user.refreshToken }),
          ),
        );
        for (const result of results) {
          expect(result.status, result.text).not.toBe(500);
          expect(codeOf(result)).not.toBe('INTERNAL_SERVER_ERROR');
        }
        const winners = results.filter((r) => r.data?.refreshToken);
        expect(winners).toHaveLength(1);
        // The losers raced the winner within the grace window: refused, without ending the session.
        for (const loser of results.filter((r) => !r.data?.refreshToken)) {
          expect(codeOf(loser)).toBe('UNAUTHENTICATED');
        }
        const newToken = winners[0]!.data!.refreshToken.refreshToken;

        const live = await db.query<{ token_hash: string }>(
          'select token_hash from refresh_token where session_id = $1 and revoked_at is null',
          [sessionId],
        );
        expect(live.rows.map((r) => r.token_hash)).toEqual([sha256(newToken)]);
        const session = await db.query<{ revoked_at: Date | null }>(
          'select revoked_at from auth_session where id = $1',
          [sessionId],
        );
        expect(session.rows[0]?.revoked_at).toBeNull();
        // And the one live token works on either process.
        const next = await gql<{ refreshToken: Tokens }>(b.url, REFRESH, { token: newToken });
        expect(next.errors).toBeUndefined();
        expect(next.data?.refreshToken.refreshToken).toEqual(expect.any(String));
      },
      TIMEOUT,
    );

    it(
      'concurrent transaction creates across both processes keep the balance exact',
      async () => {
        const user = await register(b);
        const accounts = await gql<{
          accounts: {
            id: string;
            currency: string;
            balance: { amount: string };
            openingBalance: { amount: string };
          }[];
        }>(a.url, ACCOUNTS, {}, { token: user.accessToken });
        expect(accounts.errors).toBeUndefined();
        const account = accounts.data!.accounts[0]!;
        expect(account.currency).toBe('EUR');
        expect(account.balance.amount).toBe('0.00');

        const amounts = Array.from({ length: 50 }, (_, i) => BigInt(101 + i * 37));
        const results = await Promise.all(
          amounts.map((minor, i) =>
            gql<{ createTransaction: { id: string; amount: { amount: string } } }>(
              i % 2 === 0 ? a.url : b.url,
              CREATE_TX,
              {
                input: {
                  kind: 'EXPENSE',
                  amount: decimal(minor),
                  accountId: account.id,
                  note: `replica ${i}`,
                },
              },
              { token: user.accessToken },
            ),
          ),
        );
        for (const [i, result] of results.entries()) {
          expect({ i, status: result.status, errors: result.errors }).toEqual({
            i,
            status: 200,
            errors: undefined,
          });
          expect(result.data?.createTransaction.amount.amount).toBe(decimal(amounts[i]!));
        }
        const ids = new Set(results.map((r) => r.data!.createTransaction.id));
        expect(ids.size).toBe(50);

        const total = amounts.reduce((sum, x) => sum + x, 0n);
        for (const on of [a, b]) {
          const read = await gql<{ account: { balance: { amount: string } } }>(
            on.url,
            ACCOUNT,
            { id: account.id },
            { token: user.accessToken },
          );
          expect(read.data?.account.balance.amount).toBe(decimal(-total));
        }
        const { rows } = await db.query<{ balance: string; expected: string; count: string }>(
          `select a.balance::text as balance,
                (a.opening_balance
                  - coalesce((select sum(t.amount) from ledger_transaction t
                               where t.account_id = a.id and t.kind in ('expense', 'transfer')), 0)
                  + coalesce((select sum(t.amount) from ledger_transaction t
                               where t.account_id = a.id and t.kind = 'income'), 0)
                  + coalesce((select sum(t.to_amount) from ledger_transaction t
                               where t.to_account_id = a.id and t.kind = 'transfer'), 0))::text as expected,
                (select count(*) from ledger_transaction t where t.account_id = a.id)::text as count
           from account a where a.id = $1`,
          [account.id],
        );
        expect(rows[0]).toEqual({ balance: String(-total), expected: String(-total), count: '50' });
      },
      TIMEOUT,
    );
    it(
      'live updates cross processes: a write on A reaches a subscriber on B, and logout on A closes its socket on B within a second',
      async () => {
        const user = await register(a);
        const accounts = await gql<{ accounts: { id: string }[] }>(
          a.url,
          ACCOUNTS,
          {},
          { token: user.accessToken },
        );
        const cash = accounts.data!.accounts[0]!.id;
        const client = liveClient(b.url, { accessToken: user.accessToken });
        try {
          await client.connected;
          const stream = client.subscribe<{ transactionChanged: { transactionId: string } }>(
            `subscription { transactionChanged { transactionId } }`,
          );
          await subscriptionsRunning(b.url, 1);
          const created = await gql<{ createTransaction: { id: string } }>(
            a.url,
            CREATE_TX,
            { input: { kind: 'EXPENSE', amount: '1.00', accountId: cash } },
            { token: user.accessToken },
          );
          expect(created.errors).toBeUndefined();
          expect((await stream.next()).transactionChanged.transactionId).toBe(
            created.data!.createTransaction.id,
          );

          const loggedOut = performance.now();
          expect((await gql(a.url, LOGOUT, {}, { token: user.accessToken })).errors).toBeUndefined();
          const closed = await client.closed;
          expect(closed.code).toBe(4403);
          expect(closed.at - loggedOut).toBeLessThan(1000);
        } finally {
          await client.dispose();
        }
      },
      TIMEOUT,
    );
  },
);
