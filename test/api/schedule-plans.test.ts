import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TRUSTED_LOOPBACK, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/**
 * Schedules in plans: budgets count the occurrences still to come in their period as planned, on the
 * app's manual clock (held still, so the tokens stay fresh). Nothing here runs the runner: what is
 * planned comes from the rules and the answers given so far.
 */

let app: TestApp;
const { ok, newFamily } = financeHelpers(() => app);

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
