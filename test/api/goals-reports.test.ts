import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/** Savings goals and the finance reports, through the API on the real stores. */

let app: TestApp;
const { ok, expectBadInput, newFamily, addMember } = financeHelpers(() => app, { badInputWithoutData: true });

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
});
afterAll(() => app?.stop());

async function createAccount(
  family: TestFamily,
  input: { name: string; currency?: string; openingBalance?: string; type?: string },
): Promise<string> {
  const data = ok(
    await app.gql<{ createAccount: { id: string } }>(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
      { input: { type: 'CHECKING', ...input } },
      { token: family.token },
    ),
  );
  return data.createAccount.id;
}

interface TxOptions {
  kind?: 'EXPENSE' | 'INCOME' | 'TRANSFER';
  category?: string;
  on: string;
  account?: string;
  toAccount?: string;
  paidBy?: string;
  token?: string;
}

async function record(family: TestFamily, amount: string, options: TxOptions): Promise<string> {
  const data = ok(
    await app.gql<{ createTransaction: { id: string } }>(
      `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
      {
        input: {
          kind: options.kind ?? 'EXPENSE',
          amount,
          accountId: options.account ?? family.cashId,
          occurredOn: options.on,
          ...(options.category !== undefined && { categoryId: family.category(options.category) }),
          ...(options.toAccount !== undefined && { toAccountId: options.toAccount }),
          ...(options.paidBy !== undefined && { paidById: options.paidBy }),
        },
      },
      { token: options.token ?? family.token },
    ),
  );
  return data.createTransaction.id;
}

async function setRate(family: TestFamily, base: string, quote: string, rate: string, date?: string) {
  ok(
    await app.gql(
      `mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
      { input: { base, quote, rate, ...(date !== undefined && { date }) } },
      { token: family.token },
    ),
  );
}

interface MoneyOut {
  amount: string;
  currency: string;
}

const eur = (amount: string): MoneyOut => ({ amount, currency: 'EUR' });

describe('goals', () => {
  interface GoalStatus {
    goal: {
      id: string;
      name: string;
      currency: string;
      deadline: string | null;
      target: MoneyOut;
      account: { id: string } | null;
    };
    saved: MoneyOut;
    remaining: MoneyOut;
    percentComplete: string;
    monthsLeft: number | null;
    monthlyNeeded: MoneyOut | null;
    contributions: { amount: MoneyOut; occurredOn: string; note: string | null }[];
  }

  const GOAL = `goal { id name currency deadline target { amount currency } account { id } }
    saved { amount currency } remaining { amount currency } percentComplete monthsLeft
    monthlyNeeded { amount currency } contributions { amount { amount currency } occurredOn note }`;

  const createGoal = (family: TestFamily, input: Record<string, unknown>) =>
    app.gql<{ createGoal: GoalStatus }>(
      `mutation($input: CreateGoalInput!) { createGoal(input: $input) { ${GOAL} } }`,
      { input },
      { token: family.token },
    );

  const contribute = (family: TestFamily, input: Record<string, unknown>) =>
    app.gql<{ contributeToGoal: GoalStatus }>(
      `mutation($input: ContributeToGoalInput!) { contributeToGoal(input: $input) { ${GOAL} } }`,
      { input },
      { token: family.token },
    );

  const updateGoal = async (family: TestFamily, id: string, input: Record<string, unknown>) =>
    ok(
      await app.gql<{ updateGoal: GoalStatus }>(
        `mutation($id: ID!, $input: UpdateGoalInput!) { updateGoal(id: $id, input: $input) { ${GOAL} } }`,
        { id, input },
        { token: family.token },
      ),
    ).updateGoal;

  const goal = async (family: TestFamily, id: string) =>
    ok(
      await app.gql<{ goal: GoalStatus }>(
        `query($id: ID!) { goal(id: $id) { ${GOAL} } }`,
        { id },
        {
          token: family.token,
        },
      ),
    ).goal;

  const progress = (s: GoalStatus) => ({
    saved: s.saved.amount,
    remaining: s.remaining.amount,
    percentComplete: s.percentComplete,
    monthsLeft: s.monthsLeft,
    monthlyNeeded: s.monthlyNeeded?.amount ?? null,
  });

  it('tracks contributions, progress and what is still needed each month', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const created = ok(
      await createGoal(family, { name: '  Summer holiday ', target: '1200.00', deadline: '2026-01-10' }),
    ).createGoal;
    expect(created.goal).toMatchObject({
      name: 'Summer holiday',
      currency: 'EUR',
      deadline: '2026-01-10',
      target: eur('1200.00'),
      account: null,
    });
    expect(progress(created)).toEqual({
      saved: '0.00',
      remaining: '1200.00',
      percentComplete: '0.0',
      monthsLeft: 10,
      monthlyNeeded: '120.00',
    });
    const id = created.goal.id;

    ok(await contribute(family, { goalId: id, amount: '250.00', occurredOn: '2025-03-01', note: 'start' }));
    const after = ok(await contribute(family, { goalId: id, amount: '-50.00', occurredOn: '2025-03-05' }));
    expect(progress(after.contributeToGoal)).toEqual({
      saved: '200.00',
      remaining: '1000.00',
      percentComplete: '16.7',
      monthsLeft: 10,
      monthlyNeeded: '100.00',
    });
    expect(after.contributeToGoal.saved).toEqual(eur('200.00'));
    expect(after.contributeToGoal.monthlyNeeded).toEqual(eur('100.00'));
    expect(after.contributeToGoal.contributions).toEqual([
      { amount: eur('-50.00'), occurredOn: '2025-03-05', note: null },
      { amount: eur('250.00'), occurredOn: '2025-03-01', note: 'start' },
    ]);

    // 1000.00 over 3 months is 333.333...: rounded up to the cent, so that it is enough.
    expect(progress(await updateGoal(family, id, { deadline: '2025-06-10' }))).toMatchObject({
      monthsLeft: 3,
      monthlyNeeded: '333.34',
    });
    expect(progress(await updateGoal(family, id, { deadline: '2025-06-09' }))).toMatchObject({
      monthsLeft: 2,
      monthlyNeeded: '500.00',
    });
    // A deadline this month or already past wants everything now.
    expect(progress(await updateGoal(family, id, { deadline: '2025-02-01' }))).toMatchObject({
      monthsLeft: 1,
      monthlyNeeded: '1000.00',
    });
    expect(progress(await updateGoal(family, id, { clearDeadline: true }))).toMatchObject({
      monthsLeft: null,
      monthlyNeeded: null,
    });

    // Today is the default day of a contribution; more than the target is fine and needs nothing more.
    const over = ok(await contribute(family, { goalId: id, amount: '1100.00' })).contributeToGoal;
    expect(over.contributions[0]).toEqual({ amount: eur('1100.00'), occurredOn: '2025-03-10', note: null });
    expect(progress(await updateGoal(family, id, { deadline: '2025-12-31' }))).toEqual({
      saved: '1300.00',
      remaining: '0.00',
      percentComplete: '108.3',
      monthsLeft: 9,
      monthlyNeeded: '0.00',
    });

    expectBadInput(await contribute(family, { goalId: id, amount: '0' }), 'input.amount');
    expectBadInput(await contribute(family, { goalId: id, amount: '1.234' }), 'input.amount');
    expectBadInput(
      await contribute(family, { goalId: id, amount: '5', occurredOn: '2025-02-30' }),
      'input.occurredOn',
    );
    expectBadInput(await createGoal(family, { name: 'x', target: '-1.00' }), 'input.target');
    expectBadInput(
      await createGoal(family, { name: 'x', target: '10.00', deadline: 'soon' }),
      'input.deadline',
    );
    const rows = await app.sql<{ n: string; total: string }>(
      `select count(*)::text as n, sum(amount)::text as total from goal_contribution where family_id = $1`,
      [family.familyId],
    );
    expect(rows).toEqual([{ n: '3', total: '130000' }]);
  });

  it('rounds the monthly amount up in the currency of the goal', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const yen = ok(
      await createGoal(family, { name: 'Camera', target: '100000', currency: 'JPY', deadline: '2025-06-10' }),
    ).createGoal;
    expect(yen.goal.target).toEqual({ amount: '100000', currency: 'JPY' });
    expect(yen.monthlyNeeded).toEqual({ amount: '33334', currency: 'JPY' });
    const kwd = ok(
      await createGoal(family, { name: 'Gold', target: '1.000', currency: 'KWD', deadline: '2025-06-10' }),
    ).createGoal;
    expect(kwd.monthlyNeeded).toEqual({ amount: '0.334', currency: 'KWD' });
    expectBadInput(await createGoal(family, { name: 'x', target: '10.5', currency: 'JPY' }), 'input.target');
  });

  it('follows a linked account and refuses contributions to it', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const savings = await createAccount(family, {
      name: 'Savings',
      type: 'SAVINGS',
      openingBalance: '500.00',
    });
    const linked = ok(
      await createGoal(family, { name: 'Car', target: '1000.00', accountId: savings }),
    ).createGoal;
    expect(linked.goal).toMatchObject({ currency: 'EUR', account: { id: savings } });
    expect(progress(linked)).toMatchObject({ saved: '500.00', remaining: '500.00', percentComplete: '50.0' });

    await record(family, '300.00', { kind: 'INCOME', category: 'Salary', on: '2025-03-01' });
    await record(family, '100.00', { kind: 'TRANSFER', toAccount: savings, on: '2025-03-02' });
    expect(progress(await goal(family, linked.goal.id))).toMatchObject({
      saved: '600.00',
      remaining: '400.00',
    });
    await record(family, '50.00', { account: savings, on: '2025-03-03' });
    const now = await goal(family, linked.goal.id);
    expect(progress(now)).toMatchObject({ saved: '550.00', remaining: '450.00', percentComplete: '55.0' });
    expect(now.contributions).toEqual([]);

    expectBadInput(await contribute(family, { goalId: linked.goal.id, amount: '10.00' }), 'input.goalId');
    expect(progress(await goal(family, linked.goal.id))).toMatchObject({ saved: '550.00' });

    const dollars = await createAccount(family, {
      name: 'US savings',
      currency: 'USD',
      openingBalance: '10.00',
    });
    expectBadInput(
      await createGoal(family, { name: 'Trip', target: '100.00', currency: 'EUR', accountId: dollars }),
      'input.currency',
    );
    const usd = ok(
      await createGoal(family, { name: 'Trip', target: '100.00', accountId: dollars }),
    ).createGoal;
    expect(usd.goal.currency).toBe('USD');
    expect(usd.saved).toEqual({ amount: '10.00', currency: 'USD' });
    // An account that does not exist (or is another family's) is NOT_FOUND naming the field (A2).
    const missing = await createGoal(family, {
      name: 'Trip',
      target: '100.00',
      accountId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.errors?.[0]?.extensions, missing.text).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.accountId',
    });
    expect(missing.data ?? null).toBeNull();
  });
});

describe('reports', () => {
  interface CategoryEntry {
    category: { name: string } | null;
    spent: MoneyOut;
    budget: {
      period: { start: string; end: string };
      spent: MoneyOut;
      remaining: MoneyOut;
      percentUsed: string | null;
      missingRates: string[];
    } | null;
  }

  interface SpendingReport {
    period: { start: string; end: string };
    total: MoneyOut;
    categories: CategoryEntry[];
    missingRates: string[];
  }

  const SPENDING = `query($from: LocalDate, $to: LocalDate) {
    spendingByCategory(from: $from, to: $to) {
      period { start end } total { amount currency } missingRates
      categories {
        category { name } spent { amount currency }
        budget { period { start end } spent { amount currency } remaining { amount currency } percentUsed missingRates }
      }
    }
  }`;

  const spending = async (family: TestFamily, from?: string, to?: string) =>
    ok(
      await app.gql<{ spendingByCategory: SpendingReport }>(
        SPENDING,
        { from: from ?? null, to: to ?? null },
        {
          token: family.token,
        },
      ),
    ).spendingByCategory;

  const summary = (report: SpendingReport) =>
    report.categories.map((c) => [c.category?.name ?? null, c.spent.amount]);

  it('spendingByCategory groups children under their parent, largest first, with the budget', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const savings = await createAccount(family, { name: 'Savings' });
    const dollars = await createAccount(family, { name: 'US card', currency: 'USD' });
    ok(
      await app.gql(
        `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { percentUsed } }`,
        { input: { categoryId: family.category('Food'), amount: '100.00' } },
        { token: family.token },
      ),
    );

    await record(family, '40.00', { category: 'Groceries', on: '2025-03-01' });
    await record(family, '20.00', { category: 'Eating out', on: '2025-03-02' });
    await record(family, '5.00', { category: 'Food', on: '2025-03-03' });
    await record(family, '80.00', { category: 'Taxi', on: '2025-03-04' });
    await record(family, '10.00', { category: 'Fuel', on: '2025-03-05' });
    await record(family, '30.00', { category: 'Housing', on: '2025-03-06' });
    await record(family, '12.50', { on: '2025-03-07' });
    await record(family, '7.00', { category: 'Groceries', account: dollars, on: '2025-03-08' });
    await record(family, '1000.00', { kind: 'INCOME', category: 'Salary', on: '2025-03-01' });
    await record(family, '100.00', { kind: 'TRANSFER', toAccount: savings, on: '2025-03-09' });
    await record(family, '99.00', { category: 'Groceries', on: '2025-02-28' });
    await record(family, '500.00', { category: 'Housing', on: '2025-04-01' });

    const march = await spending(family);
    expect(march.period).toEqual({ start: '2025-03-01', end: '2025-03-31' });
    expect(summary(march)).toEqual([
      ['Transport', '90.00'],
      ['Food', '65.00'],
      ['Housing', '30.00'],
      [null, '12.50'],
    ]);
    expect(march.total).toEqual(eur('197.50'));
    expect(march.missingRates).toEqual(['USD']);
    const food = march.categories.find((c) => c.category?.name === 'Food')!;
    expect(food.budget).toEqual({
      period: { start: '2025-03-01', end: '2025-03-31' },
      spent: eur('65.00'),
      remaining: eur('35.00'),
      percentUsed: '65.0',
      missingRates: ['USD'],
    });
    expect(march.categories.filter((c) => c.budget !== null)).toHaveLength(1);

    const twoMonths = await spending(family, '2025-02-01', '2025-03-31');
    expect(twoMonths.period).toEqual({ start: '2025-02-01', end: '2025-03-31' });
    expect(summary(twoMonths)).toEqual([
      ['Food', '164.00'],
      ['Transport', '90.00'],
      ['Housing', '30.00'],
      [null, '12.50'],
    ]);
    expect(twoMonths.total).toEqual(eur('296.50'));

    // With a rate the dollars count, converted: 7.00 USD * 0.9 = 6.30 EUR.
    await setRate(family, 'USD', 'EUR', '0.9', '2025-03-01');
    const converted = await spending(family, '2025-03-15');
    expect(converted.period).toEqual({ start: '2025-03-01', end: '2025-03-31' });
    expect(summary(converted)).toEqual([
      ['Transport', '90.00'],
      ['Food', '71.30'],
      ['Housing', '30.00'],
      [null, '12.50'],
    ]);
    expect(converted.total).toEqual(eur('203.80'));
    expect(converted.missingRates).toEqual([]);
  });

  interface CashFlow {
    months: { period: { start: string; end: string }; income: MoneyOut; expense: MoneyOut; net: MoneyOut }[];
    missingRates: string[];
  }

  const cashFlow = (family: TestFamily, months: number) =>
    app.gql<{ cashFlow: CashFlow }>(
      `query($months: Int!) {
        cashFlow(months: $months) {
          months { period { start end } income { amount currency } expense { amount currency } net { amount currency } }
          missingRates
        }
      }`,
      { months },
      { token: family.token },
    );

  const flows = (report: CashFlow) =>
    report.months.map((m) => [
      `${m.period.start}..${m.period.end}`,
      m.income.amount,
      m.expense.amount,
      m.net.amount,
    ]);

  it('cashFlow gives income, spending and net per budget month, oldest first, without transfers', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const savings = await createAccount(family, { name: 'Savings' });
    await record(family, '999.00', { category: 'Housing', on: '2024-12-20' });
    await record(family, '1000.00', { kind: 'INCOME', category: 'Salary', on: '2025-01-05' });
    await record(family, '200.00', { category: 'Groceries', on: '2025-01-31' });
    await record(family, '50.00', { on: '2025-02-01' });
    await record(family, '300.00', { kind: 'TRANSFER', toAccount: savings, on: '2025-02-15' });
    await record(family, '500.00', { kind: 'INCOME', on: '2025-03-01' });
    await record(family, '600.00', { category: 'Taxi', on: '2025-03-10' });
    await record(family, '77.00', { kind: 'INCOME', category: 'Bonus', on: '2025-04-01' });

    const three = ok(await cashFlow(family, 3)).cashFlow;
    expect(flows(three)).toEqual([
      ['2025-01-01..2025-01-31', '1000.00', '200.00', '800.00'],
      ['2025-02-01..2025-02-28', '0.00', '50.00', '-50.00'],
      ['2025-03-01..2025-03-31', '500.00', '600.00', '-100.00'],
    ]);
    expect(three.months[0]!.net).toEqual(eur('800.00'));
    expect(three.missingRates).toEqual([]);
    expect(flows(ok(await cashFlow(family, 1)).cashFlow)).toEqual([
      ['2025-03-01..2025-03-31', '500.00', '600.00', '-100.00'],
    ]);
    const longest = ok(await cashFlow(family, 36)).cashFlow;
    expect(longest.months).toHaveLength(36);
    expect(longest.months[0]!.period).toEqual({ start: '2022-04-01', end: '2022-04-30' });

    // The same ledger in months that start on the 25th.
    ok(
      await app.gql(
        `mutation($id: ID!) { updateFamily(id: $id, input: { monthStartDay: 25 }) { id } }`,
        { id: family.familyId },
        { token: family.token },
      ),
    );
    expect(flows(ok(await cashFlow(family, 3)).cashFlow)).toEqual([
      ['2024-12-25..2025-01-24', '1000.00', '0.00', '1000.00'],
      ['2025-01-25..2025-02-24', '0.00', '250.00', '-250.00'],
      ['2025-02-25..2025-03-24', '500.00', '600.00', '-100.00'],
    ]);
  });

  it('netWorth sums balances per currency and converts only where a rate is known', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    await record(family, '1000.00', { kind: 'INCOME', category: 'Salary', on: '2025-03-01' });
    await createAccount(family, { name: 'Card', type: 'CREDIT_CARD', openingBalance: '-300.00' });
    await createAccount(family, { name: 'US', currency: 'USD', openingBalance: '200.00' });
    await createAccount(family, { name: 'UK', currency: 'GBP', openingBalance: '50.00' });
    const yen = await createAccount(family, { name: 'JP', currency: 'JPY', openingBalance: '10000' });
    ok(
      await app.gql(
        `mutation($id: ID!) { updateAccount(id: $id, input: { archived: true }) { archived } }`,
        { id: yen },
        { token: family.token },
      ),
    );

    const netWorth = async () =>
      ok(
        await app.gql<{ netWorth: { byCurrency: MoneyOut[]; total: MoneyOut; missingRates: string[] } }>(
          `query { netWorth { byCurrency { amount currency } total { amount currency } missingRates } }`,
          {},
          { token: family.token },
        ),
      ).netWorth;

    const byCurrency = [
      { amount: '700.00', currency: 'EUR' },
      { amount: '50.00', currency: 'GBP' },
      { amount: '10000', currency: 'JPY' },
      { amount: '200.00', currency: 'USD' },
    ];
    expect(await netWorth()).toEqual({
      byCurrency,
      total: eur('700.00'),
      missingRates: ['GBP', 'JPY', 'USD'],
    });

    await setRate(family, 'USD', 'EUR', '0.9');
    await setRate(family, 'EUR', 'JPY', '160');
    // 700.00 + 200.00 USD * 0.9 + 10000 JPY / 160 = 700.00 + 180.00 + 62.50
    expect(await netWorth()).toEqual({ byCurrency, total: eur('942.50'), missingRates: ['GBP'] });
  });

  it('spendingByMember attributes spending to whoever paid', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const member = await addMember(family);
    await record(family, '30.00', { category: 'Groceries', on: '2025-03-01' });
    await record(family, '70.00', { category: 'Housing', on: '2025-03-02', paidBy: member.userId });
    await record(family, '20.00', { on: '2025-03-03', token: member.token });
    await record(family, '1000.00', { kind: 'INCOME', on: '2025-03-04', token: member.token });
    await record(family, '500.00', { on: '2025-02-28' });

    const report = ok(
      await app.gql<{
        spendingByMember: {
          period: { start: string; end: string };
          members: { user: { id: string }; spent: MoneyOut }[];
          missingRates: string[];
        };
      }>(
        `query { spendingByMember { period { start end } members { user { id } spent { amount currency } } missingRates } }`,
        {},
        { token: family.token },
      ),
    ).spendingByMember;
    expect(report).toEqual({
      period: { start: '2025-03-01', end: '2025-03-31' },
      members: [
        { user: { id: member.userId }, spent: eur('90.00') },
        { user: { id: family.userId }, spent: eur('30.00') },
      ],
      missingRates: [],
    });
    const payers = await app.sql<{ paid_by: string; created_by: string }>(
      `select paid_by_id::text as paid_by, created_by_id::text as created_by from ledger_transaction
        where family_id = $1 and amount = 7000`,
      [family.familyId],
    );
    expect(payers).toEqual([{ paid_by: member.userId, created_by: family.userId }]);
  });

  it('rejects bad report inputs, naming the argument', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    expectBadInput(await cashFlow(family, 0), 'months');
    expectBadInput(await cashFlow(family, 37), 'months');
    expectBadInput(await cashFlow(family, -1), 'months');

    const byCategory = (from: string | null, to: string | null) =>
      app.gql(SPENDING, { from, to }, { token: family.token });
    const byMember = (from: string | null, to: string | null) =>
      app.gql(
        `query($from: LocalDate, $to: LocalDate) { spendingByMember(from: $from, to: $to) { missingRates } }`,
        { from, to },
        {
          token: family.token,
        },
      );

    for (const report of [byCategory, byMember]) {
      expectBadInput(await report('2025-03-10', '2025-03-01'), 'to');
      expectBadInput(await report('2025-02-30', null), 'from');
      expectBadInput(await report('yesterday', '2025-03-01'), 'from');
      expectBadInput(await report('2025-03-01', '2025-13-01'), 'to');
      // 367 days (2024 is a leap year) and more are too long; 366 days are fine.
      expectBadInput(await report('2024-01-01', '2025-01-01'), 'to');
      expectBadInput(await report('2024-01-01', '2025-06-30'), 'to');
      ok(await report('2024-01-01', '2024-12-31'));
      ok(await report('2025-01-01', '2026-01-01'));
      ok(await report('2025-03-01', '2025-03-01'));
    }
    const oneDay = await spending(family, '2025-03-01', '2025-03-01');
    expect(oneDay.period).toEqual({ start: '2025-03-01', end: '2025-03-01' });
    // Only `to`: from the start of its budget month.
    const upTo = await spending(family, undefined, '2025-03-20');
    expect(upTo.period).toEqual({ start: '2025-03-01', end: '2025-03-20' });
  });
});
