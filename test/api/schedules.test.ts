import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleRunner } from '../../src/modules/schedule/schedule.runner.js';
import { createScratchDatabase, startTestApp, TRUSTED_LOOPBACK, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/**
 * Schedules through the API, with the runner driven by the app's manual clock: auto-post catches up every
 * missed occurrence once, "today" is the family's, ask-first occurrences wait for a member's answer, and
 * bad rules are refused naming the field. The app works no jobs itself (no test app does): its clock runs
 * in 2027, and a cron tick on it would post other test files' schedules (which share the run's database) a
 * year ahead. Each test runs the runner for its own schedules only.
 */

let app: TestApp;
const { ok, expectBadInput, newFamily, addMember } = financeHelpers(() => app);

const SCHEDULE_FIELDS = `id kind mode paused rrule description startsOn nextOn note currency
  amount { amount currency } amountMax { amount } account { id } category { id }`;
const CREATE = `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${SCHEDULE_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateScheduleInput!) { updateSchedule(id: $id, input: $input) { ${SCHEDULE_FIELDS} } }`;
const UPCOMING = `query($familyId: ID, $days: Int!) {
  upcomingTransactions(familyId: $familyId, days: $days) { occursOn status amount { amount } amountMax { amount } schedule { id } }
}`;
const RECORD = `mutation($scheduleId: ID!, $occursOn: LocalDate!, $amount: Decimal) {
  recordScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn, amount: $amount) {
    id occursOn status schedule { id } transaction { id amount { amount } occurredOn }
  }
}`;
const SKIP = `mutation($scheduleId: ID!, $occursOn: LocalDate!) {
  skipScheduledOccurrence(scheduleId: $scheduleId, occursOn: $occursOn) { id occursOn status transaction { id } }
}`;

interface ScheduleView {
  id: string;
  rrule: string;
  description: string;
  startsOn: string;
  nextOn: string | null;
  paused: boolean;
  amount: { amount: string; currency: string };
}

const runner = () => new ScheduleRunner(app.deps);

/**
 * The member with an access token issued at the clock's current time for the same session, as a refresh
 * would give them: the tests move the clock by days, past the 15 minutes a token lives.
 */
function renewed<M extends { token: string; userId: string }>(member: M): M {
  const { sid } = jwt.decode(member.token) as { sid: string };
  const sessionEnds = new Date(app.clock.now().getTime() + 24 * 3600 * 1000);
  const { token } = app.deps.accessTokens.issue({ userId: member.userId, sessionId: sid }, sessionEnds);
  return { ...member, token };
}

async function createSchedule(family: TestFamily, input: Record<string, unknown>, token = family.token) {
  return ok(
    await app.gql<{ createSchedule: ScheduleView }>(
      CREATE,
      { input: { accountId: family.cashId, kind: 'EXPENSE', amount: '10.00', ...input } },
      { token },
    ),
  ).createSchedule;
}

/** The schedule's transactions: day, amount and idempotency key, in day order. */
const postedBy = (scheduleId: string) =>
  app.sql<{ occurred_on: string; amount: string; key: string }>(
    `select occurred_on::text, amount::text, idempotency_key as key from ledger_transaction
      where idempotency_key like $1 order by occurred_on`,
    [`schedule:${scheduleId}:%`],
  );

const balanceOf = async (accountId: string) =>
  (await app.sql<{ balance: string }>(`select balance::text from account where id = $1`, [accountId]))[0]!
    .balance;

beforeAll(async () => {
  app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  app.clock.set(new Date('2027-01-30T12:00:00Z'));
});

afterAll(async () => {
  await app?.stop();
});

describe('auto-post', () => {
  it('posts the 31st on the month end, and catches up every missed occurrence once', async () => {
    const family = await newFamily();
    const before = await balanceOf(family.cashId);
    const schedule = await createSchedule(family, {
      note: 'Rent',
      categoryId: family.category('Groceries'),
      rule: { frequency: 'MONTHLY', dayOfMonth: 31, startsOn: '2027-01-31' },
    });
    expect(schedule).toMatchObject({
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1',
      startsOn: '2027-01-31',
      nextOn: '2027-01-31',
      amount: { amount: '10.00', currency: 'EUR' },
    });
    expect(schedule.description).toContain('31st');
    await runner().runDue(schedule.id);
    expect(await postedBy(schedule.id)).toEqual([]);

    // Down from the 30th of January to the 1st of March: the 31st and the 28th of February were missed.
    app.clock.set(new Date('2027-03-01T12:00:00Z'));
    await runner().runDue(schedule.id);
    // A second run finds nothing left to do.
    await runner().runDue(schedule.id);
    const posted = await postedBy(schedule.id);
    expect(posted).toEqual([
      { occurred_on: '2027-01-31', amount: '1000', key: `schedule:${schedule.id}:2027-01-31` },
      { occurred_on: '2027-02-28', amount: '1000', key: `schedule:${schedule.id}:2027-02-28` },
    ]);
    expect(BigInt(await balanceOf(family.cashId))).toBe(BigInt(before) - 2000n);
    const occurrences = await app.sql<{ occurs_on: string; status: string }>(
      `select occurs_on::text, status from schedule_occurrence where schedule_id = $1 order by occurs_on`,
      [schedule.id],
    );
    expect(occurrences).toEqual([
      { occurs_on: '2027-01-31', status: 'posted' },
      { occurs_on: '2027-02-28', status: 'posted' },
    ]);
    const [after] = ok(
      await app.gql<{ schedules: ScheduleView[] }>(
        `query($f: ID) { schedules(familyId: $f) { id nextOn } }`,
        { f: family.familyId },
        { token: renewed(family).token },
      ),
    ).schedules;
    expect(after).toEqual({ id: schedule.id, nextOn: '2027-03-31' });
  });

  it("counts today in the family's time zone", async () => {
    // 2027-03-10 11:30 UTC is already the 11th in Auckland (UTC+13) and still the 10th in UTC.
    app.clock.set(new Date('2027-03-10T11:30:00Z'));
    const auckland = await newFamily({ timeZone: 'Pacific/Auckland' });
    const utc = await newFamily({ timeZone: 'UTC' });
    const rule = { frequency: 'DAILY', startsOn: '2027-03-11' };
    const east = await createSchedule(auckland, { rule });
    const west = await createSchedule(utc, { rule });
    await runner().runDue(east.id);
    await runner().runDue(west.id);
    expect((await postedBy(east.id)).map((t) => t.occurred_on)).toEqual(['2027-03-11']);
    expect(await postedBy(west.id)).toEqual([]);
  });

  it('posts on the right day across DST changes', async () => {
    // Berlin's local midnight is 23:00 UTC in winter and 22:00 UTC in summer.
    app.clock.set(new Date('2027-03-26T12:00:00Z'));
    const berlin = await newFamily({ timeZone: 'Europe/Berlin' });
    const schedule = await createSchedule(berlin, { rule: { frequency: 'DAILY', startsOn: '2027-03-27' } });
    app.clock.set(new Date('2027-03-27T23:30:00Z')); // 00:30 on the 28th, the day clocks go forward
    await runner().runDue(schedule.id);
    app.clock.set(new Date('2027-03-28T21:59:00Z')); // 23:59 on the 28th (summer time)
    await runner().runDue(schedule.id);
    expect((await postedBy(schedule.id)).map((t) => t.occurred_on)).toEqual(['2027-03-27', '2027-03-28']);
    app.clock.set(new Date('2027-03-28T22:00:00Z')); // 00:00 on the 29th
    await runner().runDue(schedule.id);
    expect((await postedBy(schedule.id)).map((t) => t.occurred_on)).toEqual([
      '2027-03-27',
      '2027-03-28',
      '2027-03-29',
    ]);
  });

  it('sends a job for a schedule due on the day it is created, instead of waiting for the cron', async () => {
    app.clock.set(new Date('2027-04-15T09:00:00Z'));
    const family = await newFamily();
    const jobsFor = (id: string) =>
      app.sql(`select 1 from pgboss.job where name = 'schedules-due' and data->>'scheduleId' = $1`, [id]);
    const later = await createSchedule(family, { rule: { frequency: 'MONTHLY', startsOn: '2027-04-16' } });
    const today = await createSchedule(family, { rule: { frequency: 'MONTHLY' } });
    expect(today.nextOn).toBe('2027-04-15');
    expect(await jobsFor(today.id)).toHaveLength(1);
    expect(await jobsFor(later.id)).toHaveLength(0);
  });

  it('posts nothing while paused, and does not catch up on what was missed while paused', async () => {
    app.clock.set(new Date('2027-05-01T09:00:00Z'));
    const family = await newFamily();
    const schedule = await createSchedule(family, { rule: { frequency: 'DAILY', startsOn: '2027-05-02' } });
    const paused = ok(
      await app.gql<{ updateSchedule: ScheduleView }>(
        UPDATE,
        { id: schedule.id, input: { paused: true, amount: '12.50', note: 'Milk' } },
        { token: family.token },
      ),
    ).updateSchedule;
    expect(paused).toMatchObject({ paused: true, amount: { amount: '12.50' } });
    app.clock.set(new Date('2027-05-05T09:00:00Z'));
    await runner().runDue(schedule.id);
    expect(await postedBy(schedule.id)).toEqual([]);
    const owner = renewed(family);
    const resumed = ok(
      await app.gql<{ updateSchedule: ScheduleView }>(
        UPDATE,
        { id: schedule.id, input: { paused: false } },
        { token: owner.token },
      ),
    ).updateSchedule;
    expect(resumed.nextOn).toBe('2027-05-05');
    await runner().runDue(schedule.id);
    expect(await postedBy(schedule.id)).toEqual([
      { occurred_on: '2027-05-05', amount: '1250', key: `schedule:${schedule.id}:2027-05-05` },
    ]);
    const deleted = ok(
      await app.gql<{ deleteSchedule: string }>(
        `mutation($id: ID!) { deleteSchedule(id: $id) }`,
        { id: schedule.id },
        { token: owner.token },
      ),
    );
    expect(deleted.deleteSchedule).toBe(schedule.id);
    // The transactions it posted stay.
    expect(await postedBy(schedule.id)).toHaveLength(1);
  });
});

describe('ask-first', () => {
  it('asks every member who may record, then records within the range or skips, once each', async () => {
    app.clock.set(new Date('2027-06-10T09:00:00Z'));
    let family = await newFamily();
    let member = await addMember(family);
    const schedule = await createSchedule(family, {
      mode: 'ASK_FIRST',
      amount: '100.00',
      amountMax: '140.00',
      note: 'Electricity',
      rule: { frequency: 'WEEKLY', weekdays: ['FRIDAY'], startsOn: '2027-06-11' },
    });
    app.clock.set(new Date('2027-06-18T09:00:00Z'));
    await runner().runDue(schedule.id);
    expect(await postedBy(schedule.id)).toEqual([]);
    family = renewed(family);
    member = renewed(member);
    const notified = await app.sql<{ user_id: string; occurs_on: string }>(
      `select user_id::text, payload->>'occursOn' as occurs_on from notification
        where kind = 'schedule_due' and payload->>'scheduleId' = $1 order by 2, 1`,
      [schedule.id],
    );
    expect(notified).toEqual(
      ['2027-06-11', '2027-06-18'].flatMap((day) =>
        [family.userId, member.userId].sort().map((user_id) => ({ user_id, occurs_on: day })),
      ),
    );

    const upcoming = ok(
      await app.gql<{ upcomingTransactions: { occursOn: string; status: string; amountMax: unknown }[] }>(
        UPCOMING,
        { familyId: family.familyId, days: 14 },
        { token: member.token },
      ),
    ).upcomingTransactions;
    expect(upcoming.map((u) => [u.occursOn, u.status])).toEqual([
      ['2027-06-11', 'PENDING'],
      ['2027-06-18', 'PENDING'],
      ['2027-06-25', 'PLANNED'],
      ['2027-07-02', 'PLANNED'],
    ]);
    expect(upcoming[0]!.amountMax).toEqual({ amount: '140.00' });

    const vars = { scheduleId: schedule.id, occursOn: '2027-06-11' };
    expectBadInput(await app.gql(RECORD, { ...vars, amount: '150.00' }, { token: member.token }), 'amount');
    expectBadInput(
      await app.gql(RECORD, { ...vars, occursOn: '2027-06-12' }, { token: member.token }),
      'occursOn',
    );
    const recorded = ok(
      await app.gql<{
        recordScheduledOccurrence: { status: string; transaction: { amount: { amount: string } } };
      }>(RECORD, { ...vars, amount: '121.30' }, { token: member.token }),
    ).recordScheduledOccurrence;
    expect(recorded).toMatchObject({
      status: 'RECORDED',
      schedule: { id: schedule.id },
      transaction: { amount: { amount: '121.30' }, occurredOn: '2027-06-11' },
    });
    const again = await app.gql(RECORD, vars, { token: family.token });
    expect(again.errors?.[0]?.extensions?.code, again.text).toBe('CONFLICT');
    expect(await postedBy(schedule.id)).toHaveLength(1);

    const skipped = ok(
      await app.gql<{ skipScheduledOccurrence: { status: string; transaction: null } }>(
        SKIP,
        { scheduleId: schedule.id, occursOn: '2027-06-18' },
        { token: family.token },
      ),
    ).skipScheduledOccurrence;
    expect(skipped).toMatchObject({ status: 'SKIPPED', transaction: null });
    // An occurrence ahead can be answered early; the runner then leaves it alone.
    ok(await app.gql(SKIP, { scheduleId: schedule.id, occursOn: '2027-06-25' }, { token: family.token }));
    const left = ok(
      await app.gql<{ upcomingTransactions: { occursOn: string; status: string }[] }>(
        UPCOMING,
        { familyId: family.familyId, days: 14 },
        { token: family.token },
      ),
    ).upcomingTransactions;
    expect(left.map((u) => [u.occursOn, u.status])).toEqual([['2027-07-02', 'PLANNED']]);
    app.clock.set(new Date('2027-06-25T09:00:00Z'));
    await runner().runDue(schedule.id);
    const rows = await app.sql<{ occurs_on: string; status: string }>(
      `select occurs_on::text, status from schedule_occurrence where schedule_id = $1 order by occurs_on`,
      [schedule.id],
    );
    expect(rows).toEqual([
      { occurs_on: '2027-06-11', status: 'recorded' },
      { occurs_on: '2027-06-18', status: 'skipped' },
      { occurs_on: '2027-06-25', status: 'skipped' },
    ]);
  });
});

describe('refusals', () => {
  it('refuses bad rules, naming the field', async () => {
    const family = await newFamily();
    const attempt = (rule: Record<string, unknown>, input: Record<string, unknown> = {}) =>
      app.gql(
        CREATE,
        { input: { accountId: family.cashId, kind: 'EXPENSE', amount: '10.00', rule, ...input } },
        { token: family.token },
      );
    expectBadInput(await attempt({ rrule: 'FREQ=HOURLY' }), 'input.rule.rrule');
    expectBadInput(await attempt({ rrule: 'FREQ=DAILY;BYHOUR=9' }), 'input.rule.rrule');
    expectBadInput(await attempt({ rrule: 'not a rule' }), 'input.rule.rrule');
    expectBadInput(await attempt({ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }), 'input.rule.rrule');
    expectBadInput(await attempt({ rrule: 'FREQ=DAILY', frequency: 'DAILY' }), 'input.rule.rrule');
    expectBadInput(await attempt({ frequency: 'MONTHLY', dayOfMonth: 32 }), 'input.rule.dayOfMonth');
    expectBadInput(await attempt({ frequency: 'WEEKLY', dayOfMonth: 3 }), 'input.rule.dayOfMonth');
    expectBadInput(await attempt({ frequency: 'DAILY', until: '2027-01-01', count: 3 }), 'input.rule.count');
    expectBadInput(await attempt({}), 'input.rule.frequency');
    expectBadInput(
      await attempt({ frequency: 'DAILY' }, { amount: '10.00', amountMax: '9.00' }),
      'input.amountMax',
    );
    expectBadInput(
      await attempt({ frequency: 'DAILY' }, { categoryId: family.category('Salary') }),
      'input.categoryId',
    );
    // A raw RRULE a power user writes is kept as given (canonically).
    const raw = ok(
      await app.gql<{ createSchedule: ScheduleView }>(
        CREATE,
        {
          input: {
            accountId: family.cashId,
            kind: 'EXPENSE',
            amount: '10.00',
            rule: { rrule: 'RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1' },
          },
        },
        { token: family.token },
      ),
    ).createSchedule;
    expect(raw.rrule).toBe('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1');
  });

  it('lets a viewer read schedules but not change them', async () => {
    const family = await newFamily();
    const viewer = await addMember(family);
    ok(
      await app.gql(
        `mutation($familyId: ID!, $userId: ID!, $role: Role!) { changeMemberRole(familyId: $familyId, userId: $userId, role: $role) { role } }`,
        { familyId: family.familyId, userId: viewer.userId, role: 'VIEWER' },
        { token: family.token },
      ),
    );
    const schedule = await createSchedule(family, {
      mode: 'ASK_FIRST',
      rule: { frequency: 'DAILY', startsOn: '2027-12-01' },
    });
    const refused = await app.gql(
      CREATE,
      { input: { accountId: family.cashId, kind: 'EXPENSE', amount: '1.00', rule: { frequency: 'DAILY' } } },
      { token: viewer.token },
    );
    expect(refused.errors?.[0]?.extensions?.code, refused.text).toBe('FORBIDDEN');
    const skip = await app.gql(
      SKIP,
      { scheduleId: schedule.id, occursOn: '2027-12-01' },
      { token: viewer.token },
    );
    expect(skip.errors?.[0]?.extensions?.code, skip.text).toBe('FORBIDDEN');
    const read = ok(
      await app.gql<{ schedules: { id: string }[] }>(
        `query($f: ID) { schedules(familyId: $f) { id } }`,
        { f: family.familyId },
        { token: viewer.token },
      ),
    );
    expect(read.schedules.map((s) => s.id)).toEqual([schedule.id]);
  });
});

describe('a schedule that fails', () => {
  it('holds up no other schedule, and is posted once it can be', async () => {
    // A database of its own: this runs every due schedule, not only the test's.
    const scratch = await createScratchDatabase();
    const main = app;
    try {
      app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, DATABASE_URL: scratch.url });
      app.clock.set(new Date('2027-08-01T09:00:00Z'));
      const family = await newFamily();
      const broken = await createSchedule(family, {
        note: 'broken',
        rule: { frequency: 'DAILY', startsOn: '2027-08-02' },
      });
      const fine = await createSchedule(family, {
        note: 'fine',
        rule: { frequency: 'DAILY', startsOn: '2027-08-03' },
      });
      // An expense schedule pointing at an income category: the ledger's writer refuses its transaction.
      await app.sql(`update schedule set category_id = $2 where id = $1`, [
        broken.id,
        family.category('Salary'),
      ]);
      app.clock.set(new Date('2027-08-03T09:00:00Z'));
      await expect(runner().runDue()).rejects.toThrow(broken.id);
      expect(await postedBy(broken.id)).toEqual([]);
      expect((await postedBy(fine.id)).map((t) => t.occurred_on)).toEqual(['2027-08-03']);

      await app.sql(`update schedule set category_id = null where id = $1`, [broken.id]);
      expect(await runner().runDue()).toBe(2);
      expect((await postedBy(broken.id)).map((t) => t.occurred_on)).toEqual(['2027-08-02', '2027-08-03']);
    } finally {
      await app.stop();
      app = main;
      await scratch.drop();
    }
  });
});
