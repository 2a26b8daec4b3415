import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementRecorder } from '../../bench/lib/statements.js';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { budgetAlertsSettled, financeHelpers } from '../helpers/finance.js';

/**
 * createTransaction as the hot write path (bench scenario e): at most 5 SQL statements per request, the
 * caller's included, counted where MikroORM hands each statement to the driver (the bench's recorder);
 * budget alerts leave the request through an outbox row and are evaluated after commit.
 */

const TX_FIELDS = `id kind occurredOn createdAt note tags amount { amount currency } toAmount { amount currency }
  account { id name type currency archived createdAt balance { amount currency } openingBalance { amount } }
  toAccount { id name balance { amount currency } }
  category { id name kind parentId } createdBy { id firstName lastName email createdAt } paidBy { id firstName }`;
const CREATE_TX = `mutation Create($input: CreateTransactionInput!) { createTransaction(input: $input) { ${TX_FIELDS} } }`;
const READ_TX = `query Read($id: ID!) { transaction(id: $id) { ${TX_FIELDS} } }`;

let app: TestApp;
let recorder: StatementRecorder;
const { ok, newFamily, addMember } = financeHelpers(() => app);

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  recorder = new StatementRecorder(app.deps.orm);
});
afterAll(() => app?.stop());

describe('createTransaction', () => {
  it('runs at most 5 SQL statements, and answers what a read of it answers', async () => {
    const family = await newFamily();
    const member = await addMember(family);
    const savings = ok(
      await app.gql<{ createAccount: { id: string } }>(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
        { input: { name: 'Savings', type: 'SAVINGS', openingBalance: '100.00' } },
        { token: family.token },
      ),
    ).createAccount.id;
    ok(
      await app.gql(
        `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`,
        { input: { categoryId: family.category('Food'), amount: '10.00' } },
        { token: family.token },
      ),
    );
    // The worker stays out of the recording: only the request's own statements are counted.
    await app.deps.budgetAlerts.stop();
    try {
      const inputs = [
        {
          kind: 'EXPENSE',
          amount: '12.34',
          accountId: family.cashId,
          categoryId: family.category('Groceries'),
          note: 'beans',
          tags: ['Coffee', 'coffee'],
          paidById: member.userId,
          idempotencyKey: `statements-${Date.now()}`,
        },
        { kind: 'INCOME', amount: '50', accountId: savings, categoryId: family.category('Salary') },
        { kind: 'TRANSFER', amount: '7.50', accountId: savings, toAccountId: family.cashId },
      ];
      for (const input of inputs) {
        const { result, statements } = await recorder.record(() =>
          app.gql<{ createTransaction: Record<string, unknown> & { id: string } }>(
            CREATE_TX,
            { input },
            { token: family.token },
          ),
        );
        const created = ok(result).createTransaction;
        expect(
          statements.length,
          `${input.kind}: ${statements.map((s) => s.sql.replace(/\s+/g, ' ').slice(0, 100)).join('\n')}`,
        ).toBeLessThanOrEqual(5);
        const read = ok(
          await app.gql<{ transaction: unknown }>(READ_TX, { id: created.id }, { token: family.token }),
        );
        expect(created).toEqual(read.transaction);
      }
      // The expense left its budget check in the outbox, written with the row; nothing evaluated it yet.
      const pending = await app.sql(`select category_id from budget_alert_check where family_id = $1`, [
        family.familyId,
      ]);
      expect(pending).toEqual([{ category_id: family.category('Groceries') }]);
      expect(await app.sql(`select 1 from notification where family_id = $1`, [family.familyId])).toEqual([]);
    } finally {
      app.deps.budgetAlerts.start();
    }
    // Started again, the worker evaluates it: 123 % of the Food budget, both thresholds, each member.
    await budgetAlertsSettled(app, family.familyId);
    const alerts = await app.sql<{ threshold: string; user_id: string }>(
      `select payload->>'threshold' as threshold, user_id::text as user_id from notification
        where family_id = $1 and kind = 'budget_alert' order by 1, 2`,
      [family.familyId],
    );
    expect(alerts).toEqual(
      [
        { threshold: '100', user_id: family.userId },
        { threshold: '100', user_id: member.userId },
        { threshold: '80', user_id: family.userId },
        { threshold: '80', user_id: member.userId },
      ].sort((a, b) => (a.threshold + a.user_id < b.threshold + b.user_id ? -1 : 1)),
    );
  });

  it('a family without budgets leaves no outbox row', async () => {
    const family = await newFamily();
    ok(
      await app.gql(
        CREATE_TX,
        { input: { kind: 'EXPENSE', amount: '1.00', accountId: family.cashId } },
        { token: family.token },
      ),
    );
    expect(await app.sql(`select 1 from budget_alert_check where family_id = $1`, [family.familyId])).toEqual(
      [],
    );
  });
});
