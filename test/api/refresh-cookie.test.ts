import { parse } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/shared/clock.js';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  freshClientIp,
  startTestApp,
  uniqueEmail,
  type TestApp,
} from '../helpers/app.js';
import { ME, codeOf, registerUser } from '../helpers/auth.js';

const FIELDS = 'accessToken refreshToken expiresIn user { id }';
const LOGIN = `mutation Login($input: LoginInput!, $in: RefreshTokenDelivery!) { login(input: $input, refreshTokenIn: $in) { ${FIELDS} } }`;
const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input, refreshTokenIn: COOKIE) { ${FIELDS} } }`;
const REFRESH_FROM_COOKIE = `mutation Refresh { refreshToken { ${FIELDS} } }`;
const LOGOUT = `mutation Logout { logout }`;

interface Payload {
  accessToken: string;
  refreshToken: string | null;
  user: { id: string };
}

interface Answer<T> {
  status: number;
  data: T | null | undefined;
  errors: { extensions?: Record<string, unknown> }[] | undefined;
  /** The Set-Cookie headers of the answer. */
  setCookies: string[];
}

/** A POST as a browser app sends it: JSON, with the cookie and the Bearer token it holds. */
async function post<T>(
  app: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...freshClientIp(), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: Answer<T>['errors'] };
  return {
    status: response.status,
    data: body.data,
    errors: body.errors,
    setCookies: response.headers.getSetCookie(),
  };
}

/** The refresh cookie an answer sets: its value and its attributes, lower-cased names. */
function refreshCookieOf(answer: { setCookies: string[] }) {
  const header = answer.setCookies.find((c) => c.startsWith('ff_refresh='));
  if (header === undefined) return undefined;
  const [pair, ...attributes] = header.split(';').map((part) => part.trim());
  const flags = new Map(
    attributes.map((a) => {
      const [name, ...value] = a.split('=');
      return [name!.toLowerCase(), value.join('=')] as const;
    }),
  );
  return { value: parse(pair!).ff_refresh!, flags, header };
}

const cookieHeader = (value: string) => ({ cookie: `ff_refresh=${value}` });

describe('browser sessions: the refresh token in a cookie (SECURITY.md C2, C3)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(() => app.stop());

  const loginWithCookie = async (email: string) => {
    const answer = await post<{ login: Payload }>(app, LOGIN, {
      input: { email, password: STRONG_PASSWORD },
      in: 'COOKIE',
    });
    expect(answer.errors).toBeUndefined();
    return answer;
  };

  it('C2: the cookie is HttpOnly, Secure, SameSite=Strict, scoped to /graphql, and replaces the body', async () => {
    const { email } = await registerUser(app);
    const answer = await loginWithCookie(email);
    expect(answer.data?.login.refreshToken).toBeNull();
    expect(answer.data?.login.accessToken).toMatch(/^eyJ/);
    const cookie = refreshCookieOf(answer)!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.flags.has('httponly')).toBe(true);
    expect(cookie.flags.has('secure')).toBe(true);
    expect(cookie.flags.get('samesite')).toBe('Strict');
    expect(cookie.flags.get('path')).toBe('/graphql');
    expect(cookie.flags.has('domain')).toBe(false);
    // Lives as long as the refresh token: the idle timeout, 30 days from the app's clock.
    const expires = new Date(cookie.flags.get('expires')!).getTime();
    expect(Math.abs(expires - (app.clock.now().getTime() + 30 * DAY))).toBeLessThan(2000);
  });

  it('register can answer with the cookie too; body mode stays the default and sets no cookie', async () => {
    const registered = await post<{ register: Payload }>(app, REGISTER, {
      input: { email: uniqueEmail('cookie'), password: STRONG_PASSWORD, firstName: 'Cookie' },
    });
    expect(registered.data?.register.refreshToken).toBeNull();
    expect(refreshCookieOf(registered)?.flags.has('httponly')).toBe(true);

    const { email } = await registerUser(app);
    const body = await post<{ login: Payload }>(app, LOGIN, {
      input: { email, password: STRONG_PASSWORD },
      in: 'BODY',
    });
    expect(body.data?.login.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.setCookies).toEqual([]);
  });

  it('refreshToken without an argument rotates the cookie; replaying the old one ends the session and clears it', async () => {
    const { email } = await registerUser(app);
    const first = refreshCookieOf(await loginWithCookie(email))!.value;

    const rotated = await post<{ refreshToken: Payload }>(app, REFRESH_FROM_COOKIE, {}, cookieHeader(first));
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data?.refreshToken.refreshToken).toBeNull();
    const second = refreshCookieOf(rotated)!;
    expect(second.value).not.toBe(first);
    expect(second.flags.get('path')).toBe('/graphql');
    const me = await post<{ me: { id: string } }>(
      app,
      ME,
      {},
      {
        authorization: `Bearer ${rotated.data!.refreshToken.accessToken}`,
      },
    );
    expect(me.data?.me.id).toBe(rotated.data?.refreshToken.user.id);

    app.clock.advance(11_000); // past the reuse grace
    const replay = await post<{ refreshToken: Payload }>(app, REFRESH_FROM_COOKIE, {}, cookieHeader(first));
    expect(codeOf(replay)).toBe('REFRESH_TOKEN_REUSED');
    const cleared = refreshCookieOf(replay)!;
    expect(cleared.value).toBe('');
    expect(new Date(cleared.flags.get('expires')!).getTime()).toBeLessThan(Date.now());
    // Reuse detection ended the whole session: the newest cookie is dead too.
    const newest = await post<{ refreshToken: Payload }>(
      app,
      REFRESH_FROM_COOKIE,
      {},
      cookieHeader(second.value),
    );
    expect(codeOf(newest)).toBe('UNAUTHENTICATED');
  });

  it('refreshToken without an argument and without a cookie is UNAUTHENTICATED', async () => {
    const answer = await post<{ refreshToken: Payload }>(app, REFRESH_FROM_COOKIE);
    expect(codeOf(answer)).toBe('UNAUTHENTICATED');
    expect(answer.data?.refreshToken ?? null).toBeNull();
  });

  it('C3: a cookie-only refresh without a JSON content type or the preflight header is refused and rotates nothing', async () => {
    const { email } = await registerUser(app);
    const cookie = refreshCookieOf(await loginWithCookie(email))!.value;
    const body = JSON.stringify({ query: REFRESH_FROM_COOKIE });
    // What a form on another site could send: a "simple" request that needs no preflight.
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...cookieHeader(cookie), ...freshClientIp() },
        body,
      });
      expect(response.status, contentType).toBe(400);
      expect(await response.text()).toMatch(/CSRF/);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const get = await fetch(`${app.url}/graphql?query=${encodeURIComponent(REFRESH_FROM_COOKIE)}`, {
      headers: { ...cookieHeader(cookie), ...freshClientIp() },
    });
    expect(get.status).toBe(400);
    const getWithPreflightHeader = await fetch(
      `${app.url}/graphql?query=${encodeURIComponent(REFRESH_FROM_COOKIE)}`,
      {
        headers: { ...cookieHeader(cookie), 'apollo-require-preflight': '1', ...freshClientIp() },
      },
    );
    expect(getWithPreflightHeader.status).toBe(405);
    // None of them used the token: it still rotates once.
    const rotated = await post<{ refreshToken: Payload }>(app, REFRESH_FROM_COOKIE, {}, cookieHeader(cookie));
    expect(rotated.errors).toBeUndefined();
    const rows = await app.sql<{ revoked: number }>(
      `select count(*)::int as revoked from refresh_token t join auth_session s on s.id = t.session_id
        where s.user_id = $1 and t.revoked_at is not null`,
      [rotated.data!.refreshToken.user.id],
    );
    expect(rows[0]!.revoked).toBe(1);
  });

  it('C2: logout clears the cookie, and the cookie no longer refreshes', async () => {
    const { email } = await registerUser(app);
    const login = await loginWithCookie(email);
    const cookie = refreshCookieOf(login)!.value;
    const logout = await post<{ logout: boolean }>(
      app,
      LOGOUT,
      {},
      {
        authorization: `Bearer ${login.data!.login.accessToken}`,
        ...cookieHeader(cookie),
      },
    );
    expect(logout.data?.logout).toBe(true);
    const cleared = refreshCookieOf(logout)!;
    expect(cleared.value).toBe('');
    expect(cleared.flags.get('path')).toBe('/graphql');
    expect(cleared.flags.has('httponly')).toBe(true);
    expect(new Date(cleared.flags.get('expires')!).getTime()).toBeLessThan(Date.now());
    const after = await post<{ refreshToken: Payload }>(app, REFRESH_FROM_COOKIE, {}, cookieHeader(cookie));
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
  });
});
