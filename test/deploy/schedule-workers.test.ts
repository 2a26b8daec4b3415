import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import {
  createScratchDatabase,
  gql,
  realDatabase,
  realRedis,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../helpers/app.js';
import { REGISTER, type Tokens } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import {
  exitWithin,
  spawnApi,
  spawnWorker,
  waitForHttp,
  type ApiProcess,
} from '../helpers/server-process.js';

/**
 * Scheduled transactions with two API processes on one PostgreSQL, each working the job queue, stopped
 * and started again in the middle: occurrences missed while both were down are posted when they come
 * back, and every occurrence is posted exactly once, whichever process took it. Each test has a database
 * of its own: the job queue lives in the database, and the test apps of other files would otherwise work
 * these jobs too.
 */

const TIMEOUT = 180_000;
const SCHEDULES = 12;

describe.runIf(realDatabase)('schedules with two API processes and a restart', () => {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATABASE_POOL_MAX: '5',
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: `fftest:schedules:${randomUUID()}:`,
  };
  let servers: ApiProcess[] = [];
  const stderr: string[] = [];
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: pg.Client;

  const startBoth = async () => {
    servers = [await spawnApi(env), await spawnApi(env)];
    await Promise.all(servers.map((server) => waitForHttp(server, '/readyz', 90_000)));
  };
  const stopBoth = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const server of servers) if (server.stderr() !== '') stderr.push(server.stderr());
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    env.DATABASE_URL = scratch.url;
    // The first process migrates the new database; two at once would race to create the same tables.
    servers = [await spawnApi(env)];
    await waitForHttp(servers[0]!, '/readyz', 90_000);
    await stopBoth();
    await startBoth();
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
  }, TIMEOUT);

  afterAll(async () => {
    await stopBoth();
    await db?.end();
    await scratch?.drop();
    if (stderr.length > 0) process.stderr.write(`--- API stderr:\n${stderr.join('\n')}\n`);
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

  it(
    'posts each occurrence once: before the restart, the missed ones after it, none twice',
    async () => {
      const [a, b] = servers as [ApiProcess, ApiProcess];
      const owner = (
        await call<{ register: Tokens }>(a, REGISTER, {
          input: { email: uniqueEmail('schedules'), password: STRONG_PASSWORD, firstName: 'Rent' },
        })
      ).register;
      const setup = await call<{ families: { id: string }[]; accounts: { id: string }[] }>(
        a,
        `query { families { id } accounts { id } }`,
        {},
        owner.accessToken,
      );
      const familyId = setup.families[0]!.id;
      const accountId = setup.accounts[0]!.id;
      // The family's time zone is UTC; the processes run on the real clock.
      const today = new Date().toISOString().slice(0, 10);

      // Daily until today, created today: today's occurrence is due at once, each sent to the queue.
      for (let i = 0; i < SCHEDULES; i++) {
        await call(
          i % 2 === 0 ? a : b,
          `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }`,
          {
            input: {
              accountId,
              kind: 'EXPENSE',
              amount: '1.00',
              note: `schedule ${i}`,
              rule: { frequency: 'DAILY', until: today },
            },
          },
          owner.accessToken,
        );
      }
      const posted = async () =>
        (
          await db.query<{ key: string; occurred_on: string }>(
            `select idempotency_key as key, occurred_on::text as occurred_on from ledger_transaction
              where family_id = $1 and idempotency_key like 'schedule:%'`,
            [familyId],
          )
        ).rows;
      await vi.waitFor(async () => expect(await posted()).toHaveLength(SCHEDULES), {
        timeout: 30_000,
        interval: 100,
      });

      // Both processes go down; while they are down, three more days of every schedule fall due (the
      // rule is moved back three days, as if the days had passed).
      await stopBoth();
      const back = addDays(today, -3);
      await db.query(`update schedule set starts_on = $2, next_on = $2 where family_id = $1`, [
        familyId,
        back,
      ]);
      await startBoth();

      // Nothing here runs the runner: the processes catch up by themselves when they start.
      await vi.waitFor(
        async () => {
          const { rows } = await db.query(
            `select 1 from schedule where family_id = $1 and next_on is not null`,
            [familyId],
          );
          expect(rows).toHaveLength(0);
        },
        { timeout: 60_000, interval: 200 },
      );
      const days = [back, addDays(back, 1), addDays(back, 2), today];
      const transactions = await posted();
      expect(transactions).toHaveLength(SCHEDULES * days.length);
      const perSchedule = new Map<string, string[]>();
      for (const t of transactions) {
        const schedule = t.key.split(':')[1]!;
        perSchedule.set(schedule, [...(perSchedule.get(schedule) ?? []), t.occurred_on].sort());
      }
      expect(perSchedule.size).toBe(SCHEDULES);
      for (const [schedule, list] of perSchedule) expect(list, schedule).toEqual(days);
      const { rows: occurrences } = await db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from schedule_occurrence where family_id = $1 group by status`,
        [familyId],
      );
      expect(occurrences).toEqual([{ status: 'posted', n: SCHEDULES * days.length }]);
      // The balance moved once per transaction: opening balance + the sum of the ledger.
      const { rows: balance } = await db.query<{ balance: string; expected: string }>(
        `select a.balance::text as balance,
                (a.opening_balance - (select coalesce(sum(amount), 0) from ledger_transaction t
                                       where t.account_id = a.id))::text as expected
           from account a where a.id = $1`,
        [accountId],
      );
      expect(balance[0]!.balance).toBe(balance[0]!.expected);

      const metrics = await Promise.all(
        servers.map(async (server) => (await fetch(`${server.url}/metrics`)).text()),
      );
      const completed = metrics.flatMap((text) =>
        [...text.matchAll(/^jobs_completed_total\{queue="schedules-due"\} (\d+)$/gm)].map((m) =>
          Number(m[1]),
        ),
      );
      expect(completed.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});

describe.runIf(realDatabase)('npm run worker beside an API that works no jobs', () => {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATABASE_POOL_MAX: '3',
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: `fftest:worker:${randomUUID()}:`,
  };
  let api: ApiProcess;
  let worker: ApiProcess;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    env.DATABASE_URL = scratch.url;
    api = await spawnApi({ ...env, JOBS_IN_PROCESS: 'false' });
    await waitForHttp(api, '/readyz', 90_000);
    worker = await spawnWorker(env);
    await waitForHttp(worker, '/health', 90_000);
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await db?.end();
    await scratch?.drop();
  }, 60_000);

  it(
    'posts what the API schedules, shows it in its /metrics, and stops cleanly on SIGTERM',
    async () => {
      const owner = (
        await gql<{ register: Tokens }>(api.url, REGISTER, {
          input: { email: uniqueEmail('worker'), password: STRONG_PASSWORD, firstName: 'Worker' },
        })
      ).data!.register;
      const accounts = await gql<{ accounts: { id: string }[] }>(
        api.url,
        `{ accounts { id } }`,
        {},
        {
          token: owner.accessToken,
        },
      );
      const created = await gql<{ createSchedule: { id: string } }>(
        api.url,
        `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }`,
        {
          input: {
            accountId: accounts.data!.accounts[0]!.id,
            kind: 'EXPENSE',
            amount: '2.00',
            rule: { frequency: 'DAILY', count: 1 },
          },
        },
        { token: owner.accessToken },
      );
      expect(created.errors, created.text).toBeUndefined();
      const id = created.data!.createSchedule.id;
      await vi.waitFor(
        async () => {
          const { rows } = await db.query(`select 1 from ledger_transaction where idempotency_key like $1`, [
            `schedule:${id}:%`,
          ]);
          expect(rows).toHaveLength(1);
        },
        { timeout: 30_000, interval: 100 },
      );
      // The worker is the only process working this database's queue.
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      expect(metrics).toMatch(/^jobs_completed_total\{queue="schedules-due"\} [1-9]/m);
      worker.child.kill('SIGTERM');
      expect(await exitWithin(worker, 20_000)).toEqual({ code: 0, signal: null });
    },
    TIMEOUT,
  );
});
