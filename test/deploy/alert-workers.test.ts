import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { gql, realDatabase, realRedis, STRONG_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { REGISTER, type Tokens } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import { spawnApi, waitForHttp, type ApiProcess } from '../helpers/server-process.js';

/**
 * Budget alerts are evaluated after commit, from the outbox, by every API process: with two processes
 * taking checks off one database at once, each threshold of each budget and period is announced exactly
 * once per member, and every check is worked off within seconds.
 */

const TIMEOUT = 120_000;
const CREATE_TX = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;

describe.runIf(realDatabase)('budget alerts with two API processes on one PostgreSQL', () => {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_MAX: '5',
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: `fftest:alerts:${randomUUID()}:`,
  };
  const servers: ApiProcess[] = [];
  let db: pg.Client;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    servers.push(await spawnApi(env), await spawnApi(env));
    await Promise.all(servers.map((server) => waitForHttp(server, '/readyz', 90_000)));
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await db?.end();
    for (const server of servers) {
      if (server.stderr() !== '')
        process.stderr.write(`--- API on ${server.port} stderr:\n${server.stderr()}\n`);
    }
  }, 60_000);

  const call = async <T>(
    on: ApiProcess,
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ) => {
    const result = await gql<T>(on.url, query, variables, { token });
    if (result.errors !== undefined || result.data == null)
      throw new Error(`${query.slice(0, 60)}: ${result.text}`);
    return result.data;
  };

  const register = async (on: ApiProcess) =>
    (
      await call<{ register: Tokens }>(on, REGISTER, {
        input: { email: uniqueEmail('alerts'), password: STRONG_PASSWORD, firstName: 'Alert' },
      })
    ).register;

  it(
    'each threshold of each budget is announced exactly once per member, whichever process evaluates',
    async () => {
      const [a, b] = servers as [ApiProcess, ApiProcess];
      const owner = await register(a);
      const other = await register(b);
      const setup = await call<{
        families: { id: string }[];
        accounts: { id: string }[];
        categories: { id: string; name: string }[];
      }>(a, `query { families { id } accounts { id } categories { id name } }`, {}, owner.accessToken);
      const familyId = setup.families[0]!.id;
      const category = (name: string) => setup.categories.find((c) => c.name === name)!.id;
      const invite = await call<{ createInvite: { code: string } }>(
        a,
        `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
        { input: { familyId } },
        owner.accessToken,
      );
      await call(
        b,
        `mutation($code: String!) { joinFamily(code: $code) { id } }`,
        { code: invite.createInvite.code },
        other.accessToken,
      );

      const budget = async (input: Record<string, unknown>) =>
        (
          await call<{ createBudget: { budget: { id: string } } }>(
            a,
            `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`,
            { input: { familyId, ...input } },
            owner.accessToken,
          )
        ).createBudget.budget.id;
      const all = await budget({ amount: '100.00' });
      const food = await budget({ amount: '50.00', categoryId: category('Food') });
      await budget({ amount: '10000.00', categoryId: category('Transport') });

      // 24 expenses of 5.00 at once, half on each process, by both members: 120 % of all spending, 120 %
      // of Food (its child Groceries), 1.2 % of Transport (Taxi).
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          gql(
            (i % 2 === 0 ? a : b).url,
            CREATE_TX,
            {
              input: {
                kind: 'EXPENSE',
                amount: '5.00',
                accountId: setup.accounts[0]!.id,
                categoryId: category(i % 4 < 2 ? 'Groceries' : 'Taxi'),
              },
            },
            { token: i % 3 === 0 ? other.accessToken : owner.accessToken },
          ),
        ),
      );
      for (const result of results) expect(result.errors, result.text).toBeUndefined();

      // Every check worked off within seconds, by the processes alone (nothing here evaluates anything).
      await vi.waitFor(
        async () => {
          const { rows } = await db.query(`select 1 from budget_alert_check where family_id = $1`, [
            familyId,
          ]);
          if (rows.length > 0) throw new Error(`${rows.length} budget alert checks still pending`);
        },
        { timeout: 10_000, interval: 50 },
      );
      const { rows } = await db.query<{ budget: string; threshold: string; user_id: string; n: number }>(
        `select payload->>'budgetId' as budget, payload->>'threshold' as threshold, user_id::text as user_id,
                count(*)::int as n
           from notification where family_id = $1 and kind = 'budget_alert'
          group by 1, 2, 3`,
        [familyId],
      );
      const order = (x: { budget: string; threshold: string; user_id: string }) =>
        `${x.budget} ${x.threshold} ${x.user_id}`;
      const sorted = <T extends { budget: string; threshold: string; user_id: string }>(list: T[]) =>
        list.sort((x, y) => (order(x) < order(y) ? -1 : 1));
      const expected = [all, food].flatMap((budget) =>
        ['80', '100'].flatMap((threshold) =>
          [owner.user.id, other.user.id].map((user_id) => ({ budget, threshold, user_id, n: 1 })),
        ),
      );
      expect(sorted(rows)).toEqual(sorted(expected));
    },
    TIMEOUT,
  );
});
