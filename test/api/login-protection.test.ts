import { createHash, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  fromFreshClient,
  realRedis,
  startTestApp,
  uniqueEmail,
  type TestApp,
} from '../helpers/app.js';
import { REGISTER, codeOf, login, refresh, registerUser } from '../helpers/auth.js';

const INVALID_CREDENTIALS = 'INVALID_CREDENTIALS';

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

type LoginResult = Awaited<ReturnType<typeof login>>;

/** The single error of a failed login, checked to be a failure without data. */
function failure(result: LoginResult) {
  expect(result.data?.login ?? null).toBeNull();
  expect(result.errors).toHaveLength(1);
  return result.errors![0]!;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const SECOND = 1000;
/** What a login may take besides the throttle's delay (argon2 and the request) on a loaded machine. */
const REQUEST_ALLOWANCE_MS = 2500;
/** Tests that make dozens of argon2 logins: give them room on a loaded 2-core machine. */
const SLOW = { timeout: 120_000 };

describe('login protection (SECURITY.md L1, L2, L4)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  // A failed start leaves `app` unset; its error is the one to see.
  afterAll(() => app?.stop());

  const sessionsOf = async (userId: string): Promise<number> => {
    const rows = await app.sql<{ n: string }>('select count(*) as n from auth_session where user_id = $1', [
      userId,
    ]);
    return Number(rows[0]!.n);
  };

  it('L1: unknown email, wrong password and an account without a password answer the same INVALID_CREDENTIALS', async () => {
    const user = await registerUser(app, {}, fromFreshClient());

    // An account that exists and has an email, but no password (signed up through Telegram).
    const noPasswordEmail = uniqueEmail('tgonly');
    const [tgUser] = await app.sql<{ id: string }>(
      `insert into app_user (id, email, password_hash, telegram_id, first_name, created_at)
       values (gen_random_uuid(), $1, null, $2, 'Tg', now()) returning id`,
      [noPasswordEmail, String(randomInt(1, 2 ** 47))],
    );

    const unknown = await login(app, uniqueEmail('nobody'), STRONG_PASSWORD, fromFreshClient());
    const wrong = await login(app, user.email, `${STRONG_PASSWORD}!`, fromFreshClient());
    const noPassword = await login(app, noPasswordEmail, STRONG_PASSWORD, fromFreshClient());
    const noPasswordEmpty = await login(app, noPasswordEmail, '', fromFreshClient());

    const reference = failure(wrong);
    expect(reference.extensions).toEqual({ code: INVALID_CREDENTIALS });
    expect(reference.message).toBe('The email or password is incorrect.');
    for (const [label, result] of Object.entries({ unknown, noPassword, noPasswordEmpty })) {
      expect(result.status, label).toBe(wrong.status);
      expect(codeOf(result), label).toBe(INVALID_CREDENTIALS);
      // Same message, same extensions, same everything.
      expect(failure(result), label).toEqual(reference);
    }
    expect(wrong.status).toBe(200);
    expect(await sessionsOf(user.user.id)).toBe(1); // only the one from register
    expect(await sessionsOf(tgUser!.id)).toBe(0);
  });

  it('L2: an unknown email takes as long as a wrong password (medians of 30 within 20 %)', SLOW, async () => {
    const SAMPLES = 30;
    // Below the 10 failures (warm-up included) from which an account is under attack and delays logins.
    const PER_ACCOUNT = 6;
    const accounts: Awaited<ReturnType<typeof registerUser>>[] = [];
    for (let i = 0; i < Math.ceil(SAMPLES / PER_ACCOUNT); i++) {
      accounts.push(await registerUser(app, {}, fromFreshClient()));
    }

    const timeLogin = async (email: string, password: string): Promise<number> => {
      const options = fromFreshClient();
      const started = performance.now();
      const result = await login(app, email, password, options);
      const elapsed = performance.now() - started;
      expect(codeOf(result)).toBe(INVALID_CREDENTIALS);
      return elapsed;
    };
    const unknownLogin = () => timeLogin(uniqueEmail('ghost'), 'a wrong but plausible password');
    const wrongLogin = (i: number) =>
      timeLogin(accounts[i % accounts.length]!.email, 'a wrong but plausible password');

    // Warm up both paths (JIT, connection pool, the lazily made dummy hash).
    for (let i = 0; i < 3; i++) {
      await unknownLogin();
      await wrongLogin(i);
    }
    const unknownTimes: number[] = [];
    const wrongTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate which kind goes first, so drift in machine load hits both alike.
      if (i % 2 === 0) {
        unknownTimes.push(await unknownLogin());
        wrongTimes.push(await wrongLogin(i));
      } else {
        wrongTimes.push(await wrongLogin(i));
        unknownTimes.push(await unknownLogin());
      }
    }
    const unknownMedian = median(unknownTimes);
    const wrongMedian = median(wrongTimes);
    const ratio = Math.max(unknownMedian, wrongMedian) / Math.min(unknownMedian, wrongMedian);
    expect(
      ratio,
      `median unknown email ${unknownMedian.toFixed(1)} ms, wrong password ${wrongMedian.toFixed(1)} ms`,
    ).toBeLessThanOrEqual(1.2);
  });

  describe('L4: per-client pause and per-account delay, no lockout switch', () => {
    const WRONG = 'not the password at all';
    /** Wrong passwords from `times` different clients, each answered INVALID_CREDENTIALS. */
    const failTimes = async (email: string, times: number): Promise<ReturnType<typeof failure>> => {
      let last: ReturnType<typeof failure> | undefined;
      for (let i = 0; i < times; i++) {
        last = failure(await login(app, email, WRONG, fromFreshClient()));
        expect(last.extensions?.code).toBe(INVALID_CREDENTIALS);
      }
      return last!;
    };
    const rightPassword = (user: { email: string; password: string }, options = fromFreshClient()) =>
      login(app, user.email, user.password, options);
    const timed = async <T>(action: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now();
      const result = await action();
      return [result, performance.now() - started];
    };
    /** A paused client: TOO_MANY_REQUESTS, HTTP 429, and a retry hint of `retryAfter` seconds. */
    const expectPaused = (result: LoginResult, retryAfter: number) => {
      expect(result.status, result.text).toBe(429);
      expect(failure(result).extensions).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfter });
      expect(result.headers.get('retry-after')).toBe(String(retryAfter));
    };
    const expectSignedIn = (result: LoginResult, email: string) => {
      expect(result.errors, result.text).toBeUndefined();
      expect(result.data?.login.user.email).toBe(email);
    };

    it(
      'L4: the owner still gets in: after 10 wrong passwords from elsewhere the right one succeeds',
      SLOW,
      async () => {
        const user = await registerUser(app, {}, fromFreshClient());
        await failTimes(user.email, 10);
        // The account is under attack now: the owner's attempt waits the first delay (250 ms), no more.
        const [owner, elapsed] = await timed(() => rightPassword(user));
        expectSignedIn(owner, user.email);
        expect(elapsed).toBeGreaterThanOrEqual(250);
        expect(elapsed).toBeLessThan(250 + REQUEST_ALLOWANCE_MS);
        // The same owner keeps getting in, again and again, while the attack goes on.
        await failTimes(user.email, 2);
        expectSignedIn(await rightPassword(user), user.email);
      },
    );

    it(
      'L4: a client that keeps failing is paused on that account (429 with retryAfter, 60 s doubling to 15 min); nobody else is',
      SLOW,
      async () => {
        const user = await registerUser(app, {}, fromFreshClient());
        const other = await registerUser(app, {}, fromFreshClient());
        const attacker = from('192.0.2.10');
        for (let i = 1; i <= 5; i++) {
          expect(codeOf(await login(app, user.email, WRONG, attacker)), `failure ${i}`).toBe(
            INVALID_CREDENTIALS,
          );
        }
        // Paused before anything is checked: the right password from that client gets the same answer.
        expectPaused(await login(app, user.email, WRONG, attacker), 60);
        expectPaused(await rightPassword(user, attacker), 60);
        // The owner elsewhere, and the attacker's client on another account, are not affected.
        expectSignedIn(await rightPassword(user), user.email);
        expect(codeOf(await login(app, other.email, WRONG, attacker))).toBe(INVALID_CREDENTIALS);
        expectSignedIn(await rightPassword(other, attacker), other.email);

        // Each failure after a pause doubles the next one, up to 15 minutes.
        for (const pause of [60, 120, 240, 480, 900]) {
          app.clock.advance((pause - 1) * SECOND);
          expectPaused(await login(app, user.email, WRONG, attacker), 1);
          app.clock.advance(1 * SECOND);
          expect(codeOf(await login(app, user.email, WRONG, attacker)), `after ${pause} s`).toBe(
            INVALID_CREDENTIALS,
          );
          const next = Math.min(pause * 2, 900);
          expectPaused(await login(app, user.email, WRONG, attacker), next);
        }
      },
    );

    it("L4: the right password clears the client's failures", SLOW, async () => {
      const user = await registerUser(app, {}, fromFreshClient());
      const client = from('192.0.2.20');
      for (let i = 0; i < 4; i++)
        expect(codeOf(await login(app, user.email, WRONG, client))).toBe(INVALID_CREDENTIALS);
      expectSignedIn(await rightPassword(user, client), user.email);
      // Without the reset the fifth failure would pause the client, and what follows would be refused.
      for (let i = 0; i < 4; i++)
        expect(codeOf(await login(app, user.email, WRONG, client))).toBe(INVALID_CREDENTIALS);
      expectSignedIn(await rightPassword(user, client), user.email);
    });

    it(
      'L4: a distributed guesser gets one wrong guess per client once the account is under attack, every guess waits (at most 2 s), and the owner still gets in',
      SLOW,
      async () => {
        const user = await registerUser(app, {}, fromFreshClient());
        await failTimes(user.email, 10);

        // A new client on an account under attack: its first wrong guess is answered, after the delay...
        const guesser = from('192.0.2.30');
        const [guess, elapsed] = await timed(() => login(app, user.email, WRONG, guesser));
        expect(codeOf(guess)).toBe(INVALID_CREDENTIALS);
        expect(elapsed).toBeGreaterThanOrEqual(250);
        // ...and pauses it: no second guess from there for a minute.
        expectPaused(await login(app, user.email, 'another guess', guesser), 60);

        // Thirty more addresses at once, one guess each: all answered, none signed in.
        const burst = await Promise.all(
          Array.from({ length: 30 }, (_, i) => login(app, user.email, `guess ${i}`, fromFreshClient())),
        );
        for (const result of burst) expect(codeOf(result)).toBe(INVALID_CREDENTIALS);

        // 41 failures: the delay is at its cap of 2 s, and the owner pays that and gets in.
        const [owner, ownerElapsed] = await timed(() => rightPassword(user));
        expectSignedIn(owner, user.email);
        expect(ownerElapsed).toBeGreaterThanOrEqual(2000);
        expect(ownerElapsed).toBeLessThan(2000 + REQUEST_ALLOWANCE_MS);
        // Unknown emails are counted the same way, so the throttle tells nothing about who is registered.
        const ghost = uniqueEmail('ghost');
        const unknownClient = from('192.0.2.31');
        for (let i = 0; i < 5; i++)
          expect(codeOf(await login(app, ghost, WRONG, unknownClient))).toBe(INVALID_CREDENTIALS);
        expectPaused(await login(app, ghost, WRONG, unknownClient), 60);
      },
    );
  });
});

describe('per-IP rate limits (SECURITY.md L3)', () => {
  const apps: TestApp[] = [];
  const start = async (env: Partial<Env> = {}) => {
    const started = await startTestApp(env);
    apps.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
  });

  /** Asserts a TOO_MANY_REQUESTS answer: code, retryAfter within the window, HTTP 429 and Retry-After. */
  function expectLimited(
    result: { status: number; headers: Headers; data: unknown; errors?: LoginResult['errors'] },
    windowSeconds: number,
  ) {
    expect(result.status).toBe(429);
    expect(result.errors).toHaveLength(1);
    const error = result.errors![0]!;
    expect(error.extensions?.code).toBe('TOO_MANY_REQUESTS');
    const retryAfter = error.extensions?.retryAfter;
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    expect(result.headers.get('retry-after')).toBe(String(retryAfter));
    const data = result.data as Record<string, unknown> | null | undefined;
    expect(Object.values(data ?? {}).every((v) => v === null)).toBe(true);
  }

  const wrongLogin = (target: TestApp, options = {}) =>
    login(target, uniqueEmail('rl'), 'a wrong but plausible password', options);

  it(
    'L3: the 31st login from one IP within a minute gets TOO_MANY_REQUESTS, HTTP 429 and Retry-After',
    SLOW,
    async () => {
      const app = await start();
      const user = await registerUser(app);
      for (let i = 1; i <= 30; i++) {
        const result = await wrongLogin(app);
        expect(codeOf(result), `login ${i}`).toBe(INVALID_CREDENTIALS);
        expect(result.status).toBe(200);
      }
      // Even the right password is refused now, before it is checked.
      const limited = await login(app, user.email, user.password);
      expectLimited(limited, 60);
      expectLimited(await wrongLogin(app), 60);
      const sessions = await app.sql<{ n: string }>(
        'select count(*) as n from auth_session where user_id = $1',
        [user.user.id],
      );
      expect(Number(sessions[0]!.n)).toBe(1); // the one from register
    },
  );

  it(
    'L3: the 31st refreshToken from one IP within a minute gets TOO_MANY_REQUESTS, HTTP 429 and Retry-After',
    SLOW,
    async () => {
      const app = await start();
      const user = await registerUser(app);
      for (let i = 1; i <= 30; i++) {
        const result = await refresh(app, `not-a-token-${i}`);
        expect(codeOf(result), `refresh ${i}`).toBe('UNAUTHENTICATED');
      }
      const limited = await refresh(app, user.refreshToken);
      expectLimited(limited, 60);
      // The refused call did not rotate the token.
      const tokenHash = createHash('sha256').update(user.refreshToken).digest('hex');
      const rows = await app.sql<{ revoked_at: Date | null }>(
        'select revoked_at from refresh_token where token_hash = $1',
        [tokenHash],
      );
      expect(rows).toEqual([{ revoked_at: null }]);
    },
  );

  it(
    'L3: the 31st register from one IP within 5 minutes gets TOO_MANY_REQUESTS, HTTP 429 and Retry-After',
    SLOW,
    async () => {
      const app = await start();
      for (let i = 1; i <= 30; i++) {
        const result = await app.gql(REGISTER, {
          input: { email: uniqueEmail('rlreg'), password: STRONG_PASSWORD, firstName: 'R' },
        });
        expect(result.errors, `register ${i}`).toBeUndefined();
      }
      const email = uniqueEmail('rlreg31');
      const limited = await app.gql(REGISTER, {
        input: { email, password: STRONG_PASSWORD, firstName: 'R' },
      });
      expectLimited(limited, 300);
      const rows = await app.sql<{ n: string }>('select count(*) as n from app_user where email = $1', [
        email,
      ]);
      expect(Number(rows[0]!.n)).toBe(0);
    },
  );

  it(
    'L3: without TRUSTED_PROXIES a spoofed X-Forwarded-For is ignored (still limited at 31)',
    SLOW,
    async () => {
      const app = await start();
      expect(app.config.trustedProxies).toEqual([]);
      for (let i = 1; i <= 30; i++) {
        const result = await wrongLogin(app, from(`203.0.113.${i}`));
        expect(codeOf(result), `login ${i}`).toBe(INVALID_CREDENTIALS);
      }
      expectLimited(await wrongLogin(app, from('203.0.113.31')), 60);
      expectLimited(await wrongLogin(app, from('198.51.100.77')), 60);
    },
  );

  it(
    'L3: behind TRUSTED_PROXIES X-Forwarded-For is honoured: each forwarded client has its own limit',
    SLOW,
    async () => {
      const app = await start({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
      // 31 clients through the proxy, one login each: none is limited, though the socket is the same.
      for (let i = 1; i <= 31; i++) {
        expect(codeOf(await wrongLogin(app, from(`203.0.113.${i}`))), `client ${i}`).toBe(
          INVALID_CREDENTIALS,
        );
      }
      // One client with 30 logins: its 31st is limited.
      for (let i = 1; i <= 30; i++) {
        expect(codeOf(await wrongLogin(app, from('203.0.113.200'))), `login ${i}`).toBe(INVALID_CREDENTIALS);
      }
      expectLimited(await wrongLogin(app, from('203.0.113.200')), 60);
      // A forged entry to the left of what the trusted proxy appended does not make it a new client.
      expectLimited(await wrongLogin(app, from('10.9.8.7, 203.0.113.200')), 60);
      // Another client behind the same proxy is not affected.
      expect(codeOf(await wrongLogin(app, from('203.0.113.201')))).toBe(INVALID_CREDENTIALS);
    },
  );

  it.runIf(realRedis)(
    'L3: limits are counted in Redis, shared by two instances with the same key prefix (needs Redis)',
    SLOW,
    async () => {
      const first = await start();
      const second = await start({ REDIS_KEY_PREFIX: first.config.redisKeyPrefix });
      expect(second.config.redisKeyPrefix).toBe(first.config.redisKeyPrefix);
      expect(second.url).not.toBe(first.url);
      for (let i = 1; i <= 15; i++) {
        expect(codeOf(await wrongLogin(first)), `first ${i}`).toBe(INVALID_CREDENTIALS);
        expect(codeOf(await wrongLogin(second)), `second ${i}`).toBe(INVALID_CREDENTIALS);
      }
      // 30 in all across both instances: the 31st is refused by either of them.
      expectLimited(await wrongLogin(first), 60);
      expectLimited(await wrongLogin(second), 60);
      // An instance with another prefix counts separately.
      const third = await start();
      expect(codeOf(await wrongLogin(third))).toBe(INVALID_CREDENTIALS);
    },
  );
});
