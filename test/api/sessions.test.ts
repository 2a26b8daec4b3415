import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, SECOND } from '../../src/shared/clock.js';
import { TRUSTED_LOOPBACK, fromFreshClient, startTestApp, type TestApp } from '../helpers/app.js';
import { ME, codeOf, login, refresh, registerUser, type Tokens } from '../helpers/auth.js';

const LOGOUT = `mutation Logout($everywhere: Boolean!) { logout(everywhere: $everywhere) }`;
const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const NEW_PASSWORD = 'a different long passphrase 4711';
const GRACE_MS = 10 * SECOND;

const sha256Hex = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const sidOf = (accessToken: string): string => {
  const payload = jwt.decode(accessToken);
  if (payload === null || typeof payload === 'string' || typeof payload.sid !== 'string') {
    throw new Error(`no sid in ${accessToken}`);
  }
  return payload.sid;
};

interface TokenRow {
  id: string;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  revoked_at: Date | null;
  expires_at: Date;
}

interface SessionRow {
  id: string;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

describe('sessions (SECURITY.md R1-R7)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(() => app.stop());

  const rotate = async (token: string): Promise<Tokens> => {
    const result = await refresh(app, token, fromFreshClient());
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshToken.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return result.data!.refreshToken;
  };

  const refreshCode = async (token: string) => codeOf(await refresh(app, token, fromFreshClient()));

  const me = (token: string) => app.gql<{ me: { id: string } }>(ME, {}, fromFreshClient(token));

  const expectMe = async (token: string, userId: string) => {
    const result = await me(token);
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.id).toBe(userId);
  };

  const expectUnauthenticated = async (token: string) => {
    const result = await me(token);
    expect(result.data?.me ?? null).toBeNull();
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  };

  const tokenRows = (sessionId: string) =>
    app.sql<TokenRow>(
      'select id, session_id, token_hash, parent_id, revoked_at, expires_at from refresh_token where session_id = $1 order by created_at, id',
      [sessionId],
    );

  const rowFor = async (raw: string): Promise<TokenRow> => {
    const rows = await app.sql<TokenRow>(
      'select id, session_id, token_hash, parent_id, revoked_at, expires_at from refresh_token where token_hash = $1',
      [sha256Hex(raw)],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  const sessionRow = async (sessionId: string): Promise<SessionRow> => {
    const rows = await app.sql<SessionRow>(
      'select id, revoked_at, revoked_reason from auth_session where id = $1',
      [sessionId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  const logout = (accessToken: string, everywhere: boolean) =>
    app.gql<{ logout: boolean }>(LOGOUT, { everywhere }, fromFreshClient(accessToken));

  const changePassword = (accessToken: string, currentPassword: string, newPassword: string) =>
    app.gql<{ changePassword: boolean }>(
      CHANGE_PASSWORD,
      { input: { currentPassword, newPassword } },
      fromFreshClient(accessToken),
    );

  it('R1: only the SHA-256 of a refresh token is stored, never the raw token', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const second = await rotate(user.refreshToken);
    const third = await rotate(second.refreshToken);
    const raws = [user.refreshToken, second.refreshToken, third.refreshToken];
    const sessionId = sidOf(user.accessToken);

    // Every column of every row, as text, in both tables (and the user table for good measure).
    for (const table of ['refresh_token', 'auth_session', 'app_user']) {
      const rows = await app.sql<{ row: string }>(`select t::text as row from ${table} t`);
      expect(rows.length).toBeGreaterThan(0);
      const all = rows.map((r) => r.row).join('\n');
      for (const raw of raws) {
        expect(all).not.toContain(raw);
        // Nor its base64url body in another encoding (hex of the 32 bytes).
        expect(all).not.toContain(Buffer.from(raw, 'base64url').toString('hex'));
      }
    }

    const rows = await tokenRows(sessionId);
    // Same clock instant for all three rows, so compare as sets.
    expect(rows.map((r) => r.token_hash).sort()).toEqual(raws.map(sha256Hex).sort());
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('R2: every refresh rotates: the old token stops working, is revoked and is the new one’s parent', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const sessionId = sidOf(user.accessToken);
    let current = user.refreshToken;
    const first = await rowFor(current);
    expect(first.parent_id).toBeNull();
    expect(first.revoked_at).toBeNull();

    for (let generation = 1; generation <= 3; generation++) {
      const before = await rowFor(current);
      const next = await rotate(current);
      expect(next.refreshToken).not.toBe(current);
      expect(sidOf(next.accessToken)).toBe(sessionId);

      const oldRow = await rowFor(current);
      const newRow = await rowFor(next.refreshToken);
      expect(oldRow.id).toBe(before.id);
      expect(oldRow.revoked_at).toBeInstanceOf(Date);
      expect(oldRow.revoked_at!.getTime()).toBe(app.clock.now().getTime());
      expect(newRow.parent_id).toBe(oldRow.id);
      expect(newRow.session_id).toBe(sessionId);
      expect(newRow.revoked_at).toBeNull();

      // The old token no longer yields tokens (a replay this soon is treated as a race: refused
      // without ending the session).
      const replay = await refresh(app, current, fromFreshClient());
      expect(replay.data?.refreshToken ?? null).toBeNull();
      expect(codeOf(replay)).toBe('UNAUTHENTICATED');

      current = next.refreshToken;
    }
    const rows = await tokenRows(sessionId);
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => r.revoked_at === null).map((r) => r.token_hash)).toEqual([sha256Hex(current)]);
    await rotate(current);
  });

  it('R3: replaying a rotated token outside the 10 s grace revokes the whole session (REFRESH_TOKEN_REUSED)', async () => {
    // As Supabase tests it: rotate 3 times, then replay the first token.
    const user = await registerUser(app, {}, fromFreshClient());
    const sessionId = sidOf(user.accessToken);
    const t1 = await rotate(user.refreshToken);
    const t2 = await rotate(t1.refreshToken);
    const t3 = await rotate(t2.refreshToken);
    await expectMe(t3.accessToken, user.user.id);

    app.clock.advance(GRACE_MS + SECOND);
    const replay = await refresh(app, user.refreshToken, fromFreshClient());
    expect(replay.data?.refreshToken ?? null).toBeNull();
    expect(codeOf(replay)).toBe('REFRESH_TOKEN_REUSED');

    // Everything of the session is dead: the newest token, every row, the session, the access tokens.
    expect(await refreshCode(t3.refreshToken)).toBe('UNAUTHENTICATED');
    const rows = await tokenRows(sessionId);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.revoked_at).toBeInstanceOf(Date);
    const session = await sessionRow(sessionId);
    expect(session.revoked_at).toBeInstanceOf(Date);
    expect(session.revoked_reason).toBe('refresh-token-reuse');
    for (const access of [user.accessToken, t1.accessToken, t2.accessToken, t3.accessToken]) {
      await expectUnauthenticated(access);
    }

    // Within the grace, replaying the token just rotated is a client racing itself: refused, but the
    // session lives on and the newest token still works.
    const racer = await registerUser(app, {}, fromFreshClient());
    const racerSid = sidOf(racer.accessToken);
    const r1 = await rotate(racer.refreshToken);
    const r2 = await rotate(r1.refreshToken);
    app.clock.advance(GRACE_MS - SECOND);
    const race = await refresh(app, r1.refreshToken, fromFreshClient());
    expect(race.data?.refreshToken ?? null).toBeNull();
    expect(codeOf(race)).toBe('UNAUTHENTICATED');
    expect((await sessionRow(racerSid)).revoked_at).toBeNull();
    await expectMe(r2.accessToken, racer.user.id);
    const r3 = await rotate(r2.refreshToken);
    await expectMe(r3.accessToken, racer.user.id);
    // The grace is a window, not forever: the same replay of the just-rotated r2 after it is reuse.
    app.clock.advance(GRACE_MS + SECOND);
    expect(await refreshCode(r2.refreshToken)).toBe('REFRESH_TOKEN_REUSED');
    expect(await refreshCode(r3.refreshToken)).toBe('UNAUTHENTICATED');
    expect((await sessionRow(racerSid)).revoked_at).toBeInstanceOf(Date);

    // Within the grace, a token two generations old is reuse all the same.
    const victim = await registerUser(app, {}, fromFreshClient());
    const victimSid = sidOf(victim.accessToken);
    const v1 = await rotate(victim.refreshToken);
    const v2 = await rotate(v1.refreshToken);
    expect(await refreshCode(victim.refreshToken)).toBe('REFRESH_TOKEN_REUSED');
    expect(await refreshCode(v2.refreshToken)).toBe('UNAUTHENTICATED');
    const victimRows = await tokenRows(victimSid);
    expect(victimRows).toHaveLength(3);
    for (const row of victimRows) expect(row.revoked_at).toBeInstanceOf(Date);
    expect((await sessionRow(victimSid)).revoked_reason).toBe('refresh-token-reuse');
    await expectUnauthenticated(v2.accessToken);
  });

  it('R4: 20 parallel refreshes of one token: no 500, exactly one succeeds, one live token afterwards', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const sessionId = sidOf(user.accessToken);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => refresh(app, user.refreshToken, fromFreshClient())),
    );

    for (const result of results) {
      expect(result.status).not.toBe(500);
      expect(result.text).not.toContain('INTERNAL_SERVER_ERROR');
    }
    const winners = results.filter((r) => r.data?.refreshToken != null);
    expect(winners).toHaveLength(1);
    const losers = results.filter((r) => r.data?.refreshToken == null);
    expect(losers.map((r) => codeOf(r))).toEqual(Array.from({ length: 19 }, () => 'UNAUTHENTICATED'));

    const winner = winners[0]!.data!.refreshToken;
    const live = await app.sql<TokenRow>(
      'select id, token_hash, parent_id from refresh_token where session_id = $1 and revoked_at is null',
      [sessionId],
    );
    expect(live).toHaveLength(1);
    expect(live[0]!.token_hash).toBe(sha256Hex(winner.refreshToken));
    expect(await app.sql('select id from refresh_token where session_id = $1', [sessionId])).toHaveLength(2);
    expect((await sessionRow(sessionId)).revoked_at).toBeNull();
    await expectMe(winner.accessToken, user.user.id);
    await rotate(winner.refreshToken);
  });

  it('R5: idle expiry after 30 days, absolute cap at 90 days however often the session is refreshed', async () => {
    // Idle: the same token just inside and just outside 30 days.
    const early = await registerUser(app, {}, fromFreshClient());
    const idle = await registerUser(app, {}, fromFreshClient());
    app.clock.advance(30 * DAY - SECOND);
    await rotate(early.refreshToken);
    app.clock.advance(2 * SECOND);
    const expired = await refresh(app, idle.refreshToken, fromFreshClient());
    expect(expired.data?.refreshToken ?? null).toBeNull();
    expect(codeOf(expired)).toBe('UNAUTHENTICATED');

    // Absolute: refreshed every 29 days (always within the idle window), still dead at day 90.
    const user = await registerUser(app, {}, fromFreshClient());
    const sessionId = sidOf(user.accessToken);
    const createdAt = app.clock.now().getTime();
    let current = user.refreshToken;
    for (let i = 0; i < 3; i++) {
      app.clock.advance(29 * DAY);
      current = (await rotate(current)).refreshToken;
    }
    // Day 87: the new token's own expiry is the session's cap, not 30 more days.
    const capped = await rowFor(current);
    expect(capped.expires_at.getTime()).toBe(createdAt + 90 * DAY);
    app.clock.set(new Date(createdAt + 90 * DAY - SECOND));
    current = (await rotate(current)).refreshToken;
    app.clock.advance(2 * SECOND);
    const dead = await refresh(app, current, fromFreshClient());
    expect(dead.data?.refreshToken ?? null).toBeNull();
    expect(codeOf(dead)).toBe('UNAUTHENTICATED');
    expect((await rowFor(current)).revoked_at).toBeNull();
    expect(await sessionRow(sessionId)).toMatchObject({ revoked_at: null });
    // The session row is the source of truth: a token row whose own expiry were later still dies with it.
    await app.sql(
      `update refresh_token set expires_at = expires_at + interval '30 days' where token_hash = $1`,
      [sha256Hex(current)],
    );
    expect(await refreshCode(current)).toBe('UNAUTHENTICATED');
  });

  it('R6: logout ends only the current session; logout(everywhere: true) ends all of the user’s sessions', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const second = (await login(app, user.email, user.password, fromFreshClient())).data!.login;
    const third = (await login(app, user.email, user.password, fromFreshClient())).data!.login;
    const bystander = await registerUser(app, {}, fromFreshClient());
    expect(new Set([user, second, third].map((t) => sidOf(t.accessToken))).size).toBe(3);

    const out = await logout(user.accessToken, false);
    expect(out.errors).toBeUndefined();
    expect(out.data?.logout).toBe(true);
    await expectUnauthenticated(user.accessToken);
    expect(await refreshCode(user.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await sessionRow(sidOf(user.accessToken))).toMatchObject({ revoked_reason: 'logout' });

    await expectMe(second.accessToken, user.user.id);
    await expectMe(third.accessToken, user.user.id);
    const secondNext = await rotate(second.refreshToken);
    expect((await sessionRow(sidOf(third.accessToken))).revoked_at).toBeNull();

    const everywhere = await logout(secondNext.accessToken, true);
    expect(everywhere.errors).toBeUndefined();
    expect(everywhere.data?.logout).toBe(true);
    for (const access of [second.accessToken, secondNext.accessToken, third.accessToken]) {
      await expectUnauthenticated(access);
    }
    expect(await refreshCode(secondNext.refreshToken)).toBe('UNAUTHENTICATED');
    expect(await refreshCode(third.refreshToken)).toBe('UNAUTHENTICATED');
    const sessions = await app.sql<SessionRow>(
      'select id, revoked_at, revoked_reason from auth_session where user_id = $1',
      [user.user.id],
    );
    expect(sessions).toHaveLength(3);
    for (const session of sessions) expect(session.revoked_at).toBeInstanceOf(Date);
    const live = await app.sql(
      'select t.id from refresh_token t join auth_session s on s.id = t.session_id where s.user_id = $1 and t.revoked_at is null',
      [user.user.id],
    );
    expect(live).toHaveLength(0);

    // Another user's session is untouched.
    await expectMe(bystander.accessToken, bystander.user.id);
    await rotate(bystander.refreshToken);
  });

  it('R7: a password change ends every other session and keeps the current one', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const second = (await login(app, user.email, user.password, fromFreshClient())).data!.login;
    const third = (await login(app, user.email, user.password, fromFreshClient())).data!.login;

    // Wrong current password: INVALID_CREDENTIALS and nothing changes.
    const passwordHash = async () =>
      (
        await app.sql<{ password_hash: string }>('select password_hash from app_user where id = $1', [
          user.user.id,
        ])
      )
        .map((r) => r.password_hash)
        .join();
    const hashBefore = await passwordHash();
    expect(hashBefore).toMatch(/^\$argon2id\$/);
    const wrong = await changePassword(second.accessToken, 'not the password at all', NEW_PASSWORD);
    expect(wrong.data?.changePassword ?? null).toBeNull();
    expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
    expect(await passwordHash()).toBe(hashBefore);
    const stillLive = await app.sql('select id from auth_session where user_id = $1 and revoked_at is null', [
      user.user.id,
    ]);
    expect(stillLive).toHaveLength(3);
    for (const tokens of [user, second, third]) await expectMe(tokens.accessToken, user.user.id);
    expect(codeOf(await login(app, user.email, NEW_PASSWORD, fromFreshClient()))).toBe('INVALID_CREDENTIALS');

    // The real change, from the second session.
    const changed = await changePassword(second.accessToken, user.password, NEW_PASSWORD);
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.changePassword).toBe(true);

    await expectMe(second.accessToken, user.user.id);
    const secondNext = await rotate(second.refreshToken);
    await expectMe(secondNext.accessToken, user.user.id);
    for (const other of [user, third]) {
      await expectUnauthenticated(other.accessToken);
      expect(await refreshCode(other.refreshToken)).toBe('UNAUTHENTICATED');
      expect(await sessionRow(sidOf(other.accessToken))).toMatchObject({ revoked_reason: 'password-change' });
    }
    expect((await sessionRow(sidOf(second.accessToken))).revoked_at).toBeNull();

    const oldLogin = await login(app, user.email, user.password, fromFreshClient());
    expect(oldLogin.data?.login ?? null).toBeNull();
    expect(codeOf(oldLogin)).toBe('INVALID_CREDENTIALS');
    const newLogin = await login(app, user.email, NEW_PASSWORD, fromFreshClient());
    expect(newLogin.errors).toBeUndefined();
    expect(newLogin.data?.login.user.id).toBe(user.user.id);
    expect(await passwordHash()).not.toBe(hashBefore);
  });
});
