import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/shared/clock.js';
import { TRUSTED_LOOPBACK, fromFreshClient, startTestApp, type TestApp } from '../helpers/app.js';
import { ME, codeOf, registerUser } from '../helpers/auth.js';

/**
 * What one process remembers of its callers (CallerCache), seen from inside: a read of PostgreSQL that a
 * change overtook is not remembered, and no remembered caller outlives its session's absolute end. The
 * cross-process behaviour is in test/deploy/session-cache.test.ts.
 */
describe('the caller cache of one process', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const fork = () => app.deps.orm.em.fork() as EntityManager;

  async function signedIn() {
    const user = await registerUser(app, {}, fromFreshClient());
    return { user, principal: app.deps.accessTokens.verify(user.accessToken) };
  }

  it('does not remember a read that a change overtook, nor one that began before it was subscribed', async () => {
    const { callers } = app.deps;
    const { principal } = await signedIn();
    const misses = () => callers.counts.miss;

    const before = misses();
    const overtaken = callers.read(fork(), principal);
    // The change lands while the read is on its way to PostgreSQL: what it brings back may be old.
    callers.apply({ users: [principal.userId] });
    expect((await overtaken).userId).toBe(principal.userId);
    await callers.read(fork(), principal);
    expect(misses() - before, 'read from PostgreSQL again, not remembered').toBe(2);
    await callers.read(fork(), principal);
    expect(misses() - before, 'the second read was remembered').toBe(2);

    // A subscription lost and regained during a read: the read is not remembered either.
    callers.apply({ sessions: [principal.sessionId] });
    const straddling = callers.read(fork(), principal);
    callers.setListening(false);
    callers.setListening(true);
    await straddling;
    const hits = callers.counts.hit;
    await callers.read(fork(), principal);
    expect(callers.counts.hit).toBe(hits);
  });

  it("refuses a remembered caller once the session's absolute end has passed", async () => {
    const { user } = await signedIn();
    await app.sql(
      `update auth_session set expires_at = $1 where user_id = (select id from app_user where email = $2)`,
      [new Date(app.clock.now().getTime() + MINUTE), user.email],
    );
    const hits = app.deps.callers.counts.hit;
    for (let i = 0; i < 2; i++) {
      const me = await app.gql(ME, {}, { token: user.accessToken });
      expect(me.errors, me.text).toBeUndefined();
    }
    expect(app.deps.callers.counts.hit - hits).toBe(1);

    app.clock.advance(2 * MINUTE);
    const after = await app.gql(ME, {}, { token: user.accessToken });
    expect({ status: after.status, code: codeOf(after) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
