import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { freePort } from '../../src/shared/net.js';
import {
  gql,
  realDatabase,
  realRedis,
  startTestApp,
  STRONG_PASSWORD,
  uniqueEmail,
  type GqlResult,
} from '../helpers/app.js';
import { LOGIN, ME, REFRESH, REGISTER, registerUser, type Tokens } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import {
  exitWithin,
  spawnApi,
  startRedisServer,
  waitForHttp,
  type ChildServer,
} from '../helpers/server-process.js';

/**
 * Dependencies fail and come back; the API must say so clearly while they are gone (no 500, no stack, no
 * driver text) and recover by itself. Each test brings its own Redis or its own path to PostgreSQL, so
 * the shared servers are never stopped.
 */

const TIMEOUT = 120_000;
const ACCOUNTS = `query { accounts { id currency balance { amount } } }`;
const CREATE_TX = `mutation CreateTransaction($input: CreateTransactionInput!) {
  createTransaction(input: $input) { id amount { amount } }
}`;

const codeOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;

/** Everything started by a test, stopped after it whether it passed or not. */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}, 60_000);

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls /readyz until `accept` holds; returns the last answer and how long it took. */
async function readyzUntil(
  url: string,
  accept: (r: { status: number; body: Record<string, unknown> }) => boolean,
  timeoutMs: number,
) {
  const started = Date.now();
  let last = await readyz(url);
  while (!accept(last) && Date.now() - started < timeoutMs) {
    await sleep(200);
    last = await readyz(url);
  }
  return { ...last, ms: Date.now() - started };
}

/** A dependency failure as a client must see it: 503 SERVICE_UNAVAILABLE, and nothing from inside. */
function expectUnavailable(result: GqlResult<unknown>, what: string): void {
  expect({ what, status: result.status, code: codeOf(result) }).toEqual({
    what,
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
  });
  expect(result.data ?? null).toBeNull();
  expect(result.text).not.toMatch(/INTERNAL_SERVER_ERROR|stacktrace|\n\s+at |ECONN|ETIMEDOUT|Stream isn't/);
  expect(result.text).not.toMatch(/\b(select|insert|update|delete)\b.*\bfrom\b|app_user|ledger_transaction/i);
  expect(result.text).not.toMatch(/redis|postgres|knex|mikro/i);
}

describe('Redis goes away and comes back', () => {
  it(
    'readiness and the rate-limited auth fields report SERVICE_UNAVAILABLE while it is down; signed-in use goes on',
    async () => {
      const port = await freePort();
      let redis: ChildServer = await startRedisServer(port);
      cleanups.push(() => redis.stop(2000));
      const app = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
      cleanups.push(() => app.stop());
      onTestFailed(() => {
        process.stderr.write(`--- app logs:\n${app.rawLogs()}\n`);
      });

      const user = await registerUser(app);
      expect(await readyz(app.url)).toEqual({
        status: 200,
        body: { status: 'ok', database: 'ok', store: 'ok' },
      });

      redis.child.kill('SIGKILL');
      await exitWithin(redis, 10_000);

      const down = await readyzUntil(app.url, (r) => r.status === 503, 10_000);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'unavailable', database: 'ok', store: 'unavailable' });

      // Login, refresh and register need Redis for their rate limits.
      expectUnavailable(
        await app.gql(LOGIN, { input: { email: user.email, password: user.password } }),
        'login',
      );
      expectUnavailable(await app.gql(REFRESH, { token: user.refreshToken }), 'refreshToken');
      expectUnavailable(
        await app.gql(REGISTER, {
          input: { email: uniqueEmail('redis-down'), password: STRONG_PASSWORD, firstName: 'Down' },
        }),
        'register',
      );
      // A signed-in user keeps working: sessions are checked in PostgreSQL, not in Redis.
      const meWhileDown = await app.gql<{ me: { email: string } }>(ME, {}, { token: user.accessToken });
      expect(meWhileDown.errors, meWhileDown.text).toBeUndefined();
      expect(meWhileDown.data?.me.email).toBe(user.email);
      // The process itself stays up.
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

      redis = await startRedisServer(port);
      const up = await readyzUntil(app.url, (r) => r.status === 200, 15_000);
      expect(up.body).toEqual({ status: 'ok', database: 'ok', store: 'ok' });
      expect(up.ms, 'reconnected within a few seconds').toBeLessThan(10_000);

      const login = await app.gql<{ login: Tokens }>(LOGIN, {
        input: { email: user.email, password: user.password },
      });
      expect(login.errors).toBeUndefined();
      expect(login.data?.login.user.email).toBe(user.email);
      const me = await app.gql<{ me: { email: string } }>(ME, {}, { token: login.data!.login.accessToken });
      expect(me.data?.me.email).toBe(user.email);

      // Nothing reached the logs as an unexpected (masked) error.
      expect(app.logs.filter((line) => line.msg === 'unexpected error')).toEqual([]);
    },
    TIMEOUT,
  );
});

/**
 * A TCP proxy in front of the real PostgreSQL. `down()` plays a database restart: every connection through
 * it is cut and new ones are refused until `up()`.
 */
class PostgresProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** Connections accepted since start. */
  accepted = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<PostgresProxy> {
    const proxy = new PostgresProxy(await freePort(), target);
    await proxy.up();
    return proxy;
  }

  up(): Promise<void> {
    const server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.down();
  }
}

describe('PostgreSQL restarts', () => {
  it(
    'readiness and requests report the outage clearly, and the pool recovers without a restart',
    async () => {
      const real = new URL(inject('databaseUrl'));
      const proxy = await PostgresProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
      cleanups.push(() => proxy.close());
      const viaProxy = new URL(real);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const app = await startTestApp({ DATABASE_URL: viaProxy.toString() });
      cleanups.push(() => app.stop());
      onTestFailed(() => {
        process.stderr.write(`--- app logs:\n${app.rawLogs()}\n`);
      });

      const user = await registerUser(app);
      const accounts = await app.gql<{ accounts: { id: string }[] }>(
        ACCOUNTS,
        {},
        { token: user.accessToken },
      );
      const accountId = accounts.data!.accounts[0]!.id;
      expect((await readyz(app.url)).status).toBe(200);

      // Writes in flight when the connections are cut: each either commits and says so, or fails clearly.
      const cutShort = Array.from({ length: 6 }, (_, i) =>
        app.gql<{ createTransaction: { id: string } }>(
          CREATE_TX,
          { input: { kind: 'EXPENSE', amount: '0.75', accountId, note: `cut ${i}` } },
          { token: user.accessToken },
        ),
      );
      await sleep(25);
      await proxy.down();
      const outageStarted = Date.now();
      const cutResults = await Promise.all(cutShort);
      for (const result of cutResults) {
        if (result.data?.createTransaction) expect(result.errors).toBeUndefined();
        else expectUnavailable(result, 'createTransaction cut short');
      }
      const acknowledged = cutResults.flatMap((r) =>
        r.data?.createTransaction ? [r.data.createTransaction.id] : [],
      );

      const down = await readyzUntil(app.url, (r) => r.status === 503, 10_000);
      expect(down.body).toEqual({ status: 'unavailable', database: 'unavailable', store: 'ok' });

      const started = Date.now();
      expectUnavailable(await app.gql(ME, {}, { token: user.accessToken }), 'me');
      expectUnavailable(
        await app.gql(
          CREATE_TX,
          { input: { kind: 'EXPENSE', amount: '1.00', accountId } },
          { token: user.accessToken },
        ),
        'createTransaction',
      );
      expectUnavailable(
        await app.gql(LOGIN, { input: { email: user.email, password: user.password } }),
        'login',
      );
      expect(Date.now() - started, 'failures come quickly, not after a long hang').toBeLessThan(30_000);
      // A restart takes a moment: stay down for at least 2 s.
      await sleep(Math.max(0, 2000 - (Date.now() - outageStarted)));

      const acceptedBefore = proxy.accepted;
      await proxy.up();
      // Right away, several at once: none may be handed one of the pool's dead connections.
      const [me, ...created] = await Promise.all([
        app.gql<{ me: { email: string } }>(ME, {}, { token: user.accessToken }),
        ...Array.from({ length: 8 }, () =>
          app.gql<{ createTransaction: { id: string } }>(
            CREATE_TX,
            { input: { kind: 'EXPENSE', amount: '2.50', accountId } },
            { token: user.accessToken },
          ),
        ),
      ]);
      expect(me!.errors).toBeUndefined();
      expect(me!.data?.me.email).toBe(user.email);
      for (const result of created) {
        expect(result.errors).toBeUndefined();
        expect((result.data as { createTransaction?: { id: string } }).createTransaction?.id).toEqual(
          expect.any(String),
        );
      }
      expect(proxy.accepted, 'the pool opened new connections').toBeGreaterThan(acceptedBefore);
      expect(await readyz(app.url)).toEqual({
        status: 200,
        body: { status: 'ok', database: 'ok', store: 'ok' },
      });
      // The outage left nothing half-written: every acknowledged create is stored, and the balance is exactly
      // the opening balance minus the stored transactions.
      const rows = await app.sql<{ id: string; amount: string }>(
        'select id, amount::text as amount from ledger_transaction where account_id = $1',
        [accountId],
      );
      const stored = new Set(rows.map((r) => r.id));
      for (const id of [...acknowledged, ...created.map((r) => r.data!.createTransaction.id)]) {
        expect(stored.has(id), `acknowledged ${id} is stored`).toBe(true);
      }
      expect(rows.filter((r) => r.amount === '250')).toHaveLength(8);
      const [account] = await app.sql<{ balance: string; opening: string }>(
        'select balance::text as balance, opening_balance::text as opening from account where id = $1',
        [accountId],
      );
      const sum = rows.reduce((total, r) => total + BigInt(r.amount), 0n);
      expect(BigInt(account!.balance)).toBe(BigInt(account!.opening) - sum);

      // The outage is logged for operators as what it is, not as an unexpected error.
      expect(app.logs.filter((line) => line.msg === 'unexpected error')).toEqual([]);
      expect(app.logs.some((line) => line.msg === 'database unavailable' && line.level === 40)).toBe(true);
    },
    TIMEOUT,
  );
});

describe('SIGTERM under load', () => {
  it(
    'loses no acknowledged write and exits 0',
    async () => {
      const env: Record<string, string> = {
        NODE_ENV: 'test',
        JWT_SECRET: randomBytes(48).toString('base64url'),
        DATABASE_URL: inject('databaseUrl'),
        DATABASE_POOL_MAX: realDatabase ? '5' : '1',
        REDIS_URL: realRedis ? TEST_REDIS_URL : '',
        REDIS_KEY_PREFIX: `fftest:${randomUUID()}:`,
      };
      const server = await spawnApi(env);
      cleanups.push(() => server.stop(5000));
      onTestFailed(() => {
        process.stderr.write(`--- API stdout:\n${server.stdout()}\n--- stderr:\n${server.stderr()}\n`);
      });
      await waitForHttp(server, '/readyz', 90_000);

      const email = uniqueEmail('sigterm');
      const registered = await gql<{ register: Tokens }>(server.url, REGISTER, {
        input: { email, password: STRONG_PASSWORD, firstName: 'Load' },
      });
      const token = registered.data!.register.accessToken;
      const accounts = await gql<{ accounts: { id: string }[] }>(server.url, ACCOUNTS, {}, { token });
      const accountId = accounts.data!.accounts[0]!.id;

      interface Outcome {
        i: number;
        status: number | string;
        id: string | undefined;
        errors: unknown;
        sentAt: number;
        doneAt: number;
      }
      const TOTAL = 100;
      const CONCURRENCY = 20;
      const outcomes: Outcome[] = [];
      let next = 0;
      let killedAt: number | undefined;
      let inFlightAtKill = 0;
      let inFlight = 0;

      const send = async (i: number): Promise<Outcome> => {
        const sentAt = Date.now();
        try {
          const result = await gql<{ createTransaction: { id: string } }>(
            server.url,
            CREATE_TX,
            { input: { kind: 'EXPENSE', amount: '1.25', accountId, note: `load ${i}` } },
            { token },
          );
          return {
            i,
            status: result.status,
            id: result.data?.createTransaction.id,
            errors: result.errors,
            sentAt,
            doneAt: Date.now(),
          };
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          return {
            i,
            status: cause?.code ?? String(error),
            id: undefined,
            errors: undefined,
            sentAt,
            doneAt: Date.now(),
          };
        }
      };
      const worker = async () => {
        while (next < TOTAL) {
          const i = next++;
          inFlight++;
          const outcome = await send(i);
          inFlight--;
          outcomes.push(outcome);
          if (killedAt === undefined && outcomes.length >= TOTAL / 2) {
            killedAt = Date.now();
            inFlightAtKill = inFlight;
            server.child.kill('SIGTERM');
          }
          await sleep(Math.floor(Math.random() * 20));
        }
      };
      const [exit] = await Promise.all([
        exitWithin(server, 60_000),
        Promise.all(Array.from({ length: CONCURRENCY }, worker)),
      ]);

      expect(outcomes).toHaveLength(TOTAL);
      expect(killedAt).toBeDefined();
      expect(inFlightAtKill, 'requests were in flight when SIGTERM arrived').toBeGreaterThan(0);
      const acknowledged = outcomes.filter((o) => o.status === 200 && o.id !== undefined);
      expect(acknowledged.length).toBeGreaterThanOrEqual(TOTAL / 2);
      // Requests in flight at the signal were finished, not cut off.
      expect(
        acknowledged.filter((o) => o.sentAt < killedAt! && o.doneAt >= killedAt!).length,
      ).toBeGreaterThan(0);
      // Whatever got an HTTP answer got a real one: never a 500 or a masked error.
      for (const outcome of outcomes.filter((o) => typeof o.status === 'number')) {
        expect({ i: outcome.i, status: outcome.status, errors: outcome.errors }).toEqual({
          i: outcome.i,
          status: 200,
          errors: undefined,
        });
      }

      expect(exit).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toBe('');

      const db = new pg.Client({ connectionString: inject('databaseUrl') });
      await db.connect();
      try {
        const { rows } = await db.query<{ id: string; amount: string }>(
          'select id, amount::text as amount from ledger_transaction where account_id = $1',
          [accountId],
        );
        const stored = new Set(rows.map((r) => r.id));
        const lost = acknowledged.filter((o) => !stored.has(o.id!));
        expect(lost, 'acknowledged writes missing from the database').toEqual([]);
        // Unacknowledged requests may or may not have been written, but nothing beyond what was sent.
        expect(rows.length).toBeLessThanOrEqual(TOTAL);
        const balance = await db.query<{ balance: string; opening: string }>(
          'select balance::text as balance, opening_balance::text as opening from account where id = $1',
          [accountId],
        );
        const sum = rows.reduce((total, r) => total + BigInt(r.amount), 0n);
        expect(BigInt(balance.rows[0]!.balance)).toBe(BigInt(balance.rows[0]!.opening) - sum);
      } finally {
        await db.end();
      }
    },
    TIMEOUT,
  );
});
