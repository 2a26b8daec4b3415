import { randomBytes } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, fromFreshClient, startTestApp, type TestApp } from '../helpers/app.js';
import { ME, codeOf, login, refresh, registerUser } from '../helpers/auth.js';

const LOGOUT = `mutation Logout($everywhere: Boolean!) { logout(everywhere: $everywhere) }`;
const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const NEW_PASSWORD = 'a different long passphrase 4711';
const GRACE_MS = 10_000;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const claimsOf = (token: string): JwtPayload => {
  const payload = jwt.decode(token);
  if (payload === null || typeof payload === 'string') throw new Error(`not a JWT: ${token}`);
  return payload;
};

describe('tokens (SECURITY.md J1, J3, J4)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(async () => {
    await app.stop();
  });

  const me = (token: string) =>
    app.gql<{ me: { id: string; email: string } }>(ME, {}, fromFreshClient(token));

  const expectUnauthenticated = async (token: string) => {
    const result = await me(token);
    expect(result.data?.me ?? null).toBeNull();
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  };

  const expectMe = async (token: string, userId: string) => {
    const result = await me(token);
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.id).toBe(userId);
  };

  /** The session row every request checks (J4: PostgreSQL is the source of truth): revoked or not. */
  const revokedAt = async (sid: string) =>
    (
      await app.sql<{ revoked_at: Date | null }>('select revoked_at from auth_session where id = $1', [sid])
    )[0]!.revoked_at;
  const expectRevoked = async (sid: string) => expect(await revokedAt(sid)).not.toBeNull();
  const expectLive = async (sid: string) => expect(await revokedAt(sid)).toBeNull();

  /** A finance read with the token: refused like `me` once the session has ended. */
  const expectAccountsRefused = async (token: string) => {
    const result = await app.gql(`query { accounts { id } }`, {}, fromFreshClient(token));
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(result.status).toBe(401);
    expect(result.data ?? null).toBeNull();
  };

  it('J1: access token is HS256 with sub, sid, jti, iss, aud and a 900 s lifetime', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const other = await registerUser(app, {}, fromFreshClient());
    const decoded = jwt.decode(user.accessToken, { complete: true });
    if (decoded === null || typeof decoded.payload === 'string') throw new Error('access token is not a JWT');
    const { header, payload } = decoded;

    expect(header.alg).toBe('HS256');
    expect(payload.sub).toBe(user.user.id);
    expect(typeof payload.sub).toBe('string');
    expect(typeof payload.sid).toBe('string');
    const sessions = await app.sql<{ user_id: string }>('select user_id from auth_session where id = $1', [
      payload.sid,
    ]);
    expect(sessions).toEqual([{ user_id: user.user.id }]);
    expect(typeof payload.jti).toBe('string');
    expect(payload.jti).not.toBe('');
    expect(claimsOf(other.accessToken).jti).not.toBe(payload.jti);
    expect(payload.iss).toBe(app.config.jwt.issuer);
    expect(payload.aud).toBe(app.config.jwt.audience);
    expect(payload.iat).toBe(Math.floor(app.clock.now().getTime() / 1000));
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(user.expiresIn).toBe(900);

    await expectMe(user.accessToken, user.user.id);

    // Control: a token built here with the server's key and the right claims is accepted, so every
    // refusal below is down to the one thing each forgery changes.
    const claims = { ...payload };
    const signed = (overrides: Record<string, unknown>, secret = app.config.jwt.secret) =>
      jwt.sign({ ...claims, ...overrides }, secret, { algorithm: 'HS256' });
    await expectMe(signed({}), user.user.id);

    // alg=none with an empty signature.
    await expectUnauthenticated(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`);
    // The right claims, signed with another 48-byte key.
    await expectUnauthenticated(signed({}, randomBytes(48).toString('base64url')));
    // Wrong audience, wrong issuer (right key).
    await expectUnauthenticated(signed({ aud: 'someone-else-api' }));
    await expectUnauthenticated(signed({ iss: 'someone-else' }));
    // A real token whose payload was edited to name another user, original signature kept.
    const [head, , signature] = user.accessToken.split('.');
    const tampered = `${head}.${b64url({ ...claims, sub: other.user.id })}.${signature}`;
    expect(tampered).not.toBe(user.accessToken);
    await expectUnauthenticated(tampered);
    // HS256 header with a signature from an unrelated token.
    await expectUnauthenticated(`${head}.${b64url(claims)}.${other.accessToken.split('.')[2]}`);
    // Signed with the real key, everything right, but one required claim left out: without `exp` such a
    // token would never expire; without `iat` or `sid` it could not be tied to a session's life.
    for (const claim of ['exp', 'iat', 'sid', 'sub'] as const) {
      const { [claim]: _left, ...rest } = claims;
      const forged = jwt.sign(rest, app.config.jwt.secret, { algorithm: 'HS256', noTimestamp: true });
      expect(Object.keys(claimsOf(forged)), claim).not.toContain(claim);
      await expectUnauthenticated(forged);
    }

    // Expired: one second past the 900 s lifetime on the app's clock.
    app.clock.advance(899_000);
    await expectMe(user.accessToken, user.user.id);
    app.clock.advance(2_000);
    await expectUnauthenticated(user.accessToken);
    await expectUnauthenticated(signed({}));
  });

  it('J1: no access token outlives its session: one issued near the absolute end expires with it', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const sid = claimsOf(user.accessToken).sid as string;
    const [session] = await app.sql<{ expires_at: Date }>(
      'select expires_at from auth_session where id = $1',
      [sid],
    );
    const sessionEnds = session!.expires_at.getTime();
    expect(sessionEnds - app.clock.now().getTime()).toBe(app.config.session.absoluteTtlSeconds * 1000);

    // Keep the session alive inside the idle timeout until five minutes before its absolute end.
    let refreshToken = user.refreshToken;
    const rotate = async () => {
      const rotated = await refresh(app, refreshToken, fromFreshClient());
      expect(rotated.errors).toBeUndefined();
      refreshToken = rotated.data!.refreshToken.refreshToken;
      return rotated.data!.refreshToken;
    };
    const day = 24 * 3600 * 1000;
    while (sessionEnds - app.clock.now().getTime() > app.config.session.idleTtlSeconds * 1000) {
      app.clock.advance(app.config.session.idleTtlSeconds * 1000 - day);
      await rotate();
    }
    app.clock.set(new Date(sessionEnds - 300_000));
    const late = await rotate();

    const claims = claimsOf(late.accessToken);
    expect(claims.sid).toBe(sid);
    expect(claims.exp).toBe(Math.floor(sessionEnds / 1000));
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(late.expiresIn).toBe(300);
    await expectMe(late.accessToken, user.user.id);
    app.clock.advance(301_000);
    await expectUnauthenticated(late.accessToken);
  });

  it('J3: the refresh token is opaque (32 random bytes, base64url, not a JWT) and is refused as Bearer', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const token = user.refreshToken;

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain('.');
    const bytes = Buffer.from(token, 'base64url');
    expect(bytes.length).toBe(32);
    expect(bytes.toString('base64url')).toBe(token);
    expect(jwt.decode(token)).toBeNull();
    expect(token).not.toBe(user.accessToken);

    // Two sessions never share a refresh token.
    const second = await login(app, user.email, user.password, fromFreshClient());
    expect(second.data?.login.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.data?.login.refreshToken).not.toBe(token);

    await expectUnauthenticated(token);
    // The refresh token itself still works where it belongs.
    const rotated = await refresh(app, token, fromFreshClient());
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data?.refreshToken.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expectUnauthenticated(rotated.data!.refreshToken.refreshToken);
  });

  it('J4: logout, refresh-token reuse and a password change revoke the access tokens of the ended sessions', async () => {
    // Logout: the same, still unexpired, access token is refused afterwards.
    const user = await registerUser(app, {}, fromFreshClient());
    const sid = claimsOf(user.accessToken).sid as string;
    await expectMe(user.accessToken, user.user.id);
    await expectLive(sid);
    const loggedOut = await app.gql<{ logout: boolean }>(
      LOGOUT,
      { everywhere: false },
      fromFreshClient(user.accessToken),
    );
    expect(loggedOut.errors).toBeUndefined();
    expect(loggedOut.data?.logout).toBe(true);
    expect(claimsOf(user.accessToken).exp! * 1000).toBeGreaterThan(app.clock.now().getTime());
    await expectUnauthenticated(user.accessToken);
    await expectAccountsRefused(user.accessToken);
    await expectRevoked(sid);

    // Reuse detection: replaying a rotated refresh token after the grace ends the session, and both
    // access tokens issued to it stop working.
    const victim = await registerUser(app, {}, fromFreshClient());
    const victimSid = claimsOf(victim.accessToken).sid as string;
    const rotated = await refresh(app, victim.refreshToken, fromFreshClient());
    expect(rotated.errors).toBeUndefined();
    const newAccess = rotated.data!.refreshToken.accessToken;
    expect(claimsOf(newAccess).sid).toBe(victimSid);
    await expectMe(newAccess, victim.user.id);
    app.clock.advance(GRACE_MS + 1_000);
    const replay = await refresh(app, victim.refreshToken, fromFreshClient());
    expect(codeOf(replay)).toBe('REFRESH_TOKEN_REUSED');
    await expectUnauthenticated(victim.accessToken);
    await expectUnauthenticated(newAccess);
    await expectAccountsRefused(newAccess);
    await expectRevoked(victimSid);

    // Password change: the other session's access token is refused, the current one keeps working.
    const owner = await registerUser(app, {}, fromFreshClient());
    const ownerSid = claimsOf(owner.accessToken).sid as string;
    const otherLogin = await login(app, owner.email, owner.password, fromFreshClient());
    const otherAccess = otherLogin.data!.login.accessToken;
    const otherSid = claimsOf(otherAccess).sid as string;
    expect(otherSid).not.toBe(ownerSid);
    await expectMe(otherAccess, owner.user.id);
    const changed = await app.gql<{ changePassword: boolean }>(
      CHANGE_PASSWORD,
      { input: { currentPassword: owner.password, newPassword: NEW_PASSWORD } },
      fromFreshClient(owner.accessToken),
    );
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.changePassword).toBe(true);
    await expectUnauthenticated(otherAccess);
    await expectMe(owner.accessToken, owner.user.id);
    await expectAccountsRefused(otherAccess);
    await expectRevoked(otherSid);
    await expectLive(ownerSid);
  });
});
