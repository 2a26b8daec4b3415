import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/**
 * The schema conventions client caches (Apollo Client, urql, Relay) rely on: a missing object costs
 * its own field only, deletes answer the id to evict, and dates and currencies are typed on input as on
 * output, so a bad one is refused before any resolver runs, naming the field.
 */
describe('schema conventions for client caches', () => {
  let app: TestApp;
  const { ok, newFamily, expectBadInput } = financeHelpers(() => app, { badInputWithoutData: true });
  let family: TestFamily;

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    family = await newFamily();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('a NOT_FOUND single object is null beside the fields that worked (account, transaction, budget, goal, family)', async () => {
    for (const field of ['account', 'transaction', 'budget', 'goal', 'family']) {
      const result = await app.gql<{ me: { id: string } | null } & Record<string, unknown>>(
        `query($id: ID!) { me { id } ${field}(id: $id) { __typename } }`,
        { id: randomUUID() },
        { token: family.token },
      );
      expect(result.status, result.text).toBe(200);
      expect(result.data?.me, `${field}: ${result.text}`).toEqual({ id: family.userId });
      expect(result.data?.[field], result.text).toBeNull();
      expect(
        result.errors?.map((e) => [e.extensions?.code, e.path]),
        result.text,
      ).toEqual([['NOT_FOUND', [field]]]);
    }
  });

  it('deletes answer the id of what they deleted', async () => {
    const tx = ok(
      await app.gql<{ createTransaction: { id: string } }>(
        `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
        { input: { kind: 'EXPENSE', amount: '3.00', accountId: family.cashId } },
        { token: family.token },
      ),
    ).createTransaction.id;
    const deleted = ok(
      await app.gql<{ deleteTransaction: string }>(
        `mutation($id: ID!) { deleteTransaction(id: $id) }`,
        { id: tx },
        { token: family.token },
      ),
    );
    expect(deleted).toEqual({ deleteTransaction: tx });
    const goal = ok(
      await app.gql<{ createGoal: { goal: { id: string } } }>(
        `mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }`,
        { input: { name: 'Bike', target: '500', currency: 'EUR' } },
        { token: family.token },
      ),
    ).createGoal.goal.id;
    expect(
      ok(await app.gql(`mutation($id: ID!) { deleteGoal(id: $id) }`, { id: goal }, { token: family.token })),
    ).toEqual({ deleteGoal: goal });
  });

  it('a date or a currency the scalar refuses is BAD_USER_INPUT naming the field, and nothing is written', async () => {
    const create = (input: Record<string, unknown>) =>
      app.gql(
        `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
        {
          input: { kind: 'EXPENSE', amount: '1.00', accountId: family.cashId, ...input },
        },
        { token: family.token },
      );
    const count = async () =>
      (await app.sql(`select 1 from ledger_transaction where family_id = $1`, [family.familyId])).length;
    const before = await count();
    expectBadInput(await create({ occurredOn: '2025-02-30' }), 'input.occurredOn');
    expectBadInput(await create({ occurredOn: '30.01.2025' }), 'input.occurredOn');
    expectBadInput(
      await app.gql(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
        { input: { name: 'Fake', type: 'CASH', currency: 'ABC' } },
        { token: family.token },
      ),
      'input.currency',
    );
    expectBadInput(
      await app.gql(
        `query($from: LocalDate) { spendingByCategory(from: $from) { total { amount } } }`,
        {
          from: '2025-1-1',
        },
        { token: family.token },
      ),
      'from',
    );
    expect(await count()).toBe(before);
    // Lower case is read as the code it spells.
    const account = ok(
      await app.gql<{ createAccount: { currency: string } }>(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { currency } }`,
        { input: { name: 'Yen', type: 'CASH', currency: 'jpy' } },
        { token: family.token },
      ),
    );
    expect(account.createAccount.currency).toBe('JPY');
  });
});
