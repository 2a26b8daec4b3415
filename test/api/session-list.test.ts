import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/shared/clock.js';
import { TRUSTED_LOOPBACK, startTestApp, type GqlOptions, type TestApp } from '../helpers/app.js';
import { ME, codeOf, login, refresh, registerUser, type Tokens } from '../helpers/auth.js';

const SESSIONS = `query Sessions { sessions { id client userAgent ip createdAt lastUsedAt expiresAt current } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeSession(id: $id) }`;

interface SessionView {
  id: string;
  client: 'WEB' | 'TELEGRAM';
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

let ipCounter = 0;
/** A device: its own client address and user agent. */
const device = (name: string) => {
  const n = ++ipCounter;
  return { ip: `198.51.100.${n}`, userAgent: `${name} (test device ${n})` };
};
const from = (d: { ip: string; userAgent: string }, token?: string): GqlOptions => ({
  token,
  headers: { 'x-forwarded-for': d.ip, 'user-agent': d.userAgent },
});

describe('sessions a user can see, and revoke', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(() => app.stop());

  const listOf = async (token: string) => {
    const result = await app.gql<{ sessions: SessionView[] }>(SESSIONS, {}, { token });
    expect(result.errors, result.text).toBeUndefined();
    return result.data!.sessions;
  };
  const signIn = async (email: string, password: string, d: { ip: string; userAgent: string }) => {
    const result = await login(app, email, password, from(d));
    expect(result.errors, result.text).toBeUndefined();
    return result.data!.login;
  };
  const expectSignedOut = async (tokens: Tokens) => {
    expect(codeOf(await app.gql(ME, {}, { token: tokens.accessToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(app, tokens.refreshToken))).toBe('UNAUTHENTICATED');
  };

  it('lists each device with its client, address, user agent, times, and which one is asking', async () => {
    const laptop = device('Firefox');
    const phone = device('Safari');
    const user = await registerUser(app, {}, from(laptop));
    const registeredAt = app.clock.now().toISOString();
    app.clock.advance(5 * MINUTE);
    const onPhone = await signIn(user.email, user.password, phone);
    const phoneSignedInAt = app.clock.now().toISOString();

    const seenFromLaptop = await listOf(user.accessToken);
    expect(seenFromLaptop).toHaveLength(2);
    // Most recently used first.
    expect(seenFromLaptop.map((s) => s.userAgent)).toEqual([phone.userAgent, laptop.userAgent]);
    const [phoneSession, laptopSession] = seenFromLaptop;
    expect(laptopSession).toMatchObject({
      client: 'WEB',
      ip: laptop.ip,
      createdAt: registeredAt,
      lastUsedAt: registeredAt,
      current: true,
    });
    expect(phoneSession).toMatchObject({ ip: phone.ip, createdAt: phoneSignedInAt, current: false });
    expect(new Date(laptopSession!.expiresAt).getTime()).toBe(new Date(registeredAt).getTime() + 90 * DAY);
    expect((await listOf(onPhone.accessToken)).map((s) => s.current)).toEqual([true, false]);

    // A refresh is a use: from a new address, later.
    app.clock.advance(10 * MINUTE);
    const cafe = device('Firefox');
    const renewed = await refresh(app, user.refreshToken, from(cafe));
    expect(renewed.errors).toBeUndefined();
    const [latest] = await listOf(onPhone.accessToken);
    expect(latest).toMatchObject({
      id: laptopSession!.id,
      ip: cafe.ip,
      createdAt: registeredAt,
      lastUsedAt: app.clock.now().toISOString(),
      // The user agent is the one the session signed in with.
      userAgent: laptop.userAgent,
    });
  });

  it('revokeSession signs out that device at once and only that one; ended sessions are not listed', async () => {
    const laptop = device('Chrome');
    const user = await registerUser(app, {}, from(laptop));
    const lost = await signIn(user.email, user.password, device('Lost phone'));
    const loggedOut = await signIn(user.email, user.password, device('Old tablet'));
    // Remembered by the caller cache before the revocation: revoking must reach it too.
    expect((await app.gql(ME, {}, { token: lost.accessToken })).errors).toBeUndefined();
    expect(
      (await app.gql('mutation { logout }', {}, { token: loggedOut.accessToken })).errors,
    ).toBeUndefined();

    const sessions = await listOf(user.accessToken);
    // The logged-out tablet is gone; the laptop and the lost phone are listed.
    expect(sessions.map((s) => s.userAgent!.split(' (')[0]).sort()).toEqual(['Chrome', 'Lost phone']);
    const lostId = sessions.find((s) => s.userAgent?.startsWith('Lost phone'))!.id;

    const revoked = await app.gql<{ revokeSession: boolean }>(
      REVOKE,
      { id: lostId },
      { token: user.accessToken },
    );
    expect(revoked.data?.revokeSession).toBe(true);
    await expectSignedOut(lost);
    expect((await listOf(user.accessToken)).map((s) => s.id)).not.toContain(lostId);
    expect((await app.gql(ME, {}, { token: user.accessToken })).errors).toBeUndefined();

    const row = await app.sql<{ revoked_reason: string }>(
      'select revoked_reason from auth_session where id = $1',
      [lostId],
    );
    expect(row[0]!.revoked_reason).toBe('revoked-by-user');
    // Already ended: nothing to revoke.
    expect(codeOf(await app.gql(REVOKE, { id: lostId }, { token: user.accessToken }))).toBe('NOT_FOUND');
  });

  it("another user's session id, or no session at all, is NOT_FOUND, and that session lives on", async () => {
    const victim = await registerUser(app);
    const attacker = await registerUser(app);
    const [victimSession] = await listOf(victim.accessToken);
    for (const id of [victimSession!.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const answer = await app.gql<{ revokeSession: boolean | null }>(
        REVOKE,
        { id },
        { token: attacker.accessToken },
      );
      expect(codeOf(answer), answer.text).toBe('NOT_FOUND');
      expect(answer.errors![0]!.extensions?.field).toBe('id');
      expect(answer.data?.revokeSession ?? null).toBeNull();
    }
    expect((await app.gql(ME, {}, { token: victim.accessToken })).errors).toBeUndefined();
    expect(await listOf(victim.accessToken)).toHaveLength(1);
  });

  it('revoking the current session signs this client out, like logout', async () => {
    const user = await registerUser(app);
    const [current] = await listOf(user.accessToken);
    expect(current!.current).toBe(true);
    const answer = await app.gql<{ revokeSession: boolean }>(
      REVOKE,
      { id: current!.id },
      { token: user.accessToken },
    );
    expect(answer.data?.revokeSession).toBe(true);
    await expectSignedOut(user);
  });

  it('a session unused for the idle timeout is no longer listed', async () => {
    const user = await registerUser(app);
    const idle = await signIn(user.email, user.password, device('Forgotten browser'));
    expect(await listOf(user.accessToken)).toHaveLength(2);
    app.clock.advance(29 * DAY);
    // Only the first client keeps using its session.
    const renewed = await refresh(app, user.refreshToken);
    expect(renewed.errors).toBeUndefined();
    app.clock.advance(2 * DAY);
    const again = await refresh(app, renewed.data!.refreshToken.refreshToken);
    const sessions = await listOf(again.data!.refreshToken.accessToken);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.current).toBe(true);
    expect(codeOf(await refresh(app, idle.refreshToken))).toBe('UNAUTHENTICATED');
  });
});
