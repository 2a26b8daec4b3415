import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { budgetAlertsSettled, financeHelpers, type Member, type TestFamily } from '../helpers/finance.js';

/** Budgets: periods, spent, rollover, alerts and currencies, all through the API on the real stores. */

let app: TestApp;
const { ok, expectBadInput, newFamily, addMember } = financeHelpers(() => app, { checkSetup: true });

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
});
afterAll(() => app?.stop());

async function createAccount(family: TestFamily, name: string, currency = 'EUR'): Promise<string> {
  const data = ok(
    await app.gql<{ createAccount: { id: string; currency: string } }>(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id currency } }`,
      { input: { name, type: 'CHECKING', currency } },
      { token: family.token },
    ),
  );
  expect(data.createAccount.currency).toBe(currency);
  return data.createAccount.id;
}

interface TxOptions {
  kind?: 'EXPENSE' | 'INCOME' | 'TRANSFER';
  category?: string | null;
  on?: string;
  account?: string;
  toAccount?: string;
  token?: string;
}

const CREATE_TX = `mutation($input: CreateTransactionInput!) {
  createTransaction(input: $input) { id occurredOn amount { amount currency } }
}`;

function txInput(family: TestFamily, amount: string, options: TxOptions) {
  return {
    kind: options.kind ?? 'EXPENSE',
    amount,
    accountId: options.account ?? family.cashId,
    ...(options.category != null && { categoryId: family.category(options.category) }),
    ...(options.on !== undefined && { occurredOn: options.on }),
    ...(options.toAccount !== undefined && { toAccountId: options.toAccount }),
  };
}

async function record(
  family: TestFamily,
  amount: string,
  options: TxOptions = {},
): Promise<{ id: string; occurredOn: string }> {
  const data = ok(
    await app.gql<{ createTransaction: { id: string; occurredOn: string } }>(
      CREATE_TX,
      { input: txInput(family, amount, options) },
      { token: options.token ?? family.token },
    ),
  );
  return data.createTransaction;
}

async function deleteTx(family: TestFamily, id: string): Promise<void> {
  const data = ok(
    await app.gql<{ deleteTransaction: string }>(
      `mutation($id: ID!) { deleteTransaction(id: $id) }`,
      { id },
      { token: family.token },
    ),
  );
  expect(data.deleteTransaction).toBe(id);
}

interface MoneyOut {
  amount: string;
  currency: string;
}

interface Status {
  budget: { id: string; rollover: boolean; limit: MoneyOut; category: { name: string } | null };
  period: { start: string; end: string };
  rolledOver: MoneyOut;
  available: MoneyOut;
  spent: MoneyOut;
  remaining: MoneyOut;
  percentUsed: string | null;
  missingRates: string[];
}

const STATUS = `budget { id rollover limit { amount currency } category { name } }
  period { start end }
  rolledOver { amount currency } available { amount currency } spent { amount currency }
  remaining { amount currency } percentUsed missingRates`;

const CREATE_BUDGET = `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { ${STATUS} } }`;

async function createBudget(
  family: TestFamily,
  input: { category?: string; amount: string; rollover?: boolean; startsOn?: string; currency?: string },
): Promise<Status> {
  const data = ok(
    await app.gql<{ createBudget: Status }>(
      CREATE_BUDGET,
      {
        input: {
          amount: input.amount,
          ...(input.category !== undefined && { categoryId: family.category(input.category) }),
          ...(input.rollover !== undefined && { rollover: input.rollover }),
          ...(input.startsOn !== undefined && { startsOn: input.startsOn }),
          ...(input.currency !== undefined && { currency: input.currency }),
        },
      },
      { token: family.token },
    ),
  );
  return data.createBudget;
}

async function budgets(family: TestFamily, date?: string): Promise<Status[]> {
  const data = ok(
    await app.gql<{ budgets: Status[] }>(
      `query($date: LocalDate) { budgets(date: $date) { ${STATUS} } }`,
      { date: date ?? null },
      { token: family.token },
    ),
  );
  return data.budgets;
}

async function budgetOn(family: TestFamily, id: string, date?: string): Promise<Status> {
  const data = ok(
    await app.gql<{ budget: Status }>(
      `query($id: ID!, $date: LocalDate) { budget(id: $id, date: $date) { ${STATUS} } }`,
      { id, date: date ?? null },
      { token: family.token },
    ),
  );
  return data.budget;
}

/** The figures of a status in one comparable object. */
const figures = (s: Status) => ({
  period: `${s.period.start}..${s.period.end}`,
  rolledOver: s.rolledOver.amount,
  available: s.available.amount,
  spent: s.spent.amount,
  remaining: s.remaining.amount,
  percentUsed: s.percentUsed,
  missingRates: s.missingRates,
});

const eur = (amount: string): MoneyOut => ({ amount, currency: 'EUR' });

interface AlertRow {
  user_id: string;
  threshold: number;
  period_start: string;
  payload: Record<string, unknown>;
}

/** The family's alerts, once every check its writes left has been evaluated. */
async function alerts(family: TestFamily): Promise<AlertRow[]> {
  await budgetAlertsSettled(app, family.familyId);
  return app.sql<AlertRow>(
    `select user_id::text as user_id, (payload->>'threshold')::int as threshold,
            payload->>'periodStart' as period_start, payload
       from notification
      where family_id = $1 and kind = 'budget_alert'
      order by payload->>'periodStart', (payload->>'threshold')::int, user_id`,
    [family.familyId],
  );
}

/** "periodStart threshold userId" per row, sorted: what the once-per-threshold rule is about. */
const alertKeys = async (family: TestFamily) =>
  (await alerts(family)).map((a) => `${a.period_start} ${a.threshold} ${a.user_id}`).sort();

const keysFor = (periodStart: string, threshold: number, members: Member[]) =>
  members.map((m) => `${periodStart} ${threshold} ${m.userId}`);

describe('budget periods, the month start day and the time zone', () => {
  it('a transaction entered just after midnight in Auckland counts in the new period', async () => {
    // 10:59 UTC on 24 March 2025 is 23:59 on the 24th in Auckland (NZDT, UTC+13).
    app.clock.set(new Date('2025-03-24T10:59:00Z'));
    const family = await newFamily({ monthStartDay: 25, timeZone: 'Pacific/Auckland' });
    const created = await createBudget(family, { amount: '100.00' });
    expect(created.period).toEqual({ start: '2025-02-25', end: '2025-03-24' });

    const late = await record(family, '10.00');
    expect(late.occurredOn).toBe('2025-03-24');

    // Two minutes later it is already the 25th in Auckland, still the 24th in UTC.
    app.clock.set(new Date('2025-03-24T11:01:00Z'));
    const early = await record(family, '30.00');
    expect(early.occurredOn).toBe('2025-03-25');

    const [today] = await budgets(family);
    expect(figures(today!)).toEqual({
      period: '2025-03-25..2025-04-24',
      rolledOver: '0.00',
      available: '100.00',
      spent: '30.00',
      remaining: '70.00',
      percentUsed: '30.0',
      missingRates: [],
    });
    const [before] = await budgets(family, '2025-03-24');
    expect(figures(before!)).toMatchObject({
      period: '2025-02-25..2025-03-24',
      spent: '10.00',
      remaining: '90.00',
      percentUsed: '10.0',
    });
    const [firstDay] = await budgets(family, '2025-02-25');
    expect(figures(firstDay!)).toMatchObject({ period: '2025-02-25..2025-03-24', spent: '10.00' });
    const [lastDay] = await budgets(family, '2025-04-24');
    expect(figures(lastDay!)).toMatchObject({ period: '2025-03-25..2025-04-24', spent: '30.00' });
    const [next] = await budgets(family, '2025-04-25');
    expect(figures(next!)).toMatchObject({
      period: '2025-04-25..2025-05-24',
      spent: '0.00',
      percentUsed: '0.0',
    });
    const [previous] = await budgets(family, '2025-02-24');
    expect(figures(previous!)).toMatchObject({ period: '2025-01-25..2025-02-24', spent: '0.00' });

    const stored = await app.sql<{ occurred_on: string }>(
      `select to_char(occurred_on, 'YYYY-MM-DD') as occurred_on from ledger_transaction
        where family_id = $1 order by amount`,
      [family.familyId],
    );
    expect(stored.map((r) => r.occurred_on)).toEqual(['2025-03-24', '2025-03-25']);
  });

  it('rejects a date that is not a calendar day', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    await createBudget(family, { amount: '10.00' });
    // The LocalDate scalar refuses it while the variables are read, before any resolver runs.
    const result = await app.gql(
      `query($date: LocalDate) { budgets(date: $date) { spent { amount } } }`,
      { date: '2025-02-29' },
      { token: family.token },
    );
    expectBadInput(result, 'date');
    // Written into the query instead, it fails validation: the document itself is wrong.
    const literal = await app.gql(
      `query { budgets(date: "2025-02-29") { spent { amount } } }`,
      {},
      { token: family.token },
    );
    expect(literal.errors?.[0]?.extensions?.code, literal.text).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('what a budget counts as spent', () => {
  it('counts the category and its children, ignoring income, transfers and other categories', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const savings = await createAccount(family, 'Savings');
    const food = await createBudget(family, { category: 'Food', amount: '200.00' });
    expect(food.budget.category).toEqual({ name: 'Food' });
    expect(food.period).toEqual({ start: '2025-03-01', end: '2025-03-31' });
    const all = await createBudget(family, { amount: '500.00' });
    expect(all.budget.category).toBeNull();
    const housing = await createBudget(family, { category: 'Housing', amount: '80.00' });

    await record(family, '1000.00', { kind: 'INCOME', category: 'Salary', on: '2025-03-02' });
    await record(family, '40.00', { category: 'Groceries', on: '2025-03-03' });
    await record(family, '25.50', { category: 'Eating out', on: '2025-03-04' });
    await record(family, '10.00', { category: 'Food', on: '2025-03-05' });
    await record(family, '30.00', { category: 'Taxi', on: '2025-03-06' });
    await record(family, '70.00', { category: 'Housing', on: '2025-03-07' });
    await record(family, '5.00', { on: '2025-03-08' });
    await record(family, '100.00', { kind: 'TRANSFER', toAccount: savings, on: '2025-03-09' });
    await record(family, '99.00', { category: 'Groceries', on: '2025-02-28' });
    await record(family, '11.00', { category: 'Eating out', on: '2025-04-01' });

    const statuses = await budgets(family);
    expect(statuses.map((s) => s.budget.id)).toEqual([food.budget.id, all.budget.id, housing.budget.id]);
    const [foodNow, allNow, housingNow] = statuses;
    expect(figures(foodNow!)).toEqual({
      period: '2025-03-01..2025-03-31',
      rolledOver: '0.00',
      available: '200.00',
      spent: '75.50',
      remaining: '124.50',
      percentUsed: '37.8',
      missingRates: [],
    });
    expect(foodNow!.spent).toEqual(eur('75.50'));
    // 40 + 25.50 + 10 + 30 + 70 + 5 (uncategorized): every expense, nothing else.
    expect(figures(allNow!)).toMatchObject({ spent: '180.50', remaining: '319.50', percentUsed: '36.1' });
    expect(figures(housingNow!)).toMatchObject({ spent: '70.00', remaining: '10.00', percentUsed: '87.5' });

    expect(figures(await budgetOn(family, food.budget.id, '2025-02-01'))).toMatchObject({
      period: '2025-02-01..2025-02-28',
      spent: '99.00',
    });
    expect(figures(await budgetOn(family, all.budget.id, '2025-04-30'))).toMatchObject({
      period: '2025-04-01..2025-04-30',
      spent: '11.00',
    });
  });

  it('carries the surplus or deficit into later months with rollover, and not without', async () => {
    app.clock.set(new Date('2025-03-20T12:00:00Z'));
    const family = await newFamily();
    const food = await createBudget(family, {
      category: 'Food',
      amount: '100.00',
      rollover: true,
      startsOn: '2025-01-15',
    });
    expect(food.budget.rollover).toBe(true);
    const transport = await createBudget(family, {
      category: 'Transport',
      amount: '100.00',
      startsOn: '2025-01-01',
    });
    expect(transport.budget.rollover).toBe(false);

    await record(family, '70.00', { category: 'Groceries', on: '2025-01-10' });
    await record(family, '150.00', { category: 'Groceries', on: '2025-02-10' });
    await record(family, '70.00', { category: 'Taxi', on: '2025-01-10' });
    await record(family, '150.00', { category: 'Taxi', on: '2025-02-10' });
    // Before the first budget month: never rolls over.
    await record(family, '500.00', { category: 'Groceries', on: '2024-12-31' });

    const food1 = await budgetOn(family, food.budget.id, '2025-01-31');
    expect(figures(food1)).toEqual({
      period: '2025-01-01..2025-01-31',
      rolledOver: '0.00',
      available: '100.00',
      spent: '70.00',
      remaining: '30.00',
      percentUsed: '70.0',
      missingRates: [],
    });
    const food2 = await budgetOn(family, food.budget.id, '2025-02-01');
    expect(figures(food2)).toEqual({
      period: '2025-02-01..2025-02-28',
      rolledOver: '30.00',
      available: '130.00',
      spent: '150.00',
      remaining: '-20.00',
      percentUsed: '115.4',
      missingRates: [],
    });
    expect(food2.rolledOver).toEqual(eur('30.00'));
    const food3 = await budgetOn(family, food.budget.id);
    expect(figures(food3)).toMatchObject({
      period: '2025-03-01..2025-03-31',
      rolledOver: '-20.00',
      available: '80.00',
      spent: '0.00',
      remaining: '80.00',
    });

    const transport2 = await budgetOn(family, transport.budget.id, '2025-02-14');
    expect(figures(transport2)).toMatchObject({
      rolledOver: '0.00',
      available: '100.00',
      spent: '150.00',
      remaining: '-50.00',
      percentUsed: '150.0',
    });

    // A deficit larger than the limit leaves nothing available: no percentage.
    await record(family, '200.00', { category: 'Eating out', on: '2025-03-05' });
    expect(figures(await budgetOn(family, food.budget.id))).toMatchObject({
      rolledOver: '-20.00',
      available: '80.00',
      spent: '200.00',
      remaining: '-120.00',
      percentUsed: '250.0',
    });
    expect(figures(await budgetOn(family, food.budget.id, '2025-04-01'))).toEqual({
      period: '2025-04-01..2025-04-30',
      rolledOver: '-120.00',
      available: '-20.00',
      spent: '0.00',
      remaining: '-20.00',
      percentUsed: null,
      missingRates: [],
    });

    // Turning rollover off stops carrying.
    const off = ok(
      await app.gql<{ updateBudget: Status }>(
        `mutation($id: ID!) { updateBudget(id: $id, input: { rollover: false }) { ${STATUS} } }`,
        { id: food.budget.id },
        { token: family.token },
      ),
    );
    expect(figures(off.updateBudget)).toMatchObject({
      period: '2025-03-01..2025-03-31',
      rolledOver: '0.00',
      available: '100.00',
      spent: '200.00',
      remaining: '-100.00',
      percentUsed: '200.0',
    });
  });
});

describe('budget amounts and categories', () => {
  it('keeps JPY budgets whole and rejects over-precise, zero and negative amounts', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const yen = await createBudget(family, { amount: '1500', currency: 'JPY' });
    expect(yen.budget.limit).toEqual({ amount: '1500', currency: 'JPY' });
    expect(yen.available).toEqual({ amount: '1500', currency: 'JPY' });
    expect(yen.spent).toEqual({ amount: '0', currency: 'JPY' });

    const create = (input: Record<string, unknown>) =>
      app.gql(CREATE_BUDGET, { input }, { token: family.token });
    expectBadInput(await create({ amount: '1500.5', currency: 'JPY' }), 'input.amount');
    expectBadInput(await create({ amount: '10.123' }), 'input.amount');
    expectBadInput(await create({ amount: '0' }), 'input.amount');
    expectBadInput(await create({ amount: '-5.00' }), 'input.amount');
    expectBadInput(await create({ amount: '10.00', currency: 'XYZ' }), 'input.currency');
    expectBadInput(
      await create({ amount: '10.00', categoryId: family.category('Salary') }),
      'input.categoryId',
    );
    expectBadInput(
      await create({ amount: '10.00', categoryId: family.category('Other income') }),
      'input.categoryId',
    );
    const update = await app.gql(
      `mutation($id: ID!) { updateBudget(id: $id, input: { amount: "12.5" }) { percentUsed } }`,
      { id: yen.budget.id },
      { token: family.token },
    );
    expectBadInput(update, 'input.amount');

    const rows = await app.sql<{ amount: string; currency: string }>(
      `select amount::text, currency from budget where family_id = $1`,
      [family.familyId],
    );
    expect(rows).toEqual([{ amount: '1500', currency: 'JPY' }]);
  });

  it('converts spending in other currencies where a rate is known and lists it where not', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const usd = await createAccount(family, 'US card', 'USD');
    const budget = await createBudget(family, { amount: '100.00' });
    await record(family, '20.00', { on: '2025-03-02' });
    await record(family, '10.05', { account: usd, on: '2025-03-03' });

    // No rate: the dollars are left out and named, never counted as euros.
    expect(figures(await budgetOn(family, budget.budget.id))).toMatchObject({
      spent: '20.00',
      missingRates: ['USD'],
    });

    const setRate = async (base: string, quote: string, rate: string, date: string) =>
      ok(
        await app.gql<{ setExchangeRate: { id: string } }>(
          `mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { id } }`,
          { input: { base, quote, rate, date } },
          { token: family.token },
        ),
      ).setExchangeRate.id;
    const deleteRate = async (id: string) =>
      expect(
        ok(
          await app.gql<{ deleteExchangeRate: string }>(
            `mutation($id: ID!) { deleteExchangeRate(id: $id) }`,
            { id },
            { token: family.token },
          ),
        ).deleteExchangeRate,
      ).toBe(id);

    // 10.05 USD * 0.9 = 9.045 EUR, rounded half away from zero to 9.05. A second rate for the same
    // pair and day replaces the first.
    const first = await setRate('USD', 'EUR', '0.8', '2025-03-01');
    const direct = await setRate('USD', 'EUR', '0.9', '2025-03-01');
    expect(direct).toBe(first);
    const stored = await app.sql<{ rate: string }>(
      `select rate::text from exchange_rate where family_id = $1`,
      [family.familyId],
    );
    expect(stored).toEqual([{ rate: '0.900000000000' }]);
    expect(figures(await budgetOn(family, budget.budget.id))).toMatchObject({
      spent: '29.05',
      remaining: '70.95',
      missingRates: [],
    });
    await deleteRate(direct);

    // Only EUR -> USD known: the inverse is used. 10.05 / 1.1 = 9.1363... -> 9.14.
    const inverse = await setRate('EUR', 'USD', '1.1', '2025-03-01');
    expect(figures(await budgetOn(family, budget.budget.id))).toMatchObject({
      spent: '29.14',
      missingRates: [],
    });
    await deleteRate(inverse);

    // A rate that only applies after the period does not count for it.
    await setRate('USD', 'EUR', '0.9', '2025-04-01');
    expect(figures(await budgetOn(family, budget.budget.id))).toMatchObject({
      spent: '20.00',
      missingRates: ['USD'],
    });

    // A JPY budget sees the euro spending through EUR -> JPY and the dollars through nothing.
    await setRate('EUR', 'JPY', '160.5', '2025-03-01');
    const yen = await createBudget(family, { amount: '10000', currency: 'JPY' });
    expect(yen.spent).toEqual({ amount: '3210', currency: 'JPY' });
    expect(yen.missingRates).toEqual(['USD']);
  });
});

describe('budget alerts', () => {
  it('records one notification per member at 80 % and at 100 %, once per period', async () => {
    app.clock.set(new Date('2025-03-10T12:00:00Z'));
    const family = await newFamily();
    const member = await addMember(family);
    const members = [family, member];
    const food = await createBudget(family, { category: 'Food', amount: '100.00' });

    await record(family, '50.00', { category: 'Groceries', on: '2025-03-05' });
    await record(family, '300.00', { category: 'Taxi', on: '2025-03-05' });
    await record(family, '1000.00', { kind: 'INCOME', category: 'Salary', on: '2025-03-05' });
    expect(await alerts(family)).toEqual([]);

    const crossing = await record(family, '30.00', {
      category: 'Eating out',
      on: '2025-03-06',
      token: member.token,
    });
    const at80 = await alerts(family);
    expect(at80.map((a) => `${a.period_start} ${a.threshold} ${a.user_id}`).sort()).toEqual(
      keysFor('2025-03-01', 80, members).sort(),
    );
    expect(at80[0]!.payload).toEqual({
      budgetId: food.budget.id,
      category: 'Food',
      threshold: 80,
      periodStart: '2025-03-01',
      periodEnd: '2025-03-31',
      spent: eur('80.00'),
      available: eur('100.00'),
      percentUsed: '80.0',
    });

    await record(family, '15.00', { category: 'Groceries', on: '2025-03-07' });
    expect(await alertKeys(family)).toEqual(keysFor('2025-03-01', 80, members).sort());

    const last = await record(family, '5.00', { category: 'Food', on: '2025-03-08' });
    const march = [...keysFor('2025-03-01', 80, members), ...keysFor('2025-03-01', 100, members)].sort();
    expect(await alertKeys(family)).toEqual(march);
    const at100 = (await alerts(family)).filter((a) => a.threshold === 100);
    expect(at100.map((a) => a.payload.percentUsed)).toEqual(['100.0', '100.0']);

    // Deleting and re-adding spending crosses the thresholds again, but they were already announced.
    await deleteTx(family, last.id);
    await deleteTx(family, crossing.id);
    await record(family, '30.00', { category: 'Eating out', on: '2025-03-06' });
    await record(family, '5.00', { category: 'Food', on: '2025-03-08' });
    await record(family, '50.00', { category: 'Groceries', on: '2025-03-09' });
    expect(await alertKeys(family)).toEqual(march);

    // A new period alerts again; an edit that crosses 100 % counts like a create.
    const april = await record(family, '85.00', { category: 'Groceries', on: '2025-04-02' });
    expect(await alertKeys(family)).toEqual([...march, ...keysFor('2025-04-01', 80, members)].sort());
    ok(
      await app.gql(
        `mutation($id: ID!) { updateTransaction(id: $id, input: { amount: "100.00" }) { id } }`,
        { id: april.id },
        { token: family.token },
      ),
    );
    expect(await alertKeys(family)).toEqual(
      [...march, ...keysFor('2025-04-01', 80, members), ...keysFor('2025-04-01', 100, members)].sort(),
    );

    const dedupe = await app.sql<{ n: string }>(
      `select count(distinct dedupe_key)::text as n from notification where family_id = $1`,
      [family.familyId],
    );
    expect(dedupe[0]!.n).toBe('8');
  });

  it(
    'concurrent expenses that together cross both thresholds alert exactly once per member',
    { timeout: 180_000 },
    async () => {
      app.clock.set(new Date('2025-03-10T12:00:00Z'));
      const family = await newFamily();
      const member = await addMember(family);
      const members = [family, member];
      const budget = await createBudget(family, { amount: '100.00' });

      // Ten cards, so that no shared balance row makes the writes take turns.
      const cards: string[] = [];
      for (let i = 0; i < 10; i++) cards.push(await createAccount(family, `Card ${i}`));
      const march = await Promise.all(
        cards.map((card, i) =>
          app.gql(
            CREATE_TX,
            { input: txInput(family, '10.00', { account: card, on: '2025-03-05' }) },
            { token: i % 2 === 0 ? family.token : member.token },
          ),
        ),
      );
      for (const result of march) expect(result.errors, result.text).toBeUndefined();
      expect(figures(await budgetOn(family, budget.budget.id, '2025-03-05'))).toMatchObject({
        spent: '100.00',
        percentUsed: '100.0',
      });
      const marchKeys = [
        ...keysFor('2025-03-01', 80, members),
        ...keysFor('2025-03-01', 100, members),
      ].sort();
      expect(await alertKeys(family)).toEqual(marchKeys);

      // The same on one shared account.
      const april = await Promise.all(
        Array.from({ length: 10 }, () =>
          app.gql(
            CREATE_TX,
            { input: txInput(family, '10.00', { on: '2025-04-05' }) },
            { token: family.token },
          ),
        ),
      );
      for (const result of april) expect(result.errors, result.text).toBeUndefined();
      expect(await alertKeys(family)).toEqual(
        [...marchKeys, ...keysFor('2025-04-01', 80, members), ...keysFor('2025-04-01', 100, members)].sort(),
      );
    },
  );
});
