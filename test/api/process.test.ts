import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, inject, it, onTestFailed } from 'vitest';
import { gql, realRedis, STRONG_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { ME, REGISTER, type Tokens } from '../helpers/auth.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import { exitWithin, spawnApi, waitForHttp, type ApiProcess } from '../helpers/server-process.js';

const TIMEOUT = 90_000;

const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

afterEach(() => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The API as its own process, logging at info, killed after the test; its output is printed if the test fails. */
async function spawnServer(env: Record<string, string>): Promise<ApiProcess> {
  const server = await spawnApi({ LOG_LEVEL: 'info', ...env });
  running.add(server.child);
  onTestFailed(() => {
    process.stderr.write(
      `--- server on port ${server.port}, stdout:\n${server.stdout()}\n--- stderr:\n${server.stderr()}\n`,
    );
  });
  return server;
}

/** The environment of the test harness: the run's database and the real Redis (or none). */
function harnessEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATABASE_URL: inject('databaseUrl'),
    // The run's embedded database (admin URL = run URL) serves one connection at a time.
    DATABASE_POOL_MAX: inject('adminDatabaseUrl') === inject('databaseUrl') ? '1' : '5',
    REDIS_URL: realRedis ? TEST_REDIS_URL : '',
    REDIS_KEY_PREFIX: `fftest:${randomUUID()}:`,
  };
}

function connectionRefused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.connect(port, '127.0.0.1');
  });
}

interface RawResult {
  email: string;
  /** An HTTP status, or the client-side error code (ECONNRESET, ...) when no response came. */
  outcome: number | string;
  body: { data?: { register?: Tokens } | null; errors?: unknown[] } | undefined;
  /** When the response (or the error) arrived. */
  at: number;
}

/**
 * A register mutation on a connection of its own, sent with `Expect: 100-continue`: `accepted` resolves
 * once the server has parsed the request head (Node answers 100 Continue as it emits 'request') and the
 * body is on the wire, so the request is in flight, not merely queued in the kernel.
 */
function registerRaw(url: string, email: string): { accepted: Promise<void>; result: Promise<RawResult> } {
  const payload = JSON.stringify({
    query: REGISTER,
    variables: { input: { email, password: STRONG_PASSWORD, firstName: 'Drain', lastName: 'Test' } },
  });
  let accepted!: () => void;
  const acceptedPromise = new Promise<void>((resolve) => (accepted = resolve));
  const result = new Promise<RawResult>((resolve) => {
    const fail = (error: NodeJS.ErrnoException) => {
      accepted();
      resolve({ email, outcome: error.code ?? error.message, body: undefined, at: Date.now() });
    };
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          expect: '100-continue',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('error', fail);
        res.on('end', () => {
          let body: RawResult['body'];
          try {
            body = JSON.parse(text) as RawResult['body'];
          } catch {
            body = undefined;
          }
          resolve({ email, outcome: res.statusCode ?? 0, body, at: Date.now() });
        });
      },
    );
    req.on('continue', () => req.end(payload, () => accepted()));
    req.on('error', fail);
    req.flushHeaders();
  });
  return { accepted: acceptedPromise, result };
}

describe('the server as a process', () => {
  it(
    'drains in-flight requests on SIGTERM, then exits 0 and frees the port',
    async () => {
      const env = harnessEnv();
      const server = await spawnServer(env);
      await waitForHttp(server, '/healthz', 60_000);

      // Warm up (first-request compilation) so the burst below is read by the server within milliseconds.
      const warmEmail = uniqueEmail('warm');
      const warm = await gql<{ register: Tokens }>(server.url, REGISTER, {
        input: { email: warmEmail, password: STRONG_PASSWORD, firstName: 'Warm' },
      });
      expect(warm.status).toBe(200);
      expect(warm.data?.register.user.email).toBe(warmEmail);

      const emails = Array.from({ length: 20 }, () => uniqueEmail('drain'));
      const requests = emails.map((email) => registerRaw(server.url, email));
      await Promise.all(requests.map((r) => r.accepted));
      await sleep(30);
      const killedAt = Date.now();
      server.child.kill('SIGTERM');

      const [results, exit] = await Promise.all([
        Promise.all(requests.map((r) => r.result)),
        exitWithin(server, 15_000),
      ]);

      // Every accepted request was answered in full, none was cut off.
      for (const result of results) {
        expect({ email: result.email, outcome: result.outcome }).toEqual({
          email: result.email,
          outcome: 200,
        });
        expect(result.body?.errors).toBeUndefined();
        expect(result.body?.data?.register?.user.email).toBe(result.email);
        expect(result.body?.data?.register?.accessToken).toEqual(expect.any(String));
      }
      // The signal really arrived while registrations were still running.
      expect(results.filter((r) => r.at > killedAt).length).toBeGreaterThan(0);

      expect(exit).toEqual({ code: 0, signal: null });
      const messages = server
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { msg?: string }).msg);
      expect(messages).toContain('shutting down: draining requests');
      expect(messages).toContain('stopped');
      expect(server.stderr()).toBe('');
      expect(await connectionRefused(server.port)).toBe('ECONNREFUSED');

      // What the API confirmed is in the database.
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ email: string }>(
          'select email from app_user where email = any($1)',
          [[warmEmail, ...emails]],
        );
        expect(rows.map((r) => r.email).sort()).toEqual([warmEmail, ...emails].sort());
      } finally {
        await client.end();
      }
    },
    TIMEOUT,
  );

  it(
    'refuses to start in production with a short JWT_SECRET: one stderr line, no stack trace',
    async () => {
      const server = await spawnServer({ ...harnessEnv(), NODE_ENV: 'production', JWT_SECRET: 'short' });
      const exit = await exitWithin(server, 30_000);
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const lines = server.stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('JWT_SECRET');
      expect(server.stderr()).not.toMatch(/^\s+at /m);
      expect(server.stderr()).not.toContain('short');
      expect(await connectionRefused(server.port)).toBe('ECONNREFUSED');
    },
    TIMEOUT,
  );

  it('runs with no DATABASE_URL and no REDIS_URL: embedded PostgreSQL and the in-process store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ff-embedded-'));
    tempDirs.push(dataDir);
    const server = await spawnServer({ NODE_ENV: 'development', DATA_DIR: dataDir });
    // A fresh PGlite needs ~10 s to start on an idle machine; much more on a busy one.
    await waitForHttp(server, '/healthz', 75_000);

    const email = uniqueEmail('embedded');
    const registered = await gql<{ register: Tokens }>(server.url, REGISTER, {
      input: { email, password: STRONG_PASSWORD, firstName: 'Embedded' },
    });
    expect(registered.status).toBe(200);
    expect(registered.errors).toBeUndefined();
    const token = registered.data?.register.accessToken;
    expect(token).toEqual(expect.any(String));
    const me = await gql<{ me: { email: string; firstName: string } }>(server.url, ME, {}, { token });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ email, firstName: 'Embedded' });

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'ok', store: 'ok' });

    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 30_000)).toEqual({ code: 0, signal: null });
    expect(await connectionRefused(server.port)).toBe('ECONNREFUSED');

    expect(readdirSync(dataDir).sort()).toEqual(['jwt-secret', 'mail', 'pgdata']);
    // Without SMTP_URL, start-up says where mail goes; the sign-up's confirmation mail is there as an
    // .eml file, and (in development) in the log with its link.
    const lines = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; mail?: { to: string; file: string; text: string } });
    expect(
      lines.some((l) => l.msg?.includes('SMTP_URL is unset') && l.msg.includes(path.join(dataDir, 'mail'))),
    ).toBe(true);
    const mails = readdirSync(path.join(dataDir, 'mail'));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/\.eml$/);
    const logged = lines.find((l) => l.mail?.to === email);
    expect(logged?.mail?.file).toBe(path.join(dataDir, 'mail', mails[0]!));
    expect(logged?.mail?.text).toMatch(/\/verify#token=[A-Za-z0-9_-]{43}/);
    expect(existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(Buffer.byteLength(readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim())).toBeGreaterThan(
      32,
    );
  }, 120_000);
});
