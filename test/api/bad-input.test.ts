import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  createScratchDatabase,
  fromFreshClient,
  startTestApp,
  uniqueEmail,
  type GqlResult,
  type TestApp,
} from '../helpers/app.js';
import { LOGIN, REGISTER, codeOf, verifyEmailByMail } from '../helpers/auth.js';

const SET_EMAIL_PASSWORD = `mutation SetEmail($input: SetEmailPasswordInput!) { setEmailPassword(input: $input) { id } }`;

/**
 * SECURITY.md B1/B2. The app runs on a scratch database of this file's own, so "nothing was written" is
 * checked exactly: the row count of every table is the same before and after.
 */

type Counts = Record<string, number>;

describe('bad input (SECURITY.md B1, B2)', () => {
  let app: TestApp;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let tables: string[];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    app = await startTestApp({ DATABASE_URL: scratch.url, TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    tables = (
      await app.sql<{ table_name: string }>(
        `select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'`,
      )
    ).map((r) => r.table_name);
  });
  afterAll(async () => {
    await app?.stop();
    if (scratch === undefined) return;
    await scratch.drop();
  });

  const counts = async (): Promise<Counts> => {
    const result: Counts = {};
    for (const table of tables) {
      const [row] = await app.sql<{ n: string }>(`select count(*) as n from "${table}"`);
      result[table] = Number(row!.n);
    }
    return result;
  };

  /** Runs `action` and asserts that no table gained or lost a row. */
  const expectNothingWritten = async <T>(action: () => Promise<T>): Promise<T> => {
    // Mail an earlier registration started (its link token) is written in the background: not this action's.
    await app.deps.background.drain();
    const before = await counts();
    const result = await action();
    await app.deps.background.drain();
    expect(await counts()).toEqual(before);
    return result;
  };

  const register = (input: Record<string, unknown>) => app.gql(REGISTER, { input }, fromFreshClient());
  const validRegistration = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('bad-input'),
    password: STRONG_PASSWORD,
    firstName: 'Ada',
    lastName: 'Lovelace',
    ...overrides,
  });

  const expectBadInput = (result: GqlResult<unknown>, field: string | undefined, what: string) => {
    expect(result.status, `${what}: ${result.text}`).toBeLessThan(500);
    expect(codeOf(result), `${what}: ${result.text}`).toBe('BAD_USER_INPUT');
    if (field !== undefined) expect(result.errors?.[0]?.extensions?.field, what).toBe(field);
    expect(result.data ?? null, what).toBeNull();
  };

  it('a malformed JSON body answers 400 with a JSON error, and nothing is written', async () => {
    const body = JSON.stringify({ query: REGISTER, variables: { input: validRegistration() } });
    const response = await expectNothingWritten(() =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body.slice(0, -7),
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(json.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(json.errors[0]?.message).toMatch(/not valid JSON/);
  });

  it('an unknown field in a query answers 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await app.gql('{ health nonsenseField }');
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toContain('nonsenseField');
  });

  it('an unknown input field in variables answers BAD_USER_INPUT, and nothing is written', async () => {
    const result = await expectNothingWritten(() => register({ ...validRegistration(), isAdmin: true }));
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('isAdmin');
  });

  it('a 10,000-character email answers BAD_USER_INPUT naming input.email, and no row is written', async () => {
    const email = `${'a'.repeat(10_000 - '@example.test'.length)}@example.test`;
    expect(email).toHaveLength(10_000);
    const result = await expectNothingWritten(() => register(validRegistration({ email })));
    expectBadInput(result, 'input.email', 'huge email');
    expect(result.text).not.toContain('a'.repeat(300));
  });

  /** Register and login refuse `email` with BAD_USER_INPUT naming input.email, and write nothing. */
  const expectEmailRefused = async (email: string): Promise<void> => {
    const what = `email ${JSON.stringify(email)}`;
    expectBadInput(
      await expectNothingWritten(() => register(validRegistration({ email }))),
      'input.email',
      `register ${what}`,
    );
    expectBadInput(
      await expectNothingWritten(() =>
        app.gql(LOGIN, { input: { email, password: 'whatever-1' } }, fromFreshClient()),
      ),
      'input.email',
      `login ${what}`,
    );
  };

  it('bad email shapes answer BAD_USER_INPUT naming input.email (register and login)', async () => {
    const shapes = [
      'no-at',
      'a@b',
      'a b@c.d',
      '',
      '   ',
      '@example.test',
      'a@@b.cd',
      'a\u0000b@c.de',
      'a\tb@c.de',
    ];
    for (const email of shapes) await expectEmailRefused(email);
  });

  it('B1: addresses an input type=email refuses answer BAD_USER_INPUT naming input.email (register, login, setEmailPassword)', async () => {
    const holder = await register(validRegistration());
    expect(holder.errors).toBeUndefined();
    const token = (holder.data as { register: { accessToken: string } }).register.accessToken;
    const refused = [
      '<script>@x.io',
      '😀@😀.io',
      'a"b@x.io',
      'x@-x.io',
      '"quoted"@x.io',
      'a@bücher.example',
      'ä@x.io',
      'x@x-.io',
      'a..b@x.io',
      'a@[192.0.2.1]',
      'Name <a@x.io>',
      `${'a'.repeat(65)}@x.io`,
    ];
    for (const email of refused) {
      await expectEmailRefused(email);
      expectBadInput(
        await expectNothingWritten(() =>
          app.gql(
            SET_EMAIL_PASSWORD,
            { input: { email, password: STRONG_PASSWORD } },
            fromFreshClient(token),
          ),
        ),
        'input.email',
        `setEmailPassword email ${JSON.stringify(email)}`,
      );
    }
  });

  it('B1: ordinary addresses register, trimmed and stored lower-cased, and sign in in any case', async () => {
    const tag = randomBytes(4).toString('hex');
    const accepted = [
      `Ana.Maria+budget-${tag}@Example.COM`,
      `o'brien.${tag}@mail.sub.example.co.uk`,
      `  user_${tag}@xn--bcher-kva.example `,
      `x${tag}@a-b.example`,
    ];
    for (const email of accepted) {
      const stored = email.trim().toLowerCase();
      const result = await register(validRegistration({ email }));
      expect(result.errors, `register ${email}: ${result.text}`).toBeUndefined();
      const rows = await app.sql<{ email: string }>('select email from app_user where email = $1', [stored]);
      expect(rows, email).toEqual([{ email: stored }]);
      // The confirmation mail reaches the address as stored.
      await verifyEmailByMail(app, stored, fromFreshClient());
      const signedIn = await app.gql<{ login: { user: { email: string } } }>(
        LOGIN,
        { input: { email: stored.toUpperCase(), password: STRONG_PASSWORD } },
        fromFreshClient(),
      );
      expect(signedIn.errors, `login ${email}`).toBeUndefined();
      expect(signedIn.data?.login.user.email).toBe(stored);
    }
  });

  it('an empty firstName answers BAD_USER_INPUT naming input.firstName', async () => {
    for (const firstName of ['', '   ']) {
      const result = await expectNothingWritten(() => register(validRegistration({ firstName })));
      expectBadInput(result, 'input.firstName', `firstName ${JSON.stringify(firstName)}`);
    }
  });

  it('control characters in a name answer BAD_USER_INPUT', async () => {
    for (const name of ['Ada\u0000', 'A\u0007da', 'Ada\nLovelace', 'Ada\u007f']) {
      const first = await expectNothingWritten(() => register(validRegistration({ firstName: name })));
      expectBadInput(first, 'input.firstName', `firstName ${JSON.stringify(name)}`);
      const last = await expectNothingWritten(() => register(validRegistration({ lastName: name })));
      expectBadInput(last, 'input.lastName', `lastName ${JSON.stringify(name)}`);
    }
  });

  it('a registered email in a different case answers CONFLICT, and no second row is written', async () => {
    const email = uniqueEmail('case');
    const first = await register(validRegistration({ email }));
    expect(first.errors).toBeUndefined();
    const again = await expectNothingWritten(() =>
      register(validRegistration({ email: email.toUpperCase() })),
    );
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors?.[0]?.extensions?.field).toBe('input.email');
    const padded = await expectNothingWritten(() => register(validRegistration({ email: `  ${email}  ` })));
    expect(codeOf(padded)).toBe('CONFLICT');
    const rows = await app.sql('select 1 from app_user where lower(email) = lower($1)', [email]);
    expect(rows).toHaveLength(1);
  });

  it(
    'B2: a fuzz run of ~200 random register/login inputs never answers 500 or INTERNAL_SERVER_ERROR and writes nothing on failure',
    { timeout: 240_000 },
    async () => {
      const seed = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32LE());
      const random = mulberry32(seed);
      const existing = uniqueEmail('fuzz-existing');
      expect((await register(validRegistration({ email: existing }))).errors).toBeUndefined();
      await verifyEmailByMail(app, existing, fromFreshClient());

      const allowed = new Set([
        'BAD_USER_INPUT',
        'WEAK_PASSWORD',
        'CONFLICT',
        'INVALID_CREDENTIALS',
        'TOO_MANY_REQUESTS',
        'PAYLOAD_TOO_LARGE',
      ]);
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < 200; i++) {
        const isRegister = random() < 0.5;
        const input = isRegister ? fuzzRegisterInput(random, existing) : fuzzLoginInput(random, existing);
        const what = `seed ${seed} #${i} ${isRegister ? 'register' : 'login'} ${preview(input)}`;
        // A registration's confirmation mail writes its link token in the background: counted with it.
        await app.deps.background.drain();
        const before = await counts();
        const result = await app.gql(isRegister ? REGISTER : LOGIN, { input }, fromFreshClient());
        await app.deps.background.drain();
        const after = await counts();

        expect(result.status, `${what} -> ${result.text.slice(0, 300)}`).toBeLessThan(500);
        expect(result.text, what).not.toContain('INTERNAL_SERVER_ERROR');
        if (result.errors === undefined) {
          // A valid input: exactly one account (register) and one session with one refresh token.
          expect(result.data, what).toBeTruthy();
          expect(after.auth_session, what).toBe(before.auth_session! + 1);
          expect(after.refresh_token, what).toBe(before.refresh_token! + 1);
          expect(after.app_user, what).toBe(before.app_user! + (isRegister ? 1 : 0));
          expect(after.email_token, what).toBe(before.email_token! + (isRegister ? 1 : 0));
          outcomes.ok = (outcomes.ok ?? 0) + 1;
        } else {
          const code = String(result.errors[0]?.extensions?.code);
          expect(allowed.has(code), `${what} -> ${code}`).toBe(true);
          expect(after, `${what} -> ${code} wrote rows`).toEqual(before);
          outcomes[code] = (outcomes[code] ?? 0) + 1;
        }
      }
      // The fuzz must actually exercise the validation, not only one path.
      expect(outcomes.BAD_USER_INPUT ?? 0, JSON.stringify(outcomes)).toBeGreaterThan(20);
      expect(outcomes.INVALID_CREDENTIALS ?? 0, JSON.stringify(outcomes)).toBeGreaterThan(5);
    },
  );

  it('the server still answers after all of it', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    const health = await app.gql<{ health: boolean }>('{ health }');
    expect(health.data?.health).toBe(true);
    await vi.waitFor(async () => expect((await fetch(`${app.url}/readyz`)).status).toBe(200));
  });
});

/** Small seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' \t\n\r',
  '@.@.-_+',
  '\u0000\u0001\u0007\u001b\u007f',
  'äöüßéñçø',
  'Ωπжщ日本語中文한국어',
  '😀🎉👨‍👩‍👧🏳️‍🌈',
  '\u200b\u200d\u202e\ufeff\ud800x\udc00',
  'ą́̃',
  '\'"`;\\/<>{}[]%$',
];

function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  const alphabet = [...pick(random, ALPHABETS)];
  let out = '';
  while (out.length < length)
    out += random() < 0.8 ? pick(random, alphabet) : pick(random, [...pick(random, ALPHABETS)]);
  return out.slice(0, Math.max(length, 0));
}

/** A value for a String field: mostly strings of every shape, sometimes something that is not a string. */
function fuzzString(random: () => number, nullable: boolean): unknown {
  const roll = random();
  if (roll < 0.35) return randomString(random, 40);
  if (roll < 0.45) return randomString(random, 300);
  if (roll < 0.52)
    return pick(random, ['a', 'é', '日', '😀', '\u0000']).repeat(1 + Math.floor(random() * 20_000));
  if (roll < 0.6) return pick(random, ['0', '-1', '1e309', 'NaN', '12345678901234567890', '0x1f', '3.14']);
  if (roll < 0.68)
    return pick(random, ["' or 1=1 --", '"; drop table app_user; --', '<script>alert(1)</script>', '${7*7}']);
  if (roll < 0.74) return nullable ? null : pick(random, [null, 42, true]);
  if (roll < 0.78) return pick(random, [42, 1.5, true, [], {}, ['a']]);
  return undefined;
}

/** Characters that have broken email handling elsewhere: NUL (PostgreSQL text cannot hold it), bidi, surrogates. */
const NASTY = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\ud800',
  '\u202e',
  '\u200b',
  '\ufeff',
  '😀',
  'ß',
  'İ',
  '%00',
];

function fuzzEmail(random: () => number, existing: string): unknown {
  const roll = random();
  const valid = () =>
    `${randomString(random, 20).replace(/[\s@]/g, '') || 'x'}.${randomBytes(4).toString('hex')}@fuzz.example`;
  if (roll < 0.2) return valid();
  if (roll < 0.4) {
    // A well-shaped address with one nasty character slipped in, so it gets past the shape check.
    const email = valid();
    const at = Math.floor(random() * (email.length + 1));
    return `${email.slice(0, at)}${pick(random, NASTY)}${email.slice(at)}`;
  }
  if (roll < 0.5) return pick(random, [existing, existing.toUpperCase(), ` ${existing} `]);
  return fuzzString(random, false);
}

function fuzzPassword(random: () => number): unknown {
  const roll = random();
  if (roll < 0.25) return `${randomString(random, 30)} ${randomBytes(6).toString('base64url')}`;
  if (roll < 0.3) return pick(random, ['password', '12345678', 'qwertyuiop', 'short']);
  return fuzzString(random, false);
}

/** Drops keys whose value is `undefined` (a missing field). */
const compact = (input: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));

function fuzzRegisterInput(random: () => number, existing: string): Record<string, unknown> {
  return compact({
    email: fuzzEmail(random, existing),
    password: fuzzPassword(random),
    firstName: random() < 0.4 ? pick(random, ['Ada', 'Zoë', '李', "O'Brien"]) : fuzzString(random, false),
    lastName: fuzzString(random, true),
    ...(random() < 0.05 && { role: 'admin' }),
  });
}

function fuzzLoginInput(random: () => number, existing: string): Record<string, unknown> {
  return compact({ email: fuzzEmail(random, existing), password: fuzzPassword(random) });
}

const preview = (input: Record<string, unknown>) =>
  JSON.stringify(input, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 60 ? `${value.slice(0, 20)}…(${value.length} chars)` : value,
  );
