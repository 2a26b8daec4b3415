import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/shared/net.js';
import {
  gql,
  realDatabase,
  realRedis,
  STRONG_PASSWORD,
  uniqueEmail,
  type GqlResult,
} from '../helpers/app.js';
import { LOGIN, ME, REFRESH, REGISTER, codeOf, confirmEmail, type Tokens } from '../helpers/auth.js';
import { startMailbox, type Mailbox } from '../helpers/mailbox.js';
import { TEST_REDIS_URL } from '../helpers/environment.js';
import {
  exitWithin,
  spawnApi,
  startRedisServer,
  waitForHttp,
  type ApiProcess,
  type ChildServer,
} from '../helpers/server-process.js';

/**
 * Each API process remembers the callers of live sessions (CallerCache) and forgets them when another
 * process publishes a change (SessionEvents). Two processes on one PostgreSQL and one Redis: a change made
 * through one must hold on the other in the very next request, and with Redis gone every process must
 * fall back to PostgreSQL. `/metrics` tells where each caller came from: `hit` (memory), `miss` (the
 * database, then remembered), `unsubscribed` (the database, not remembered).
 */

const TIMEOUT = 120_000;
const LOGOUT = `mutation Logout($everywhere: Boolean! = false) { logout(everywhere: $everywhere) }`;
const ACCOUNTS = `query Accounts($familyId: ID) { accounts(familyId: $familyId) { id name } }`;
const CREATE_ACCOUNT = `mutation CreateAccount($input: CreateAccountInput!) { createAccount(input: $input) { id } }`;
const FAMILIES = `query { families { id } }`;

type Lookups = Record<'hit' | 'miss' | 'unsubscribed', number>;

async function metrics(on: ApiProcess): Promise<{ lookups: Lookups; listening: number }> {
  const text = await (await fetch(`${on.url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 'NaN');
  return {
    lookups: {
      hit: value(/^caller_lookups_total\{result="hit"\} (\d+)/m),
      miss: value(/^caller_lookups_total\{result="miss"\} (\d+)/m),
      unsubscribed: value(/^caller_lookups_total\{result="unsubscribed"\} (\d+)/m),
    },
    listening: value(/^caller_cache_listening (\d+)/m),
  };
}

/** Runs `request` on `on` and returns where its caller came from. */
async function lookupOf<T>(
  on: ApiProcess,
  request: () => Promise<T>,
): Promise<{ result: T; source: string }> {
  const before = (await metrics(on)).lookups;
  const result = await request();
  const after = (await metrics(on)).lookups;
  const grew = (Object.keys(after) as (keyof Lookups)[]).filter((k) => after[k] > before[k]);
  return { result, source: grew.join(',') || 'none' };
}

async function waitForListening(on: ApiProcess, listening: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while ((await metrics(on)).listening !== listening) {
    if (Date.now() - started > timeoutMs) throw new Error(`${on.url} listening != ${listening}`);
    await sleep(100);
  }
  return Date.now() - started;
}

function expectOk<T>(result: GqlResult<T>): T {
  expect(result.errors, result.text).toBeUndefined();
  return result.data!;
}

function expectRefused(result: GqlResult<unknown>): void {
  expect({ status: result.status, code: codeOf(result) }, result.text).toEqual({
    status: 401,
    code: 'UNAUTHENTICATED',
  });
  expect(result.data ?? null).toBeNull();
}

const started: ApiProcess[] = [];
/** Where the processes send their mail: registering users confirm their address through it. */
let mailbox: Mailbox;
beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await mailbox?.close();
});
afterAll(() => {
  for (const on of started) {
    if (on.stderr() !== '') process.stderr.write(`--- API on ${on.port} stderr:\n${on.stderr()}\n`);
  }
});

function replicaEnv(redisUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_MAX: '3',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `fftest:callers:${randomUUID()}:`,
    SMTP_URL: mailbox.url,
  };
}

async function startReplicas(env: Record<string, string>): Promise<[ApiProcess, ApiProcess]> {
  const a = await spawnApi(env);
  const b = await spawnApi(env);
  started.push(a, b);
  await Promise.all([waitForHttp(a, '/readyz', 90_000), waitForHttp(b, '/readyz', 90_000)]);
  return [a, b];
}

async function register(on: ApiProcess): Promise<Tokens & { email: string }> {
  const email = uniqueEmail('callers');
  const result = await gql<{ register: Tokens }>(on.url, REGISTER, {
    input: { email, password: STRONG_PASSWORD, firstName: 'Cache' },
  });
  if (!result.data?.register) throw new Error(`register failed: ${result.text}`);
  await confirmEmail(mailbox, on.url, email);
  return { ...result.data.register, email };
}

/** `request` answered from memory on `on`: it ran once from the database first if need be. */
async function rememberedOn<T>(on: ApiProcess, request: () => Promise<GqlResult<T>>): Promise<T> {
  expectOk(await request());
  const { result, source } = await lookupOf(on, request);
  expect(source).toBe('hit');
  return expectOk(result);
}

describe.runIf(realRedis && realDatabase)('callers remembered per process, told of every change', () => {
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    [a, b] = await startReplicas(replicaEnv(TEST_REDIS_URL));
  }, TIMEOUT);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  }, 60_000);

  it(
    'logout on one process: the token the other accepted from memory a moment ago is refused there next',
    async () => {
      const user = await register(a);
      const me = () => gql<{ me: { email: string } }>(b.url, ME, {}, { token: user.accessToken });
      expect((await rememberedOn(b, me)).me.email).toBe(user.email);

      expect(
        expectOk(await gql<{ logout: boolean }>(a.url, LOGOUT, {}, { token: user.accessToken })),
      ).toEqual({
        logout: true,
      });
      expectRefused(await me());
    },
    TIMEOUT,
  );

  it(
    'revokeSession on one process: the revoked session is refused on the other in the next request',
    async () => {
      const user = await register(a);
      const me = () => gql<{ me: { email: string } }>(b.url, ME, {}, { token: user.accessToken });
      await rememberedOn(b, me);
      const { sessions } = expectOk(
        await gql<{ sessions: { id: string; current: boolean }[] }>(
          a.url,
          `query { sessions { id current } }`,
          {},
          { token: user.accessToken },
        ),
      );
      expect(
        expectOk(
          await gql<{ revokeSession: boolean }>(
            a.url,
            `mutation($id: ID!) { revokeSession(id: $id) }`,
            { id: sessions.find((session) => session.current)!.id },
            { token: user.accessToken },
          ),
        ),
      ).toEqual({ revokeSession: true });
      expectRefused(await me());
    },
    TIMEOUT,
  );

  it(
    'a member demoted, then removed, on one process loses that access on the other in the next request',
    async () => {
      const owner = await register(a);
      const familyId = expectOk(
        await gql<{ families: { id: string }[] }>(a.url, FAMILIES, {}, { token: owner.accessToken }),
      ).families[0]!.id;
      const invite = expectOk(
        await gql<{ createInvite: { code: string } }>(
          a.url,
          `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
          { input: { familyId, role: 'MEMBER' } },
          { token: owner.accessToken },
        ),
      );
      const member = await register(a);
      expectOk(
        await gql(
          a.url,
          `mutation($code: String!) { joinFamily(code: $code) { id } }`,
          { code: invite.createInvite.code },
          { token: member.accessToken },
        ),
      );
      const createAccount = (name: string) =>
        gql<{ createAccount: { id: string } }>(
          b.url,
          CREATE_ACCOUNT,
          { input: { familyId, name, type: 'CASH' } },
          { token: member.accessToken },
        );
      const accounts = () =>
        gql<{ accounts: { name: string }[] }>(b.url, ACCOUNTS, { familyId }, { token: member.accessToken });
      expectOk(await createAccount('Kept as a member'));
      await rememberedOn(b, accounts);

      expectOk(
        await gql(
          a.url,
          `mutation($familyId: ID!, $userId: ID!) { changeMemberRole(familyId: $familyId, userId: $userId, role: VIEWER) { role } }`,
          { familyId, userId: member.user.id },
          { token: owner.accessToken },
        ),
      );
      const demoted = await createAccount('Refused as a viewer');
      expect(codeOf(demoted), demoted.text).toBe('FORBIDDEN');
      expect(demoted.data ?? null).toBeNull();

      expect((await rememberedOn(b, accounts)).accounts.map((x) => x.name)).toContain('Kept as a member');
      expectOk(
        await gql(
          a.url,
          `mutation($familyId: ID!, $userId: ID!) { removeMember(familyId: $familyId, userId: $userId) }`,
          { familyId, userId: member.user.id },
          { token: owner.accessToken },
        ),
      );
      const removed = await accounts();
      expect(codeOf(removed), removed.text).toBe('NOT_FOUND');
      expect(removed.data ?? null).toBeNull();
    },
    TIMEOUT,
  );

  it(
    'a password change on one process ends the other sessions the other process remembers',
    async () => {
      const user = await register(a);
      const second = expectOk(
        await gql<{ login: Tokens }>(b.url, LOGIN, {
          input: { email: user.email, password: STRONG_PASSWORD },
        }),
      ).login;
      const meWith = (token: string) => () => gql<{ me: { email: string } }>(b.url, ME, {}, { token });
      await rememberedOn(b, meWith(second.accessToken));
      await rememberedOn(b, meWith(user.accessToken));

      expectOk(
        await gql(
          a.url,
          `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`,
          { input: { currentPassword: STRONG_PASSWORD, newPassword: `${STRONG_PASSWORD} again` } },
          { token: user.accessToken },
        ),
      );
      expectRefused(await meWith(second.accessToken)());
      // The session that changed the password goes on.
      expect(expectOk(await meWith(user.accessToken)()).me.email).toBe(user.email);
    },
    TIMEOUT,
  );

  it(
    'every other change a caller carries makes the other process read it again: new family, default family, settings, joining, leaving, logout everywhere, a reused refresh token',
    async () => {
      const user = await register(a);
      const token = user.accessToken;
      const accounts = () => gql<{ accounts: { id: string }[] }>(b.url, ACCOUNTS, {}, { token });
      const personal = (await rememberedOn(b, accounts)).accounts.map((x) => x.id);
      expect(personal).toHaveLength(1);

      /** After `change` on process A, B's next request for the user reads PostgreSQL again. */
      const forgottenAfter = async (what: string, change: () => Promise<GqlResult<unknown>>) => {
        await rememberedOn(b, accounts);
        expectOk(await change());
        const { result, source } = await lookupOf(b, accounts);
        expect({ what, source }).toEqual({ what, source: 'miss' });
        return expectOk(result).accounts.map((x) => x.id);
      };

      let created = '';
      const createFamily = async () => {
        const result = await gql<{ createFamily: { id: string } }>(
          a.url,
          `mutation { createFamily(input: { name: "Second" }) { id } }`,
          {},
          { token },
        );
        created = result.data?.createFamily.id ?? '';
        return result;
      };
      expect(await forgottenAfter('createFamily', createFamily)).toEqual(personal);
      // The new family, without accounts, is the default on B at once.
      const setDefault = () =>
        gql(a.url, `mutation($id: ID!) { setDefaultFamily(id: $id) { id } }`, { id: created }, { token });
      expect(await forgottenAfter('setDefaultFamily', setDefault)).toEqual([]);
      const updateFamily = () =>
        gql(
          a.url,
          `mutation($id: ID!) { updateFamily(id: $id, input: { timeZone: "Europe/Berlin" }) { id } }`,
          { id: created },
          { token },
        );
      expect(await forgottenAfter('updateFamily', updateFamily)).toEqual([]);

      const host = await register(a);
      const hostFamily = expectOk(
        await gql<{ families: { id: string }[] }>(a.url, FAMILIES, {}, { token: host.accessToken }),
      ).families[0]!.id;
      const hostCash = expectOk(
        await gql<{ accounts: { id: string }[] }>(a.url, ACCOUNTS, {}, { token: host.accessToken }),
      ).accounts.map((x) => x.id);
      const invite = expectOk(
        await gql<{ createInvite: { code: string } }>(
          a.url,
          `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
          { input: { familyId: hostFamily } },
          { token: host.accessToken },
        ),
      ).createInvite.code;
      // Joining makes the household the default family.
      const join = () =>
        gql(
          a.url,
          `mutation($code: String!) { joinFamily(code: $code) { id } }`,
          { code: invite },
          { token },
        );
      expect(await forgottenAfter('joinFamily', join)).toEqual(hostCash);
      const leave = () =>
        gql(a.url, `mutation($id: ID!) { leaveFamily(familyId: $id) }`, { id: hostFamily }, { token });
      expect(await forgottenAfter('leaveFamily', leave)).not.toEqual(hostCash);

      // A replayed refresh token (two rotations old, so not a race) ends its session everywhere.
      const rotated = expectOk(
        await gql<{ refreshToken: Tokens }>(a.url, REFRESH, { token: user.refreshToken }),
      ).refreshToken;
      expectOk(await gql(a.url, REFRESH, { token: rotated.refreshToken }));
      const meRotated = () => gql(b.url, ME, {}, { token: rotated.accessToken });
      await rememberedOn(b, meRotated);
      const replay = await gql(a.url, REFRESH, { token: user.refreshToken });
      expect(codeOf(replay), replay.text).toBe('REFRESH_TOKEN_REUSED');
      expectRefused(await meRotated());

      // Logging out everywhere ends a session the other process remembers.
      const again = expectOk(
        await gql<{ login: Tokens }>(a.url, LOGIN, {
          input: { email: host.email, password: STRONG_PASSWORD },
        }),
      ).login;
      const meHost = () => gql(b.url, ME, {}, { token: host.accessToken });
      await rememberedOn(b, meHost);
      expectOk(await gql(a.url, LOGOUT, { everywhere: true }, { token: again.accessToken }));
      expectRefused(await meHost());
    },
    TIMEOUT,
  );
});

describe.runIf(realDatabase)(
  'Redis unreachable: callers come from PostgreSQL, revocation stays immediate',
  () => {
    let redis: ChildServer | undefined;
    let a: ApiProcess | undefined;
    let b: ApiProcess | undefined;
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      redis?.child.kill('SIGCONT');
      await redis?.stop(2000);
    }, 60_000);

    it(
      'stops remembering while the subscription is down, and starts again once it is back',
      async () => {
        const port = await freePort();
        redis = await startRedisServer(port);
        [a, b] = await startReplicas(replicaEnv(`redis://127.0.0.1:${port}`));
        const [first, second] = [await register(a), await register(a)];
        const me = (token: string) => () => gql<{ me: { email: string } }>(b!.url, ME, {}, { token });
        await rememberedOn(b, me(first.accessToken));
        await rememberedOn(b, me(second.accessToken));

        redis.child.kill('SIGKILL');
        await exitWithin(redis, 10_000);

        // At once, before any heartbeat: signed-in requests go on, each checked in PostgreSQL.
        for (let i = 0; i < 2; i++) {
          const { result, source } = await lookupOf(b, me(first.accessToken));
          expect(expectOk(result).me.email).toBe(first.email);
          expect(source).toBe('unsubscribed');
        }
        // Logout still answers, and the other process refuses the token in the very next request.
        expect(expectOk(await gql(a.url, LOGOUT, {}, { token: first.accessToken }))).toEqual({
          logout: true,
        });
        expectRefused(await me(first.accessToken)());

        redis = await startRedisServer(port);
        await Promise.all([waitForListening(a, 1, 15_000), waitForListening(b, 1, 15_000)]);
        // What it knew before the outage is gone: read again, then remembered again.
        const { source } = await lookupOf(b, me(second.accessToken));
        expect(source).toBe('miss');
        await rememberedOn(b, me(second.accessToken));

        // A Redis that stops answering but keeps its connections open: the publisher cannot confirm the
        // logout, and answers once every subscriber's heartbeat has found its connection dead.
        redis.child.kill('SIGSTOP');
        const started = Date.now();
        expect(expectOk(await gql(a.url, LOGOUT, {}, { token: second.accessToken }))).toEqual({
          logout: true,
        });
        expect(Date.now() - started, 'logout waits for Redis only briefly').toBeLessThan(5000);
        expectRefused(await me(second.accessToken)());
        expect((await metrics(b)).listening).toBe(0);
        redis.child.kill('SIGCONT');
      },
      TIMEOUT,
    );
  },
);
