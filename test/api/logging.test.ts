import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, uniqueEmail, type GqlResult, type TestApp } from '../helpers/app.js';
import { LOGIN, ME, REFRESH, REGISTER, VERIFY_EMAIL, codeOf, type Tokens } from '../helpers/auth.js';
import { linkToken } from '../helpers/mailbox.js';

/** One line per HTTP request, with its id, and no secret ever in the log output. */
describe('request logging', () => {
  let app: TestApp;
  /** Every HTTP request this file sends, to count the log lines against. */
  let requestsSent = 0;
  const email = uniqueEmail('logging');
  const password = `Pw-${randomBytes(12).toString('base64url')} horse`;
  const wrongPassword = `Wrong-${randomBytes(12).toString('base64url')} pony`;
  let tokens: Tokens;
  const refreshTokens: string[] = [];
  const accessTokens: string[] = [];
  /** Tokens of mailed links: a reset or verification token is as good as a password. */
  const linkTokens: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  const send = async <T>(...args: Parameters<TestApp['gql']>): Promise<GqlResult<T>> => {
    requestsSent++;
    return app.gql<T>(...args);
  };

  const requestLines = () => app.logs.filter((line) => line.msg === 'request');

  /** The request's log line, once it is written (on the response's `finish`). Exactly one. */
  const lineOf = async (requestId: string) =>
    vi.waitFor(() => {
      const lines = requestLines().filter((line) => line.requestId === requestId);
      expect(lines).toHaveLength(1);
      return lines[0]!;
    });

  const expectLine = async (
    result: GqlResult<unknown>,
    expected: { operationName: string; outcome: 'ok' | 'error'; errorCodes?: string[] },
  ) => {
    const requestId = result.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const line = await lineOf(requestId!);
    expect(line).toMatchObject({
      requestId,
      operationName: expected.operationName,
      outcome: expected.outcome,
      status: result.status,
      method: 'POST',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs as number).toBeGreaterThanOrEqual(0);
    if (expected.errorCodes === undefined) expect(line.errorCodes).toBeUndefined();
    else expect(line.errorCodes).toEqual(expected.errorCodes);
    return line;
  };

  it('register, me and a failing login each write exactly one request line with id, operation, duration, outcome and status', async () => {
    const registered = await send<{ register: Tokens }>(REGISTER, {
      input: { email, password, firstName: 'Log', lastName: 'Test' },
    });
    expect(registered.errors).toBeUndefined();
    tokens = registered.data!.register;
    accessTokens.push(tokens.accessToken);
    refreshTokens.push(tokens.refreshToken);
    await expectLine(registered, { operationName: 'Register', outcome: 'ok' });

    const me = await send(ME, {}, { token: tokens.accessToken });
    expect(me.errors).toBeUndefined();
    await expectLine(me, { operationName: 'Me', outcome: 'ok' });

    const failed = await send(LOGIN, { input: { email, password: wrongPassword } });
    expect(codeOf(failed)).toBe('INVALID_CREDENTIALS');
    await expectLine(failed, {
      operationName: 'Login',
      outcome: 'error',
      errorCodes: ['INVALID_CREDENTIALS'],
    });

    // Secrets of every kind pass through: a mailed link's token, a successful login, a refresh, a refused
    // token.
    const mail = await app.mailbox!.next(email, { match: (m) => m.text.includes('/verify#token=') });
    linkTokens.push(linkToken(mail, '/verify'));
    const verified = await send<{ verifyEmail: boolean }>(VERIFY_EMAIL, { token: linkTokens[0] });
    expect(verified.errors).toBeUndefined();
    await expectLine(verified, { operationName: 'VerifyEmail', outcome: 'ok' });
    const loggedIn = await send<{ login: Tokens }>(LOGIN, { input: { email, password } });
    expect(loggedIn.errors).toBeUndefined();
    accessTokens.push(loggedIn.data!.login.accessToken);
    refreshTokens.push(loggedIn.data!.login.refreshToken);
    const refreshed = await send<{ refreshToken: Tokens }>(REFRESH, {
      token: loggedIn.data!.login.refreshToken,
    });
    expect(refreshed.errors).toBeUndefined();
    accessTokens.push(refreshed.data!.refreshToken.accessToken);
    refreshTokens.push(refreshed.data!.refreshToken.refreshToken);
    await expectLine(refreshed, { operationName: 'Refresh', outcome: 'ok' });
    const refused = await send(ME, {}, { token: `${tokens.accessToken.slice(0, -4)}AAAA` });
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    await expectLine(refused, { operationName: 'Me', outcome: 'error', errorCodes: ['UNAUTHENTICATED'] });

    // One line per request, no more: nothing else is logged as a request.
    await vi.waitFor(() => expect(requestLines()).toHaveLength(requestsSent));
  });

  it('keeps a well-formed incoming x-request-id and replaces a malformed one', async () => {
    const incoming = `bot.${randomBytes(8).toString('hex')}_req-1`;
    const kept = await send<{ health: boolean }>(
      'query Health { health }',
      {},
      { headers: { 'x-request-id': incoming } },
    );
    expect(kept.headers.get('x-request-id')).toBe(incoming);
    await expectLine(kept, { operationName: 'Health', outcome: 'ok' });

    for (const malformed of ['tiny!', 'has spaces in it', 'x'.repeat(65), 'semi;colon;injection']) {
      const replaced = await send('query Health { health }', {}, { headers: { 'x-request-id': malformed } });
      const id = replaced.headers.get('x-request-id');
      expect(id).not.toBe(malformed);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await expectLine(replaced, { operationName: 'Health', outcome: 'ok' });
      expect(app.rawLogs()).not.toContain(malformed);
    }
    await vi.waitFor(() => expect(requestLines()).toHaveLength(requestsSent));
  });

  it('the raw logs never contain a password, an access token, a refresh token, a hash or a Bearer header', async () => {
    expect(accessTokens.length).toBeGreaterThanOrEqual(3);
    expect(refreshTokens.length).toBeGreaterThanOrEqual(3);
    expect(linkTokens.length).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(requestLines()).toHaveLength(requestsSent));
    const raw = app.rawLogs();
    expect(raw.length).toBeGreaterThan(0);
    const secrets: [string, string][] = [
      ['the password', password],
      ['the wrong password', wrongPassword],
      ...accessTokens.map((t, i): [string, string] => [`access token ${i}`, t]),
      // The signature alone is the secret part of a JWT.
      ...accessTokens.map((t, i): [string, string] => [`access token signature ${i}`, t.split('.')[2]!]),
      ...refreshTokens.map((t, i): [string, string] => [`refresh token ${i}`, t]),
      ...linkTokens.map((t, i): [string, string] => [`mailed link token ${i}`, t]),
      ['an argon2 hash', 'argon2'],
      ['a Bearer header', 'Bearer'],
    ];
    for (const [what, secret] of secrets) {
      expect(raw.includes(secret), `the logs contain ${what}`).toBe(false);
    }
  });
});
