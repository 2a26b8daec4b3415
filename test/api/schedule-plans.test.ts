import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleRunner } from '../../src/modules/schedule/schedule.runner.js';
import { startTestApp, TRUSTED_LOOPBACK, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/**
 * Schedules in plans: budgets count the occurrences still to come in their period as planned, and the
 * cash-flow forecast adds them up per month, on the app's manual clock (held still, so the tokens stay
 * fresh). What is planned comes from the rules and the answers given so far; the runner is driven only
 * for the schedule it is meant for.
 */

let app: TestApp;
const { ok, newFamily, expectBadInput } = financeHelpers(() => app);

const CREATE_SCHEDULE = `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id nextOn } }`;
const CREATE_BUDGET = `mutation($input: CreateBudgetInput!) { createBudget(input: $input) { budget { id } } }`;
const BUDGETS = `query($familyId: ID, $date: LocalDate) {
  budgets(familyId: $familyId, date: $date) {
    budget { id } period { start end } spent { amount } planned { amount currency } projected { amount }
  }
}`;

interface Standing {
  budget: { id: string };
  period: { start: string; end: string };
  spent: { amount: string };
  planned: { amount: string; currency: string };
  projected: { amount: string };
}

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  app.clock.set(new Date('2027-01-10T12:00:00Z'));
});

afterAll(async () => {
  await app?.stop();
});

async function schedule(family: TestFamily, input: Record<string, unknown>): Promise<string> {
  return ok(
    await app.gql<{ createSchedule: { id: string } }>(
      CREATE_SCHEDULE,
      { input: { accountId: family.cashId, kind: 'EXPENSE', mode: 'AUTO_POST', ...input } },
      { token: family.token },
    ),
  ).createSchedule.id;
}

async function budget(family: TestFamily, amount: string, category: string | null): Promise<string> {
  return ok(
    await app.gql<{ createBudget: { budget: { id: string } } }>(
      CREATE_BUDGET,
      { input: { familyId: family.familyId, amount, categoryId: category && family.category(category) } },
      { token: family.token },
    ),
  ).createBudget.budget.id;
}

/** spent / planned / projected per budget id, for the period containing `date` (default today). */
async function standings(family: TestFamily, date?: string): Promise<Record<string, string[]>> {
  const { budgets } = ok(
    await app.gql<{ budgets: Standing[] }>(
      BUDGETS,
      { familyId: family.familyId, date: date ?? null },
      { token: family.token },
    ),
  );
  return Object.fromEntries(
    budgets.map((b) => [b.budget.id, [b.spent.amount, b.planned.amount, b.projected.amount]]),
  );
}

/** A family with rent (fixed), a weekly veg box (approximate), a salary and a paused gym membership. */
async function plannedFamily() {
  const family = await newFamily();
  const rent = await schedule(family, {
    amount: '1200.00',
    note: 'Rent',
    categoryId: family.category('Housing'),
    rule: { frequency: 'MONTHLY', dayOfMonth: 20 },
  });
  // Mondays from the 11th: 11, 18 and 25 January; 1, 8, 15 and 22 February. Midpoint 60.00.
  const vegBox = await schedule(family, {
    amount: '50.00',
    amountMax: '70.00',
    note: 'Veg box',
    categoryId: family.category('Groceries'),
    mode: 'ASK_FIRST',
    rule: { frequency: 'WEEKLY', startsOn: '2027-01-11' },
  });
  await schedule(family, {
    kind: 'INCOME',
    amount: '3000.00',
    note: 'Salary',
    rule: { frequency: 'MONTHLY', dayOfMonth: 25 },
  });
  const gym = await schedule(family, {
    amount: '30.00',
    note: 'Gym',
    categoryId: family.category('Housing'),
    rule: { frequency: 'MONTHLY', dayOfMonth: 15 },
  });
  ok(
    await app.gql(
      `mutation($id: ID!) { updateSchedule(id: $id, input: { paused: true }) { id } }`,
      { id: gym },
      { token: family.token },
    ),
  );
  return { family, rent, vegBox };
}

describe('budgets count planned occurrences', () => {
  it('adds the upcoming expense occurrences of the period to spent, by category with children', async () => {
    const { family, rent, vegBox } = await plannedFamily();
    const housing = await budget(family, '1500.00', 'Housing');
    const food = await budget(family, '400.00', 'Food');
    const groceries = await budget(family, '300.00', 'Groceries');
    const utilities = await budget(family, '100.00', 'Utilities');
    const all = await budget(family, '2000.00', null);
    ok(
      await app.gql(
        `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
        {
          input: {
            kind: 'EXPENSE',
            amount: '100.00',
            accountId: family.cashId,
            categoryId: family.category('Housing'),
          },
        },
        { token: family.token },
      ),
    );

    // January: rent on the 20th (the paused gym is not planned), the veg box three times at 60.00, and
    // the salary is income: no budget counts it.
    expect(await standings(family)).toEqual({
      [housing]: ['100.00', '1200.00', '1300.00'],
      [food]: ['0.00', '180.00', '180.00'],
      [groceries]: ['0.00', '180.00', '180.00'],
      [utilities]: ['0.00', '0.00', '0.00'],
      [all]: ['100.00', '1380.00', '1480.00'],
    });

    // Rent recorded ahead of its day moves from planned to spent; a skipped veg box is planned no more.
    ok(
      await app.gql(
        `mutation($s: ID!, $d: LocalDate!) { recordScheduledOccurrence(scheduleId: $s, occursOn: $d) { id } }`,
        { s: rent, d: '2027-01-20' },
        { token: family.token },
      ),
    );
    ok(
      await app.gql(
        `mutation($s: ID!, $d: LocalDate!) { skipScheduledOccurrence(scheduleId: $s, occursOn: $d) { id } }`,
        { s: vegBox, d: '2027-01-18' },
        { token: family.token },
      ),
    );
    expect(await standings(family)).toEqual({
      [housing]: ['1300.00', '0.00', '1300.00'],
      [food]: ['0.00', '120.00', '120.00'],
      [groceries]: ['0.00', '120.00', '120.00'],
      [utilities]: ['0.00', '0.00', '0.00'],
      [all]: ['1300.00', '120.00', '1420.00'],
    });

    // February is all ahead: rent once, the veg box four times. December is over: nothing is planned.
    expect(await standings(family, '2027-02-05')).toEqual({
      [housing]: ['0.00', '1200.00', '1200.00'],
      [food]: ['0.00', '240.00', '240.00'],
      [groceries]: ['0.00', '240.00', '240.00'],
      [utilities]: ['0.00', '0.00', '0.00'],
      [all]: ['0.00', '1440.00', '1440.00'],
    });
    const december = await standings(family, '2026-12-15');
    expect(Object.values(december).map((s) => s[1])).toEqual(['0.00', '0.00', '0.00', '0.00', '0.00']);
  });

  it('follows the month start day: a period from the 15th to the 14th', async () => {
    const family = await newFamily({ monthStartDay: 15 });
    await schedule(family, {
      amount: '10.00',
      categoryId: family.category('Housing'),
      rule: { frequency: 'MONTHLY', dayOfMonth: 14 },
    });
    await schedule(family, {
      amount: '20.00',
      categoryId: family.category('Housing'),
      rule: { frequency: 'MONTHLY', dayOfMonth: 15 },
    });
    const housing = await budget(family, '100.00', 'Housing');
    // Today is 10 January: the period runs 15 December - 14 January, so the 14th is in and the 15th is not.
    const { budgets } = ok(
      await app.gql<{ budgets: Standing[] }>(BUDGETS, { familyId: family.familyId }, { token: family.token }),
    );
    expect(budgets).toEqual([
      {
        budget: { id: housing },
        period: { start: '2026-12-15', end: '2027-01-14' },
        spent: { amount: '0.00' },
        planned: { amount: '10.00', currency: 'EUR' },
        projected: { amount: '10.00' },
      },
    ]);
  });
});

const FORECAST = `query($familyId: ID, $months: Int!) {
  cashFlowForecast(familyId: $familyId, months: $months) {
    startingBalance { amount currency }
    months { period { start end } income { amount } expense { amount } net { amount } projectedBalance { amount } }
    missingRates
  }
}`;

interface Forecast {
  startingBalance: { amount: string; currency: string };
  months: {
    period: { start: string; end: string };
    income: { amount: string };
    expense: { amount: string };
    net: { amount: string };
    projectedBalance: { amount: string };
  }[];
  missingRates: string[];
}

describe('cash-flow forecast', () => {
  async function account(family: TestFamily, name: string, currency: string, openingBalance: string) {
    return ok(
      await app.gql<{ createAccount: { id: string } }>(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
        { input: { familyId: family.familyId, name, currency, openingBalance, type: 'CHECKING' } },
        { token: family.token },
      ),
    ).createAccount.id;
  }

  it('adds up the schedules per month in the base currency and carries the balance of all accounts', async () => {
    const family = await newFamily();
    const bank = await account(family, 'Bank', 'EUR', '2000.00');
    const dollars = await account(family, 'Dollars', 'USD', '500.00');
    const pounds = await account(family, 'Pounds', 'GBP', '100.00');
    ok(
      await app.gql(
        `mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { rate } }`,
        { input: { familyId: family.familyId, base: 'USD', quote: 'EUR', rate: '0.9', date: '2027-01-01' } },
        { token: family.token },
      ),
    );
    const monthly = (day: number) => ({ frequency: 'MONTHLY', dayOfMonth: day });
    await schedule(family, {
      kind: 'INCOME',
      accountId: bank,
      amount: '3000.00',
      note: 'Salary',
      rule: monthly(25),
    });
    // The 1st and the 5th of January are over: rent and streaming start in February.
    await schedule(family, { accountId: bank, amount: '1200.00', note: 'Rent', rule: monthly(1) });
    await schedule(family, { accountId: dollars, amount: '10.00', note: 'Streaming', rule: monthly(5) });
    // Approximate: 80.00 to 120.00 counts as 100.00.
    await schedule(family, {
      accountId: bank,
      amount: '80.00',
      amountMax: '120.00',
      note: 'Power',
      mode: 'ASK_FIRST',
      rule: monthly(15),
    });
    // No rate from GBP: left out, and said so.
    await schedule(family, { accountId: pounds, amount: '20.00', note: 'Magazine', rule: monthly(12) });
    const paused = await schedule(family, {
      accountId: bank,
      amount: '999.00',
      note: 'Paused',
      rule: monthly(20),
    });
    ok(
      await app.gql(
        `mutation($id: ID!) { updateSchedule(id: $id, input: { paused: true }) { id } }`,
        { id: paused },
        { token: family.token },
      ),
    );
    // Due today and asked about: pending until answered, expected in the current month.
    const insurance = await schedule(family, {
      accountId: bank,
      amount: '50.00',
      note: 'Insurance',
      mode: 'ASK_FIRST',
      rule: monthly(10),
    });
    await new ScheduleRunner(app.deps).runDue(insurance);
    const pending = await app.sql<{ status: string }>(
      `select status from schedule_occurrence where schedule_id = $1`,
      [insurance],
    );
    expect(pending).toEqual([{ status: 'pending' }]);

    const { cashFlowForecast } = ok(
      await app.gql<{ cashFlowForecast: Forecast }>(
        FORECAST,
        { familyId: family.familyId, months: 3 },
        { token: family.token },
      ),
    );
    // Today: Cash 0.00 + Bank 2000.00 + 500.00 USD at 0.9 = 2450.00 EUR (the pounds have no rate).
    expect(cashFlowForecast).toEqual({
      startingBalance: { amount: '2450.00', currency: 'EUR' },
      months: [
        {
          // Salary; power 100.00 and the pending insurance 50.00.
          period: { start: '2027-01-01', end: '2027-01-31' },
          income: { amount: '3000.00' },
          expense: { amount: '150.00' },
          net: { amount: '2850.00' },
          projectedBalance: { amount: '5300.00' },
        },
        {
          // Salary; rent 1200.00, streaming 9.00 (10.00 USD), power 100.00, insurance 50.00.
          period: { start: '2027-02-01', end: '2027-02-28' },
          income: { amount: '3000.00' },
          expense: { amount: '1359.00' },
          net: { amount: '1641.00' },
          projectedBalance: { amount: '6941.00' },
        },
        {
          period: { start: '2027-03-01', end: '2027-03-31' },
          income: { amount: '3000.00' },
          expense: { amount: '1359.00' },
          net: { amount: '1641.00' },
          projectedBalance: { amount: '8582.00' },
        },
      ],
      missingRates: ['GBP'],
    });

    // Answered, the insurance is in the balance (recorded) and no longer expected.
    ok(
      await app.gql(
        `mutation($s: ID!, $d: LocalDate!) { recordScheduledOccurrence(scheduleId: $s, occursOn: $d) { id } }`,
        { s: insurance, d: '2027-01-10' },
        { token: family.token },
      ),
    );
    const after = ok(
      await app.gql<{ cashFlowForecast: Forecast }>(
        FORECAST,
        { familyId: family.familyId, months: 1 },
        { token: family.token },
      ),
    ).cashFlowForecast;
    expect(after.startingBalance.amount).toBe('2400.00');
    expect(after.months.map((m) => [m.expense.amount, m.projectedBalance.amount])).toEqual([
      ['100.00', '5300.00'],
    ]);
  });

  it('follows the month start day, reaches twelve months ahead, and refuses other lengths', async () => {
    const family = await newFamily({ monthStartDay: 25 });
    await schedule(family, {
      kind: 'INCOME',
      amount: '100.00',
      rule: { frequency: 'MONTHLY', dayOfMonth: 24 },
    });
    const { cashFlowForecast } = ok(
      await app.gql<{ cashFlowForecast: Forecast }>(
        FORECAST,
        { familyId: family.familyId, months: 12 },
        { token: family.token },
      ),
    );
    const months = cashFlowForecast.months;
    expect(months).toHaveLength(12);
    // Today, 10 January, is in the month from 25 December; the last one ends 24 December 2027.
    expect(months[0]!.period).toEqual({ start: '2026-12-25', end: '2027-01-24' });
    expect(months[11]!.period).toEqual({ start: '2027-11-25', end: '2027-12-24' });
    // The 24th closes every month, the last one's included.
    expect(months.map((m) => m.income.amount)).toEqual(Array.from({ length: 12 }, () => '100.00'));
    expect(months[11]!.projectedBalance.amount).toBe('1200.00');

    for (const months of [0, 13]) {
      expectBadInput(
        await app.gql(FORECAST, { familyId: family.familyId, months }, { token: family.token }),
        'months',
      );
    }
  });
});
