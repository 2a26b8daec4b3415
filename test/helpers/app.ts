import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { inject } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig, type Config, type Env } from '../../src/config.js';
import { ManualClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { TEST_REDIS_URL } from './environment.js';
import { withDatabase } from './global-setup.js';
import { startMailbox, type Mailbox } from './mailbox.js';

export const realRedis = process.env.FF_TEST_REAL_REDIS === 'true';
export const realDatabase = process.env.FF_TEST_REAL_DATABASE === 'true';

export interface TestApp extends RunningApp {
  config: Config;
  clock: ManualClock;
  /** The SMTP server the app sends its mail to; undefined when the test chose SMTP_URL itself. */
  mailbox: Mailbox | undefined;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log output, to check that no secret ever appears in it. */
  rawLogs(): string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GqlOptions,
  ): Promise<GqlResult<T>>;
  /** Runs SQL on the app's database, outside the app. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface GqlOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] | undefined;
  /** The raw body, for asserting what must never be in it. */
  text: string;
}

/**
 * Starts the real app in-process on a free port, on the run's database and the real Redis (or the
 * in-process store when the run has none), with its own Redis key prefix and a manual clock. It sends
 * jobs but works none unless `JOBS_IN_PROCESS: 'true'` is given.
 */
export async function startTestApp(env: Partial<Env> = {}): Promise<TestApp> {
  const mailbox = 'SMTP_URL' in env ? undefined : await startMailbox();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_MAX: realDatabase ? '5' : '1',
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: `fftest:${randomUUID()}:`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: 'info',
    ...(mailbox !== undefined && { SMTP_URL: mailbox.url }),
    // Test apps run on manual clocks, often moved days ahead: a cron tick of theirs would post the due
    // schedules of every test file (they share the run's database) at that file's time. Tests of the job
    // queue itself turn it on.
    JOBS_IN_PROCESS: 'false',
    ...env,
  });
  const clock = new ManualClock();
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      raw += text;
      for (const line of text.split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const app = await startApp(config, { clock, logger: createLogger(config.logLevel, { destination: sink }) });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
  return {
    ...app,
    config,
    clock,
    mailbox,
    logs,
    rawLogs: () => raw,
    gql: (query, variables, options) => gql(app.url, query, variables, options),
    sql: async (text, params) => (await pool.query(text, params)).rows,
    async stop() {
      await app.stop();
      await pool.end();
      await mailbox?.close();
    },
  };
}

export async function gql<T>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  options: GqlOptions = {},
): Promise<GqlResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: T | null; errors?: GqlResult<T>['errors'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // non-JSON bodies are asserted through `text`
  }
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors, text };
}

let counter = 0;
/** An email no other test uses. */
export const uniqueEmail = (label = 'user'): string =>
  `${label}.${Date.now().toString(36)}.${process.pid}.${++counter}.${randomBytes(3).toString('hex')}@example.test`;

export const STRONG_PASSWORD = 'correct horse battery staple';

/**
 * TRUSTED_PROXIES for an app whose X-Forwarded-For is believed when it comes from the test itself (the
 * loopback client), so that each request can name a client address of its own (see `freshClientIp`).
 */
export const TRUSTED_LOOPBACK = '127.0.0.1,::1,::ffff:127.0.0.1';

let clientIpCounter = 0;
/**
 * An X-Forwarded-For header naming a client address no earlier call of this test file returned (198.18.0.1
 * and counting up, in the 198.18.0.0/15 benchmarking range), so per-IP rate limits never interfere. The app
 * honours it only when started with `TRUSTED_PROXIES: TRUSTED_LOOPBACK`.
 */
export function freshClientIp(): { 'x-forwarded-for': string } {
  const n = ++clientIpCounter;
  if (n >= 1 << 17) throw new Error('freshClientIp: 198.18.0.0/15 is used up');
  return { 'x-forwarded-for': `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}` };
}

/** Request options from a fresh client address (`freshClientIp`), with the access token if one is given. */
export const fromFreshClient = (token?: string): GqlOptions => ({ token, headers: freshClientIp() });

/** A scratch database of the test's own (migrated by the app that starts on it), dropped by `drop()`. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  const name = `ff_scratch_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin.query(`create database ${name}`);
  return {
    url: withDatabase(inject('adminDatabaseUrl'), name),
    async drop() {
      // An app's stop() can resolve while its pooled sockets are still closing; forcing the drop then would
      // kill them mid-close (an unhandled 57P01 in the worker). Give them a moment to go first.
      for (let tries = 0; tries < 100; tries++) {
        const { rows } = await admin.query<{ open: string }>(
          'select count(*) as open from pg_stat_activity where datname = $1',
          [name],
        );
        if (Number(rows[0]!.open) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
