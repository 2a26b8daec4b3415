import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/shared/clock.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  freshClientIp,
  fromFreshClient,
  startTestApp,
  uniqueEmail,
  type GqlOptions,
  type TestApp,
} from '../helpers/app.js';
import { ME, VERIFY_EMAIL, codeOf, confirmEmail, login, refresh, registerUser } from '../helpers/auth.js';
import { simpleParser } from 'mailparser';
import { linkToken, startMailbox, type Mailbox } from '../helpers/mailbox.js';

const REQUEST_RESET = `mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation Reset($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }`;
const REQUEST_VERIFICATION = `mutation RequestVerification($email: String!) { requestEmailVerification(email: $email) }`;
const NEW_PASSWORD = 'a brand new passphrase 2026';

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

describe('email: verification and password reset through a real SMTP server (SECURITY.md E1-E3)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
      PUBLIC_URL: 'https://finance.example.test',
      MAIL_FROM: 'Family Finance <hello@finance.example.test>',
    });
  });
  afterAll(() => app.stop());

  const mailbox = () => app.mailbox!;
  const resetMail = (email: string, since = 0) =>
    mailbox().next(email, { since, match: (m) => m.text.includes('/reset#token=') });
  const verificationMail = (email: string, since = 0) =>
    mailbox().next(email, { since, match: (m) => m.text.includes('/verify#token=') });
  const mailTo = (email: string, kind: '/reset' | '/verify') =>
    mailbox().messages.filter((m) => m.to.includes(email) && m.text.includes(`${kind}#token=`));
  const requestReset = (email: string, options: GqlOptions = fromFreshClient()) =>
    app.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, { email }, options);
  const resetPassword = (token: string, password = NEW_PASSWORD) =>
    app.gql<{ resetPassword: boolean }>(RESET, { token, password }, fromFreshClient());
  const verify = (token: string) =>
    app.gql<{ verifyEmail: boolean }>(VERIFY_EMAIL, { token }, fromFreshClient());
  const emailVerified = async (email: string) =>
    (
      await app.sql<{ email_verified: boolean }>('select email_verified from app_user where email = $1', [
        email,
      ])
    )[0]!.email_verified;

  it('register mails a confirmation link; the address signs in only once confirmed, and the link works once', async () => {
    const user = await registerUser(app, { verify: false }, fromFreshClient());
    // Signed in by registering, as before.
    const me = await app.gql<{ me: { email: string } }>(ME, {}, { token: user.accessToken });
    expect(me.data?.me.email).toBe(user.email);

    const mail = await verificationMail(user.email);
    expect(mail.from).toBe('hello@finance.example.test');
    expect(mail.subject).toMatch(/confirm/i);
    const token = linkToken(mail, '/verify');
    expect(mail.text).toContain(`https://finance.example.test/verify#token=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    const rows = await app.sql<{ token_hash: string }>(
      `select t.token_hash from email_token t join app_user u on u.id = t.user_id where u.email = $1`,
      [user.email],
    );
    expect(rows.map((r) => r.token_hash)).toEqual([sha256Hex(token)]);
    expect(JSON.stringify(await app.sql('select * from email_token'))).not.toContain(token);

    const refused = await login(app, user.email, user.password, fromFreshClient());
    expect(codeOf(refused)).toBe('EMAIL_NOT_VERIFIED');
    expect(refused.data?.login ?? null).toBeNull();
    // Only the right password learns that: a wrong one is the usual INVALID_CREDENTIALS.
    expect(codeOf(await login(app, user.email, `${user.password}x`, fromFreshClient()))).toBe(
      'INVALID_CREDENTIALS',
    );

    expect((await verify(token)).data?.verifyEmail).toBe(true);
    expect(await emailVerified(user.email)).toBe(true);
    expect((await login(app, user.email, user.password, fromFreshClient())).errors).toBeUndefined();

    const again = await verify(token);
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0]!.extensions?.field).toBe('token');
  });

  it('a confirmation link fails after 30 minutes; a new one can be asked for, and it replaces the old', async () => {
    const user = await registerUser(app, { verify: false }, fromFreshClient());
    const first = linkToken(await verificationMail(user.email), '/verify');
    app.clock.advance(30 * MINUTE + SECOND);
    expect(codeOf(await verify(first))).toBe('BAD_USER_INPUT');
    expect(await emailVerified(user.email)).toBe(false);

    const since = mailbox().messages.length;
    expect(
      (await app.gql(REQUEST_VERIFICATION, { email: user.email }, fromFreshClient())).errors,
    ).toBeUndefined();
    const second = linkToken(await verificationMail(user.email, since), '/verify');
    const since2 = mailbox().messages.length;
    expect(
      (await app.gql(REQUEST_VERIFICATION, { email: user.email }, fromFreshClient())).errors,
    ).toBeUndefined();
    const third = linkToken(await verificationMail(user.email, since2), '/verify');
    expect(codeOf(await verify(second))).toBe('BAD_USER_INPUT');
    app.clock.advance(29 * MINUTE);
    expect((await verify(third)).data?.verifyEmail).toBe(true);
    expect(await emailVerified(user.email)).toBe(true);

    // Confirmed: asking again sends nothing.
    await app.gql(REQUEST_VERIFICATION, { email: user.email }, fromFreshClient());
    await app.deps.background.drain();
    expect(mailTo(user.email, '/verify')).toHaveLength(3);
  });

  it('E1: requestPasswordReset answers the same body for a known, an unconfirmed and an unknown address', async () => {
    const known = await registerUser(app, {}, fromFreshClient());
    const unconfirmed = await registerUser(app, { verify: false }, fromFreshClient());
    const unknown = uniqueEmail('nobody');
    const answers = await Promise.all(
      [known.email, unconfirmed.email, unknown].map((email) => requestReset(email)),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ data: { requestPasswordReset: true } });
      expect(answer.text).not.toContain('errors');
    }
    // Byte for byte the same, the cost extension included.
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    await app.deps.background.drain();
    expect(mailTo(known.email, '/reset')).toHaveLength(1);
    // E3: an unconfirmed address receives no reset link; an unknown one nothing at all.
    expect(mailTo(unconfirmed.email, '/reset')).toHaveLength(0);
    expect(mailbox().messages.filter((m) => m.to.includes(unknown))).toHaveLength(0);
    // Malformed input is refused alike for everyone, naming the field.
    const malformed = await requestReset('not an address');
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0]!.extensions?.field).toBe('email');
  });

  it('E2: a reset link sets the password once, ends every session, and is stored only hashed', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const other = (await login(app, user.email, user.password, fromFreshClient())).data!.login;
    // Remembered by the caller cache: the reset must reach it too.
    expect((await app.gql(ME, {}, { token: other.accessToken })).errors).toBeUndefined();

    const since = mailbox().messages.length;
    await requestReset(user.email);
    const mail = await resetMail(user.email, since);
    const token = linkToken(mail, '/reset');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(`https://finance.example.test/reset#token=${token}`);
    const [row] = await app.sql<{ token_hash: string; expires_at: Date; created_at: Date }>(
      `select token_hash, expires_at, created_at from email_token where kind = 'password_reset' and token_hash = $1`,
      [sha256Hex(token)],
    );
    expect(row!.expires_at.getTime() - row!.created_at.getTime()).toBe(30 * MINUTE);

    // A refused password does not use the link up.
    const weak = await resetPassword(token, 'password');
    expect(codeOf(weak)).toBe('WEAK_PASSWORD');

    expect((await resetPassword(token)).data?.resetPassword).toBe(true);
    for (const session of [user, other]) {
      expect(codeOf(await app.gql(ME, {}, { token: session.accessToken }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await refresh(app, session.refreshToken, fromFreshClient()))).toBe('UNAUTHENTICATED');
    }
    const reasons = await app.sql<{ revoked_reason: string }>(
      `select s.revoked_reason from auth_session s join app_user u on u.id = s.user_id where u.email = $1`,
      [user.email],
    );
    expect(reasons.map((r) => r.revoked_reason)).toEqual(['password-reset', 'password-reset']);

    expect(codeOf(await login(app, user.email, user.password, fromFreshClient()))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await login(app, user.email, NEW_PASSWORD, fromFreshClient())).errors).toBeUndefined();

    const twice = await resetPassword(token, 'yet another passphrase 77');
    expect(codeOf(twice)).toBe('BAD_USER_INPUT');
    expect(twice.errors![0]!.extensions?.field).toBe('token');
    expect((await login(app, user.email, NEW_PASSWORD, fromFreshClient())).errors).toBeUndefined();
  });

  it('E2: a reset link fails after 30 minutes, and an older link dies when a newer one is sent', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    let since = mailbox().messages.length;
    await requestReset(user.email);
    const expired = linkToken(await resetMail(user.email, since), '/reset');
    app.clock.advance(30 * MINUTE + SECOND);
    expect(codeOf(await resetPassword(expired))).toBe('BAD_USER_INPUT');

    since = mailbox().messages.length;
    await requestReset(user.email);
    const older = linkToken(await resetMail(user.email, since), '/reset');
    since = mailbox().messages.length;
    await requestReset(user.email);
    const newer = linkToken(await resetMail(user.email, since), '/reset');
    expect(codeOf(await resetPassword(older))).toBe('BAD_USER_INPUT');
    app.clock.advance(29 * MINUTE);
    expect((await resetPassword(newer)).data?.resetPassword).toBe(true);
    expect((await login(app, user.email, user.password, fromFreshClient())).data?.login ?? null).toBeNull();
  });

  it('asking for mail is limited per address (whoever asks) and per client, known address or not', async () => {
    for (const email of [(await registerUser(app, {}, fromFreshClient())).email, uniqueEmail('flood')]) {
      for (let i = 0; i < 3; i++) expect((await requestReset(email)).errors).toBeUndefined();
      const fourth = await requestReset(email);
      expect(codeOf(fourth)).toBe('TOO_MANY_REQUESTS');
      expect(fourth.status).toBe(429);
      // The same address counts for confirmation links too.
      expect(codeOf(await app.gql(REQUEST_VERIFICATION, { email }, fromFreshClient()))).toBe(
        'TOO_MANY_REQUESTS',
      );
    }
    const client = { headers: freshClientIp() };
    for (let i = 0; i < 10; i++)
      expect((await requestReset(uniqueEmail('client'), client)).errors).toBeUndefined();
    expect(codeOf(await requestReset(uniqueEmail('client'), client))).toBe('TOO_MANY_REQUESTS');
  });
});

describe('E1 timing: a reset request takes the same time for known and unknown addresses', () => {
  // A mail server that takes 300 ms to accept a message: an answer that waited for the mail would show it.
  const ACCEPT_DELAY_MS = 300;
  let app: TestApp;
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox({ acceptDelayMs: ACCEPT_DELAY_MS });
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, SMTP_URL: mailbox.url });
  });
  afterAll(async () => {
    await app.stop();
    await mailbox.close();
  });

  const requestReset = (email: string) =>
    app.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, { email }, fromFreshClient());

  it('E1: known and unknown addresses take the same time: medians within 20 %', async () => {
    // Each address asked for twice (the per-address limit allows three an hour).
    const ADDRESSES = 15;
    const PER_ADDRESS = 2;
    const known: string[] = [];
    for (let i = 0; i < ADDRESSES; i++) {
      const { email } = await registerUser(app, { verify: false }, fromFreshClient());
      await confirmEmail(mailbox, app.url, email, fromFreshClient());
      known.push(email);
    }
    const unknown = Array.from({ length: ADDRESSES }, () => uniqueEmail('unknown'));
    const timed = async (email: string) => {
      const started = performance.now();
      const answer = await requestReset(email);
      const elapsed = performance.now() - started;
      expect(answer.errors).toBeUndefined();
      // Each request alone: mail a previous one started must not land on this one's clock.
      await app.deps.background.drain();
      return elapsed;
    };
    for (let i = 0; i < 5; i++) await timed(uniqueEmail('warm-up'));
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let round = 0; round < PER_ADDRESS; round++) {
      for (let i = 0; i < ADDRESSES; i++) {
        // Interleaved, and in turns first, so drift in the machine's load and whatever a request leaves
        // behind (a closing SMTP connection) falls on both alike.
        if (i % 2 === 0) {
          knownTimes.push(await timed(known[i]!));
          unknownTimes.push(await timed(unknown[i]!));
        } else {
          unknownTimes.push(await timed(unknown[i]!));
          knownTimes.push(await timed(known[i]!));
        }
      }
    }
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    expect(Math.abs(k - u) / Math.min(k, u), `medians: known ${k} ms, unknown ${u} ms`).toBeLessThanOrEqual(
      0.2,
    );
    // And the known addresses did get their mail, every time.
    const resets = (email: string) =>
      mailbox.messages.filter((m) => m.to.includes(email) && m.text.includes('/reset#token=')).length;
    expect(known.every((email) => resets(email) === PER_ADDRESS)).toBe(true);
  }, 180_000);
});

describe('mail without SMTP_URL: written to DATA_DIR/mail and the log', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ff-mail-'));
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SMTP_URL: '', DATA_DIR: dataDir, NODE_ENV: 'development' });
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says so at start-up, and the verification mail lands as an .eml file and in the log', async () => {
    const mailDir = path.join(dataDir, 'mail');
    expect(
      app.logs.some((l) => String(l.msg).includes('SMTP_URL is unset') && String(l.msg).includes(mailDir)),
    ).toBe(true);
    const user = await registerUser(app, { verify: false });
    await app.deps.background.drain();
    const files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = await simpleParser(readFileSync(path.join(mailDir, files[0]!)));
    expect(eml.to).toMatchObject({ value: [{ address: user.email }] });
    const token = /\/verify#token=([A-Za-z0-9_-]{43})/.exec(eml.text ?? '')![1]!;
    const logged = app.logs.find((l) => (l.mail as { to?: string } | undefined)?.to === user.email) as
      { mail: { text: string; file: string } } | undefined;
    expect(logged?.mail.file).toBe(path.join(mailDir, files[0]!));
    expect(logged?.mail.text).toContain(`/verify#token=${token}`);
    // The link in the file works like a mailed one.
    expect((await app.gql(VERIFY_EMAIL, { token })).data?.verifyEmail).toBe(true);
    expect((await login(app, user.email, STRONG_PASSWORD)).errors).toBeUndefined();
  });
});
