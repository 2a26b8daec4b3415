import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_OPTIONS } from '../../src/modules/auth/password.js';
import {
  TRUSTED_LOOPBACK,
  fromFreshClient,
  startTestApp,
  uniqueEmail,
  type TestApp,
} from '../helpers/app.js';
import { REGISTER, codeOf, login, registerUser, verifyEmailByMail } from '../helpers/auth.js';

interface Argon2Params {
  variant: string;
  version: number;
  m: number;
  t: number;
  p: number;
}

/** Parses the PHC string `$argon2id$v=19$m=..,t=..,p=..$salt$hash`. */
function parseArgon2(hash: string): Argon2Params {
  const match =
    /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(hash);
  if (match === null) throw new Error(`not an argon2 PHC string: ${hash}`);
  return {
    variant: match[1]!,
    version: Number(match[2]),
    m: Number(match[3]),
    t: Number(match[4]),
    p: Number(match[5]),
  };
}

describe('passwords (SECURITY.md P1-P3)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  // A failed start leaves `app` unset; its error is the one to see.
  afterAll(() => app?.stop());

  const storedHash = async (email: string): Promise<string | null> => {
    const rows = await app.sql<{ password_hash: string | null }>(
      'select password_hash from app_user where email = $1',
      [email],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.password_hash;
  };

  const userCount = async (email: string): Promise<number> => {
    const rows = await app.sql<{ n: string }>('select count(*) as n from app_user where email = $1', [
      email.toLowerCase(),
    ]);
    return Number(rows[0]!.n);
  };

  const register = (email: string, password: string) =>
    app.gql<{ register: { accessToken: string } }>(
      REGISTER,
      { input: { email, password, firstName: 'Pat', lastName: null } },
      fromFreshClient(),
    );

  it('P1: stores an argon2id hash with m >= 19456 KiB, t >= 2, p = 1', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const hash = await storedHash(user.email);
    expect(hash).not.toBeNull();
    expect(hash).not.toContain(user.password);
    const params = parseArgon2(hash!);
    expect(params.variant).toBe('argon2id');
    expect(params.version).toBe(19);
    expect(params.m).toBeGreaterThanOrEqual(19456);
    expect(params.t).toBeGreaterThanOrEqual(2);
    expect(params.p).toBe(1);
    // Pinned in config, not left to the library's defaults.
    expect(params).toMatchObject({
      m: ARGON2_OPTIONS.memoryCost,
      t: ARGON2_OPTIONS.timeCost,
      p: ARGON2_OPTIONS.parallelism,
    });
    expect(await argon2.verify(hash!, user.password)).toBe(true);
  });

  it('P2: a successful login re-hashes a hash made with older, weaker parameters', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const weak = await argon2.hash(user.password, {
      type: argon2.argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await app.sql('update app_user set password_hash = $1 where email = $2', [weak, user.email]);
    expect(parseArgon2((await storedHash(user.email))!)).toMatchObject({ m: 8192, t: 1, p: 1 });

    const first = await login(app, user.email, user.password, fromFreshClient());
    expect(first.errors).toBeUndefined();
    expect(first.data?.login.user.email).toBe(user.email);

    const upgraded = (await storedHash(user.email))!;
    expect(upgraded).not.toBe(weak);
    expect(parseArgon2(upgraded)).toEqual({
      variant: 'argon2id',
      version: 19,
      m: ARGON2_OPTIONS.memoryCost,
      t: ARGON2_OPTIONS.timeCost,
      p: 1,
    });
    expect(await argon2.verify(upgraded, user.password)).toBe(true);
    expect(await argon2.verify(upgraded, `${user.password}x`)).toBe(false);

    // The upgraded hash still logs in, and a current hash is left alone.
    const second = await login(app, user.email, user.password, fromFreshClient());
    expect(second.errors).toBeUndefined();
    expect(await storedHash(user.email)).toBe(upgraded);
  });

  it('P3: length 8..128 through register, common passwords refused, no truncation, nothing written on rejection', async () => {
    // 129 characters: malformed input naming the field.
    const tooLongEmail = uniqueEmail('p3long');
    const tooLong = await register(tooLongEmail, 'a1b2c3d4e5'.repeat(13).slice(0, 129));
    expect(tooLong.data?.register ?? null).toBeNull();
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.errors?.[0]?.extensions?.field).toBe('input.password');
    expect(await userCount(tooLongEmail)).toBe(0);

    // 7 characters: weak.
    const shortEmail = uniqueEmail('p3short');
    const short = await register(shortEmail, 'k7Qz!pw');
    expect(codeOf(short)).toBe('WEAK_PASSWORD');
    expect(short.errors?.[0]?.extensions?.field).toBe('input.password');
    expect(await userCount(shortEmail)).toBe(0);

    // On the common list (any case): weak.
    for (const common of ['password123', 'Password123', 'ILOVEYOU1']) {
      const email = uniqueEmail('p3common');
      const result = await register(email, common);
      expect(codeOf(result), common).toBe('WEAK_PASSWORD');
      expect(await userCount(email)).toBe(0);
    }

    // No composition rules: all-lowercase letters and spaces are fine.
    const lowerEmail = uniqueEmail('p3lower');
    const lower = await register(lowerEmail, 'purple monkey dishwasher lamp');
    expect(lower.errors).toBeUndefined();
    expect(await userCount(lowerEmail)).toBe(1);

    // Exactly 128 characters works, and every one of them counts.
    const maxPassword = Array.from({ length: 128 }, (_, i) => 'Tr0ub4dor&3-horse'[i % 17]).join('');
    expect(maxPassword).toHaveLength(128);
    const maxEmail = uniqueEmail('p3max');
    const max = await register(maxEmail, maxPassword);
    expect(max.errors).toBeUndefined();
    expect(max.data?.register.accessToken).toEqual(expect.any(String));
    expect(await userCount(maxEmail)).toBe(1);
    await verifyEmailByMail(app, maxEmail, fromFreshClient());

    const full = await login(app, maxEmail, maxPassword, fromFreshClient());
    expect(full.errors).toBeUndefined();
    expect(full.data?.login.user.email).toBe(maxEmail);
    const prefix = await login(app, maxEmail, maxPassword.slice(0, 127), fromFreshClient());
    expect(prefix.data?.login ?? null).toBeNull();
    expect(codeOf(prefix)).toBe('INVALID_CREDENTIALS');
    // Not truncated at bcrypt's 72 bytes either.
    const bcryptPrefix = await login(app, maxEmail, maxPassword.slice(0, 72), fromFreshClient());
    expect(codeOf(bcryptPrefix)).toBe('INVALID_CREDENTIALS');

    // 128 code points that are 256 UTF-16 units are still within the limit; 129 are not.
    const emojiEmail = uniqueEmail('p3emoji');
    const emojiPassword = '\u{1F511}\u{1F30D}'.repeat(64);
    expect([...emojiPassword]).toHaveLength(128);
    const emoji = await register(emojiEmail, emojiPassword);
    expect(emoji.errors).toBeUndefined();
    expect(await userCount(emojiEmail)).toBe(1);
    await verifyEmailByMail(app, emojiEmail, fromFreshClient());
    const emojiLogin = await login(app, emojiEmail, emojiPassword, fromFreshClient());
    expect(emojiLogin.errors).toBeUndefined();
    const emojiTooLongEmail = uniqueEmail('p3emoji129');
    const emojiTooLong = await register(emojiTooLongEmail, `${emojiPassword}\u{1F511}`);
    expect(codeOf(emojiTooLong)).toBe('BAD_USER_INPUT');
    expect(emojiTooLong.errors?.[0]?.extensions?.field).toBe('input.password');
    expect(await userCount(emojiTooLongEmail)).toBe(0);
  });
});
