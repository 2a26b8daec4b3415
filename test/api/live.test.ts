import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  STRONG_PASSWORD,
  TRUSTED_LOOPBACK,
  fromFreshClient,
  startTestApp,
  type TestApp,
} from '../helpers/app.js';
import { login, registerUser } from '../helpers/auth.js';
import { budgetAlertsSettled, financeHelpers, type TestFamily } from '../helpers/finance.js';
import { liveClient, rawSocket, subscriptionsRunning, type LiveClient } from '../helpers/live.js';

/**
 * Live updates (SECURITY.md S1): real graphql-ws clients on real sockets to a real API process, on the
 * run's PostgreSQL and Redis. Each test counts the subscriptions the server runs (/metrics) before it
 * writes, so no event can be published before its subscriber listens.
 */

const TX_CHANGED = `subscription($familyId: ID) {
  transactionChanged(familyId: $familyId) {
    change transactionId familyId
    transaction { id note amount { amount currency } account { id balance { amount } } }
  }
}`;
const BALANCES = `subscription($familyId: ID) {
  balancesChanged(familyId: $familyId) { familyId accounts { id balance { amount currency } } }
}`;
const ALERTS = `subscription($familyId: ID) {
  budgetAlert(familyId: $familyId) { budgetId threshold spent { amount currency } available { amount } percentUsed }
}`;
const NOTIFIED = `subscription { notificationAdded { id kind familyId payload readAt } }`;
const CREATE_TX = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;

interface TxChanged {
  transactionChanged: {
    change: string;
    transactionId: string;
    familyId: string;
    transaction: {
      id: string;
      note: string | null;
      amount: { amount: string; currency: string };
      account: { id: string; balance: { amount: string } };
    } | null;
  };
}

describe('live updates over WebSocket (graphql-ws)', () => {
  let app: TestApp;
  const { ok, newFamily, addMember } = financeHelpers(() => app);
  const clients: LiveClient[] = [];

  const connect = (token: string | undefined, params?: Record<string, unknown>) => {
    const client = liveClient(app.url, params ?? (token === undefined ? undefined : { accessToken: token }));
    clients.push(client);
    return client;
  };
  const createExpense = async (family: TestFamily, note: string, token = family.token, amount = '2.50') =>
    ok(
      await app.gql<{ createTransaction: { id: string } }>(
        CREATE_TX,
        { input: { kind: 'EXPENSE', amount, accountId: family.cashId, note } },
        { token },
      ),
    ).createTransaction.id;
  /** The codes of errors a subscription got (graphql-ws hands them over as arrays or single objects). */
  const codes = (errors: unknown[]) =>
    errors.flat().map((error) => (error as { extensions?: { code?: string } }).extensions?.code);

  /** Subscriptions running now, as the server counts them. */
  const running = async () =>
    Number(/^live_subscriptions (\d+)/m.exec(await (await fetch(`${app.url}/metrics`)).text())?.[1] ?? 0);

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, LIVE_MAX_CONNECTIONS_PER_USER: '3' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('S1: no socket without a valid access token (none, garbage, another key, a refresh token, expired, signed out)', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const forged = jwt.sign({ sid: randomUUID(), sub: user.user.id }, 'x'.repeat(48), {
      algorithm: 'HS256',
      expiresIn: 600,
      issuer: app.config.jwt.issuer,
      audience: app.config.jwt.audience,
    });
    const signedOut = await registerUser(app, {}, fromFreshClient());
    ok(await app.gql(`mutation { logout }`, {}, { token: signedOut.accessToken }));
    const cases: [string, Record<string, unknown> | undefined][] = [
      ['no connectionParams', undefined],
      ['no token', {}],
      ['garbage', { accessToken: 'not-a-token' }],
      ['another key', { accessToken: forged }],
      ['a refresh token', { accessToken: user.refreshToken }],
      ['a Bearer header value without a token', { authorization: 'Bearer' }],
      ['a signed-out session', { accessToken: signedOut.accessToken }],
    ];
    for (const [what, params] of cases) {
      const client = connect(undefined, params ?? undefined);
      await expect(client.connected, what).rejects.toThrow(/closed before connection_ack: 4403/);
      expect((await client.closed).code, what).toBe(4403);
    }
    // An expired token: valid signature, but 15 minutes have passed.
    app.clock.advance(901_000);
    const expired = connect(user.accessToken);
    await expect(expired.connected).rejects.toThrow(/4403/);
    app.clock.set(new Date());

    // A raw socket that subscribes without connection_init gets no data: graphql-ws closes it (4401).
    const raw = rawSocket(app.url);
    await raw.open;
    raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NOTIFIED } }));
    expect((await raw.closed).code).toBe(4401);
    expect(raw.messages).toEqual([]);

    // The same user with a valid token is welcome, as a token or as a Bearer header value.
    await connect(user.accessToken).connected;
    await connect(undefined, { authorization: `Bearer ${user.accessToken}` }).connected;
  });

  it('transactionChanged: created, updated and deleted, with the transaction as it is; balancesChanged with the new balance', async () => {
    const family = await newFamily();
    const client = connect(family.token);
    await client.connected;
    const changes = client.subscribe<TxChanged>(TX_CHANGED, { familyId: family.familyId });
    const balances = client.subscribe<{
      balancesChanged: { accounts: { id: string; balance: { amount: string } }[] };
    }>(BALANCES, {});
    await subscriptionsRunning(app.url, 2);

    const id = await createExpense(family, 'coffee', family.token, '4.20');
    const created = (await changes.next()).transactionChanged;
    expect(created).toMatchObject({ change: 'CREATED', transactionId: id, familyId: family.familyId });
    expect(created.transaction).toMatchObject({
      id,
      note: 'coffee',
      amount: { amount: '4.20', currency: 'EUR' },
    });
    const moved = (await balances.next()).balancesChanged.accounts;
    expect(moved.map((a) => a.id)).toEqual([family.cashId]);
    expect(moved[0]!.balance.amount).toBe(created.transaction!.account.balance.amount);

    ok(
      await app.gql(
        `mutation($id: ID!) { updateTransaction(id: $id, input: { note: "beans" }) { id } }`,
        { id },
        { token: family.token },
      ),
    );
    const updated = (await changes.next()).transactionChanged;
    expect(updated).toMatchObject({ change: 'UPDATED', transactionId: id, transaction: { note: 'beans' } });

    ok(await app.gql(`mutation($id: ID!) { deleteTransaction(id: $id) }`, { id }, { token: family.token }));
    expect((await changes.next()).transactionChanged).toEqual({
      change: 'DELETED',
      transactionId: id,
      familyId: family.familyId,
      transaction: null,
    });
    expect(changes.errors).toEqual([]);

    // A corrected opening balance moves the balance too.
    for (let i = 0; i < 2; i++) await balances.next(); // the update's and the delete's
    ok(
      await app.gql(
        `mutation($id: ID!) { updateAccount(id: $id, input: { openingBalance: "100.00" }) { id } }`,
        { id: family.cashId },
        { token: family.token },
      ),
    );
    expect((await balances.next()).balancesChanged.accounts).toEqual([
      { id: family.cashId, balance: { amount: '100.00', currency: 'EUR' } },
    ]);
  });

  it('S1: no event from another family: its id is NOT_FOUND, and its events never reach this family', async () => {
    const mine = await newFamily();
    const theirs = await newFamily();
    const client = connect(mine.token);
    await client.connected;
    const foreign = client.subscribe<TxChanged>(TX_CHANGED, { familyId: theirs.familyId });
    await foreign.done;
    expect(JSON.stringify(foreign.errors)).toContain('NOT_FOUND');
    expect(foreign.events).toEqual([]);

    const own = client.subscribe<TxChanged>(TX_CHANGED, { familyId: mine.familyId });
    const theirClient = connect(theirs.token);
    await theirClient.connected;
    const theirStream = theirClient.subscribe<TxChanged>(TX_CHANGED, { familyId: theirs.familyId });
    await subscriptionsRunning(app.url, 2);
    // Their write first, then ours: events go out in order, so ours arriving first proves theirs did not.
    const theirTx = await createExpense(theirs, 'their secret');
    expect((await theirStream.next()).transactionChanged.transactionId).toBe(theirTx);
    const ownTx = await createExpense(mine, 'ours');
    expect((await own.next()).transactionChanged.transactionId).toBe(ownTx);
    expect(own.events.map((e) => e.transactionChanged.transactionId)).toEqual([ownTx]);
  });

  it('S1: a member removed mid-stream gets no further event of that family (checked per event)', async () => {
    const family = await newFamily();
    const member = await addMember(family);
    const memberClient = connect(member.token);
    await memberClient.connected;
    const shared = memberClient.subscribe<TxChanged>(TX_CHANGED, { familyId: family.familyId });
    await subscriptionsRunning(app.url, 1);
    const before = await createExpense(family, 'while a member');
    expect((await shared.next()).transactionChanged.transactionId).toBe(before);

    ok(
      await app.gql(
        `mutation($familyId: ID!, $userId: ID!) { removeMember(familyId: $familyId, userId: $userId) }`,
        { familyId: family.familyId, userId: member.userId },
        { token: family.token },
      ),
    );
    // The member's own family, on another socket of theirs: its event after the family's proves order.
    const ownFamilyOfMember = await app.gql<{ families: { id: string }[] }>(
      `query { families { id } }`,
      {},
      {
        token: member.token,
      },
    );
    const memberFamily = ok(ownFamilyOfMember).families[0]!.id;
    const control = memberClient.subscribe<TxChanged>(TX_CHANGED, { familyId: memberFamily });
    await subscriptionsRunning(app.url, 2);
    await createExpense(family, 'after removal');
    const cash = ok(
      await app.gql<{ accounts: { id: string }[] }>(`query { accounts { id } }`, {}, { token: member.token }),
    ).accounts[0]!.id;
    const mineTx = ok(
      await app.gql<{ createTransaction: { id: string } }>(
        CREATE_TX,
        { input: { kind: 'EXPENSE', amount: '1.00', accountId: cash } },
        { token: member.token },
      ),
    ).createTransaction.id;
    expect((await control.next()).transactionChanged.transactionId).toBe(mineTx);
    expect(shared.events.map((e) => e.transactionChanged.transactionId)).toEqual([before]);
  });

  it('S1: the socket is closed within a second of logout, of logout everywhere and of a password change', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const client = connect(user.accessToken);
    await client.connected;
    client.subscribe(NOTIFIED);
    await subscriptionsRunning(app.url, 1);
    const loggedOut = performance.now();
    ok(await app.gql(`mutation { logout }`, {}, { token: user.accessToken }));
    const closed = await client.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toBe('Session ended');
    expect(closed.at - loggedOut).toBeLessThan(1000);

    // Another session of the user, ended by a password change made from a third one.
    const other = await login(app, user.email, user.password, fromFreshClient());
    const third = await login(app, user.email, user.password, fromFreshClient());
    const otherClient = connect(ok(other).login.accessToken);
    const thirdClient = connect(ok(third).login.accessToken);
    await Promise.all([otherClient.connected, thirdClient.connected]);
    const changed = performance.now();
    ok(
      await app.gql(
        `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`,
        { input: { currentPassword: user.password, newPassword: `${STRONG_PASSWORD} 2` } },
        { token: ok(third).login.accessToken },
      ),
    );
    expect((await otherClient.closed).at - changed).toBeLessThan(1000);
    // The session that changed the password lives on.
    thirdClient.subscribe(NOTIFIED);
    await subscriptionsRunning(app.url, 1);

    const everywhere = performance.now();
    ok(await app.gql(`mutation { logout(everywhere: true) }`, {}, { token: ok(third).login.accessToken }));
    expect((await thirdClient.closed).at - everywhere).toBeLessThan(1000);
  });

  it('renewal: a ping carrying a newer token keeps the socket past the old expiry; without it, it closes at expiry', async () => {
    const family = await newFamily();
    const email = ok(
      await app.gql<{ me: { email: string } }>(`query { me { email } }`, {}, { token: family.token }),
    ).me.email;
    // Tokens issued 896 s ago: four seconds left (two logins take a while).
    app.clock.advance(-896_000);
    const old = ok(await login(app, email, STRONG_PASSWORD, fromFreshClient())).login.accessToken;
    const old2 = ok(await login(app, email, STRONG_PASSWORD, fromFreshClient())).login.accessToken;
    app.clock.set(new Date());

    const lapsing = connect(old2);
    await lapsing.connected;
    const renewed = connect(old);
    await renewed.connected;
    const fresh = ok(await login(app, email, STRONG_PASSWORD, fromFreshClient())).login.accessToken;
    renewed.socket().send(JSON.stringify({ type: 'ping', payload: { accessToken: fresh } }));

    const expired = await lapsing.closed;
    expect(expired).toMatchObject({ code: 4403, reason: 'Access token expired' });
    // Past the old token's end, the renewed socket still delivers.
    const stream = renewed.subscribe<TxChanged>(TX_CHANGED, {});
    await subscriptionsRunning(app.url, 1);
    const id = await createExpense(family, 'after renewal');
    expect((await stream.next()).transactionChanged.transactionId).toBe(id);

    // A renewal with another user's token closes the socket.
    const stranger = await registerUser(app, {}, fromFreshClient());
    renewed.socket().send(JSON.stringify({ type: 'ping', payload: { accessToken: stranger.accessToken } }));
    expect(await renewed.closed).toMatchObject({ code: 4403, reason: 'Access token refused' });
  });

  it('limits: sockets per user, message size, subscriptions only, and the operation rules of HTTP', async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const three = [connect(user.accessToken), connect(user.accessToken), connect(user.accessToken)];
    await Promise.all(three.map((c) => c.connected));
    const fourth = connect(user.accessToken);
    expect(await fourth.closed).toMatchObject({ code: 4429, reason: 'Too many connections for this user' });
    await three[2]!.dispose();
    await three[2]!.closed;
    await connect(user.accessToken).connected;

    const client = three[0]!;
    const query = client.subscribe(`query { me { id } }`);
    await query.done;
    expect(JSON.stringify(query.errors)).toContain('subscriptions only');
    // Depth 10 (the limit is 8), through members and their default families.
    const deep = client.subscribe(
      `subscription { transactionChanged { transaction { createdBy { defaultFamily { members { user {
        defaultFamily { members { user { id } } } } } } } } } }`,
    );
    await deep.done;
    expect(codes(deep.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const unknown = client.subscribe(`subscription { nothingHere }`);
    await unknown.done;
    expect(codes(unknown.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const badVariable = client.subscribe(TX_CHANGED, { familyId: { not: 'an id' } });
    await badVariable.done;
    expect(codes(badVariable.errors)).toEqual(['BAD_USER_INPUT']);
    expect(await running()).toBe(0);

    // A message over 64 KiB closes the socket (1009, message too big) before it is read.
    const big = rawSocket(app.url);
    await big.open;
    big.socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { accessToken: user.accessToken, pad: 'x'.repeat(70_000) },
      }),
    );
    expect((await big.closed).code).toBe(1009);
  });

  it('without REDIS_URL (the embedded start) events are delivered in-process; stopping closes the sockets', async () => {
    const local = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, REDIS_URL: '' });
    let stopped: Promise<void> | undefined;
    try {
      expect(local.config.redisUrl).toBeUndefined();
      const user = await registerUser(local, {}, fromFreshClient());
      const cash = ok(
        await local.gql<{ accounts: { id: string }[] }>(
          `query { accounts { id } }`,
          {},
          { token: user.accessToken },
        ),
      ).accounts[0]!.id;
      const client = liveClient(local.url, { accessToken: user.accessToken });
      clients.push(client);
      await client.connected;
      const stream = client.subscribe<TxChanged>(TX_CHANGED, {});
      await subscriptionsRunning(local.url, 1);
      const id = ok(
        await local.gql<{ createTransaction: { id: string } }>(
          CREATE_TX,
          { input: { kind: 'INCOME', amount: '5.00', accountId: cash } },
          { token: user.accessToken },
        ),
      ).createTransaction.id;
      expect((await stream.next()).transactionChanged).toMatchObject({
        change: 'CREATED',
        transactionId: id,
      });
      // Stopping the server closes its sockets (1001, going away) instead of waiting on them.
      stopped = local.stop();
      await stopped;
      expect(await client.closed).toMatchObject({ code: 1001, reason: 'Server shutting down' });
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.dispose()));
      await (stopped ?? local.stop());
    }
  });

  it('notifications: a budget alert reaches the family (budgetAlert) and each member (notificationAdded); read state over HTTP', async () => {
    const family = await newFamily();
    const budget = ok(
      await app.gql<{ createBudget: { budget: { id: string } } }>(
        `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`,
        { input: { amount: '10.00' } },
        { token: family.token },
      ),
    ).createBudget.budget.id;
    const client = connect(family.token);
    await client.connected;
    const alerts = client.subscribe<{
      budgetAlert: { budgetId: string; threshold: number; spent: { amount: string } };
    }>(ALERTS, {});
    const notes = client.subscribe<{ notificationAdded: { id: string; kind: string; readAt: null } }>(
      NOTIFIED,
    );
    await subscriptionsRunning(app.url, 2);

    await createExpense(family, 'groceries', family.token, '9.00');
    await budgetAlertsSettled(app, family.familyId);
    const alert = (await alerts.next()).budgetAlert;
    expect(alert).toMatchObject({ budgetId: budget, threshold: 80, spent: { amount: '9.00' } });
    const note = (await notes.next()).notificationAdded;
    expect(note).toMatchObject({ kind: 'BUDGET_ALERT', readAt: null });

    const list = async () =>
      ok(
        await app.gql<{
          notifications: { unreadCount: number; items: { id: string; readAt: string | null }[] };
        }>(`query { notifications { unreadCount items { id readAt } } }`, {}, { token: family.token }),
      ).notifications;
    expect(await list()).toEqual({ unreadCount: 1, items: [{ id: note.id, readAt: null }] });
    const mark = (ids: string[]) =>
      app.gql<{ markNotificationsRead: { id: string; readAt: string }[] }>(
        `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) { id readAt } }`,
        { ids },
        { token: family.token },
      );
    // One id that is not the caller's: NOT_FOUND, and nothing is marked.
    const refused = await mark([note.id, randomUUID()]);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'ids' });
    expect((await list()).unreadCount).toBe(1);
    const marked = ok(await mark([note.id])).markNotificationsRead;
    expect(marked.map((n) => n.id)).toEqual([note.id]);
    expect(marked[0]!.readAt).not.toBeNull();
    expect((await list()).unreadCount).toBe(0);
    // Another user cannot mark it (nor see it).
    const stranger = await registerUser(app, {}, fromFreshClient());
    const theirs = ok(
      await app.gql<{ notifications: { items: unknown[] } }>(
        `query { notifications { items { id } } }`,
        {},
        { token: stranger.accessToken },
      ),
    );
    expect(theirs.notifications.items).toEqual([]);
  });
});
