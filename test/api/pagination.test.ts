import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/shared/clock.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';
import { financeHelpers } from '../helpers/finance.js';

/**
 * Listing (DOMAIN.md, Ledger): Relay-style keyset pagination, newest first by (occurredOn, insertion),
 * stable while new transactions arrive, max page size 100, and every filter. 1,000 transactions are
 * seeded with one SQL statement; the expectations are computed here from the rows themselves.
 */

const PAGE = `query Page($familyId: ID, $filter: TransactionFilter, $first: Int, $after: String, $last: Int, $before: String) {
  transactions(familyId: $familyId, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id occurredOn } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`;
const CREATE_TX = `mutation CreateTransaction($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;

interface Page {
  transactions: {
    edges: { cursor: string; node: { id: string; occurredOn: string } }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
    totalCount: number;
  };
}

/** A ledger row as the database holds it. */
interface Row {
  id: string;
  seq: string;
  kind: string;
  occurred_on: string;
  amount: string;
  account_id: string;
  to_account_id: string | null;
  category_id: string | null;
  paid_by_id: string;
  note: string | null;
}

const SEEDED = 1000;
const DAYS = 60;

const dateBefore = (today: string, days: number): string =>
  new Date(Date.parse(`${today}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);

/** Newest first: occurred_on descending, then insertion order (seq) descending. */
const newestFirst = (a: Row, b: Row): number =>
  a.occurred_on === b.occurred_on
    ? Number(BigInt(b.seq) - BigInt(a.seq))
    : a.occurred_on < b.occurred_on
      ? 1
      : -1;

describe('transactions: keyset pagination and filters', () => {
  let app: TestApp;
  const { expectBadInput } = financeHelpers(() => app, { badInputAlone: true, badInputWithoutData: true });
  let token: string;
  let familyId: string;
  let ownerId: string;
  let partnerId: string;
  let cash: string;
  let bank: string;
  let today: string;
  const categories = new Map<string, string>();
  const seeded: string[] = [];

  const page = (variables: Record<string, unknown>) =>
    app.gql<Page>(PAGE, { familyId, ...variables }, { token });

  /** Every row of the family, straight from the database. */
  const rows = () =>
    app.sql<Row>(
      `select id, seq::text as seq, kind, occurred_on::text as occurred_on, amount::text as amount, account_id,
              to_account_id, category_id, paid_by_id, note
         from ledger_transaction where family_id = $1`,
      [familyId],
    );

  /**
   * Pages through a filtered list, 100 at a time, checking every page's shape; returns the ids in order.
   * Every page reports the same totalCount, and it is the number of ids the walk found.
   */
  const collect = async (filter?: Record<string, unknown>): Promise<string[]> => {
    const ids: string[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const result = await page({ filter, first: 100, after });
      expect(result.errors, result.text).toBeUndefined();
      const { edges, pageInfo, totalCount } = result.data!.transactions;
      expect(edges.length).toBeLessThanOrEqual(100);
      ids.push(...edges.map((e) => e.node.id));
      totals.add(totalCount);
      expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      expect(pageInfo.hasPreviousPage).toBe(false);
      if (!pageInfo.hasNextPage) {
        expect([...totals]).toEqual([ids.length]);
        return ids;
      }
      expect(edges).toHaveLength(100);
      after = pageInfo.endCursor;
    }
    throw new Error('more than 100 pages');
  };

  /**
   * The same walk backward: `last` from the oldest end, then `before` each page's startCursor. Returns the
   * ids newest first, like `collect`, and the pages as they came (each newest first).
   */
  const collectBackward = async (
    filter: Record<string, unknown> | undefined,
    size: number,
  ): Promise<{ ids: string[]; pages: string[][] }> => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (let n = 0; n < 1000; n++) {
      const result = await page({ filter, last: size, before });
      expect(result.errors, result.text).toBeUndefined();
      const { edges, pageInfo } = result.data!.transactions;
      expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      expect(pageInfo.hasNextPage).toBe(false);
      pages.unshift(edges.map((e) => e.node.id));
      if (!pageInfo.hasPreviousPage) return { ids: pages.flat(), pages };
      expect(edges).toHaveLength(size);
      before = pageInfo.startCursor;
    }
    throw new Error('more than 1000 pages');
  };

  /** The ids a filter must return, in order, computed from the rows. */
  const expected = async (matches: (row: Row) => boolean): Promise<string[]> => {
    const all = await rows();
    const found = all.filter(matches).sort(newestFirst);
    // a filter that keeps everything or nothing could not tell a working filter from a broken one
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThan(all.length);
    return found.map((r) => r.id);
  };

  beforeAll(async () => {
    app = await startTestApp();
    today = app.clock.now().toISOString().slice(0, 10);
    const owner = await registerUser(app);
    token = owner.accessToken;
    ownerId = owner.user.id;
    const setup = await app.gql<{
      families: { id: string }[];
      accounts: { id: string; name: string }[];
      categories: { id: string; name: string }[];
    }>(`query { families { id } accounts { id name } categories { id name } }`, {}, { token });
    expect(setup.errors, setup.text).toBeUndefined();
    familyId = setup.data!.families[0]!.id;
    cash = setup.data!.accounts.find((a) => a.name === 'Cash')!.id;
    for (const c of setup.data!.categories) categories.set(c.name, c.id);
    const created = await app.gql<{ createAccount: { id: string } }>(
      `mutation { createAccount(input: { name: "Bank", type: CHECKING }) { id } }`,
      {},
      { token },
    );
    expect(created.errors, created.text).toBeUndefined();
    bank = created.data!.createAccount.id;

    // a second member, so "who paid" has two answers
    const invite = await app.gql<{ createInvite: { code: string } }>(
      `mutation Invite($familyId: ID!) { createInvite(input: { familyId: $familyId, role: MEMBER }) { code } }`,
      { familyId },
      { token },
    );
    expect(invite.errors, invite.text).toBeUndefined();
    const partner = await registerUser(app);
    partnerId = partner.user.id;
    const joined = await app.gql(
      `mutation Join($code: String!) { joinFamily(code: $code) { id } }`,
      { code: invite.data!.createInvite.code },
      { token: partner.accessToken },
    );
    expect(joined.errors, joined.text).toBeUndefined();

    // 1,000 transactions over 60 days, about 17 a day, inserted in an order unrelated to their dates
    const expenseCategories = ['Groceries', 'Eating out', 'Food', 'Fuel', 'Taxi', 'Housing'];
    const notes = ['Coffee BEANS', '50% off', '5000 coins', 'coffee shop', 'a_b literal', 'axb decoy'];
    const columns = {
      id: [] as string[],
      kind: [] as string[],
      occurredOn: [] as string[],
      amount: [] as string[],
      account: [] as string[],
      toAccount: [] as (string | null)[],
      toAmount: [] as (string | null)[],
      category: [] as (string | null)[],
      note: [] as (string | null)[],
      paidBy: [] as string[],
    };
    for (let i = 0; i < SEEDED; i++) {
      const kind = i % 10 === 0 ? 'income' : i % 10 === 5 ? 'transfer' : 'expense';
      const amount = i === 7 ? 10_000n : i === 8 ? 25_050n : BigInt(100 + ((i * 7919) % 100_000));
      columns.id.push(randomUUID());
      columns.kind.push(kind);
      columns.occurredOn.push(dateBefore(today, 1 + ((i * 7) % DAYS)));
      columns.amount.push(amount.toString());
      columns.account.push(cash);
      columns.toAccount.push(kind === 'transfer' ? bank : null);
      columns.toAmount.push(kind === 'transfer' ? amount.toString() : null);
      columns.category.push(
        kind === 'income'
          ? categories.get('Salary')!
          : kind === 'expense'
            ? categories.get(expenseCategories[i % expenseCategories.length]!)!
            : null,
      );
      columns.note.push(i % 25 < notes.length ? `${notes[i % 25]} #${i}` : null);
      columns.paidBy.push(i % 3 === 0 ? partnerId : ownerId);
    }
    const now = app.clock.now();
    await app.sql(
      `insert into ledger_transaction
         (id, family_id, kind, occurred_on, amount, currency, account_id, to_account_id, to_amount, to_currency,
          category_id, note, tags, created_by_id, paid_by_id, created_at, updated_at)
       select s.id, $1, s.kind, s.occurred_on, s.amount, 'EUR', s.account_id, s.to_account_id, s.to_amount,
              case when s.to_account_id is null then null else 'EUR' end,
              s.category_id, s.note, '{}', $2, s.paid_by_id, $3, $3
         from unnest($4::uuid[], $5::text[], $6::date[], $7::bigint[], $8::uuid[], $9::uuid[], $10::bigint[],
                     $11::uuid[], $12::text[], $13::uuid[])
              with ordinality as s(id, kind, occurred_on, amount, account_id, to_account_id, to_amount,
                                   category_id, note, paid_by_id, ord)
        order by s.ord`,
      [
        familyId,
        ownerId,
        now,
        columns.id,
        columns.kind,
        columns.occurredOn,
        columns.amount,
        columns.account,
        columns.toAccount,
        columns.toAmount,
        columns.category,
        columns.note,
        columns.paidBy,
      ],
    );
    seeded.push(...columns.id);
    // balances follow the seeded rows, so the ledger invariant holds
    await app.sql(
      `update account a set balance = a.opening_balance
          - coalesce((select sum(t.amount) from ledger_transaction t
                       where t.account_id = a.id and t.kind in ('expense', 'transfer')), 0)
          + coalesce((select sum(t.amount) from ledger_transaction t
                       where t.account_id = a.id and t.kind = 'income'), 0)
          + coalesce((select sum(t.to_amount) from ledger_transaction t
                       where t.to_account_id = a.id and t.kind = 'transfer'), 0)
        where a.family_id = $1`,
      [familyId],
    );
  });
  afterAll(() => app.stop());

  it('seeded 1,000 rows in insertion order', async () => {
    const all = await rows();
    expect(all).toHaveLength(SEEDED);
    const bySeq = [...all].sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)));
    expect(bySeq.map((r) => r.id)).toEqual(seeded);
    expect(new Set(all.map((r) => r.occurred_on)).size).toBe(DAYS);
  });

  it('pages through all 1,000 newest first, with no duplicate and no gap, while new ones arrive', async () => {
    const order = (await rows()).sort(newestFirst).map((r) => r.id);
    const ids: string[] = [];
    const arrivedNewer: string[] = [];
    const arrivedOlder: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await page({ first: 100, after });
      expect(result.errors, result.text).toBeUndefined();
      const { edges, pageInfo } = result.data!.transactions;
      pages++;
      ids.push(...edges.map((e) => e.node.id));
      for (let i = 1; i < edges.length; i++) {
        expect(edges[i - 1]!.node.occurredOn >= edges[i]!.node.occurredOn).toBe(true);
      }
      if (!pageInfo.hasNextPage) break;
      expect(edges).toHaveLength(100);
      after = pageInfo.endCursor;
      // between pages: one transaction dated today (newer than the cursor) and one older than everything
      for (const [occurredOn, list] of [
        [today, arrivedNewer],
        [dateBefore(today, DAYS + 5), arrivedOlder],
      ] as const) {
        const created = await app.gql<{ createTransaction: { id: string } }>(
          CREATE_TX,
          {
            input: {
              kind: 'EXPENSE',
              amount: '1.00',
              accountId: cash,
              occurredOn,
              note: 'arrived while paging',
            },
          },
          { token },
        );
        expect(created.errors, created.text).toBeUndefined();
        list.push(created.data!.createTransaction.id);
      }
      expect(pages).toBeLessThan(20);
    }
    // the newer ones sort before the cursor and never show up; the older ones come after all the originals
    expect(arrivedNewer).toHaveLength(10);
    expect(ids).toHaveLength(SEEDED + arrivedOlder.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, SEEDED)).toEqual(order);
    expect(ids.slice(SEEDED)).toEqual([...arrivedOlder].reverse());
    for (const id of arrivedNewer) expect(ids).not.toContain(id);

    // a fresh walk sees the newer ones first
    const fresh = await collect();
    expect(fresh.slice(0, arrivedNewer.length)).toEqual([...arrivedNewer].reverse());
    expect(fresh).toEqual([...[...arrivedNewer].reverse(), ...ids]);
  });

  it('pages backward (last/before) through exactly the list forward paging gives, in the same order', async () => {
    const forward = await collect();
    const order = (await rows()).sort(newestFirst).map((r) => r.id);
    expect(forward).toEqual(order);
    const backward = await collectBackward(undefined, 100);
    expect(backward.ids).toEqual(forward);
    // every page is full except the newest, reached last, which holds what is left
    const sizes = backward.pages.map((p) => p.length);
    expect(sizes.slice(1).every((n) => n === 100)).toBe(true);
    // a small, odd page size lands pages across day boundaries (ties broken by insertion order)
    expect((await collectBackward({ kinds: ['TRANSFER'] }, 7)).ids).toEqual(
      await collect({ kinds: ['TRANSFER'] }),
    );
  });

  it('a cursor taken either way leads back: before the endCursor of a page is the page above it', async () => {
    const first = (await page({ first: 30 })).data!.transactions;
    const second = (await page({ first: 30, after: first.pageInfo.endCursor })).data!.transactions;
    const back = await page({ last: 30, before: second.pageInfo.startCursor });
    expect(back.errors, back.text).toBeUndefined();
    expect(back.data!.transactions.edges.map((e) => e.node.id)).toEqual(first.edges.map((e) => e.node.id));
    expect(back.data!.transactions.pageInfo.hasPreviousPage).toBe(false);
    // between two cursors: exactly what lies between them
    const between = await page({
      first: 100,
      after: first.edges[4]!.cursor,
      before: second.edges[5]!.cursor,
    });
    expect(between.data!.transactions.edges.map((e) => e.node.id)).toEqual(
      [...first.edges.slice(5), ...second.edges.slice(0, 5)].map((e) => e.node.id),
    );
    expectBadInput(await page({ first: 10, last: 10 }), 'last');
    for (const last of [101, 0, -1]) expectBadInput(await page({ last }), 'last');
    expectBadInput(await page({ last: 10, before: 'garbage' }), 'before');
  });

  it('totalCount counts what the filter keeps, whichever page is asked for', async () => {
    const all = await rows();
    expect((await page({ first: 1 })).data!.transactions.totalCount).toBe(all.length);
    const transfers = all.filter((r) => r.kind === 'transfer').length;
    expect(transfers).toBeGreaterThan(0);
    expect(transfers).toBeLessThan(all.length);
    const filtered = await page({ filter: { kinds: ['TRANSFER'] }, last: 3 });
    expect(filtered.data!.transactions.totalCount).toBe(transfers);
    const from = dateBefore(today, 20);
    expect(
      (await page({ filter: { dateFrom: from, memberIds: [partnerId] }, first: 5 })).data!.transactions
        .totalCount,
    ).toBe(all.filter((r) => r.occurred_on >= from && r.paid_by_id === partnerId).length);
  });

  it('serves at most 100 a page', async () => {
    const hundred = await page({ first: 100 });
    expect(hundred.errors, hundred.text).toBeUndefined();
    expect(hundred.data!.transactions.edges).toHaveLength(100);
    expect(hundred.data!.transactions.pageInfo.hasNextPage).toBe(true);
    const byDefault = await page({});
    expect(byDefault.data?.transactions.edges).toHaveLength(50);
    const one = await page({ first: 1 });
    expect(one.data?.transactions.edges).toHaveLength(1);
    for (const first of [101, 1000, 0, -1]) expectBadInput(await page({ first }), 'first');
  });

  it('refuses a cursor it did not make', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const valid = (await page({ first: 1 })).data!.transactions.pageInfo.endCursor!;
    expect((await page({ first: 1, after: valid })).errors).toBeUndefined();
    for (const after of [
      'garbage',
      '',
      valid + valid,
      'x'.repeat(65),
      b64('2025-01-01'),
      b64('2025-01-01~'),
      b64('2025-01-01~abc'),
      b64('not-a-date~5'),
      // shaped right, but not a date or not a bigint: must not reach PostgreSQL as a cast error
      b64('2025-02-30~5'),
      b64('2025-13-45~5'),
      b64('2025-01-01~9999999999999999999'),
    ]) {
      expectBadInput(await page({ first: 10, after }), 'after');
    }
  });

  describe('filters', () => {
    it('by account, on either side of a transfer', async () => {
      const want = await expected((r) => r.account_id === bank || r.to_account_id === bank);
      expect(await collect({ accountIds: [bank] })).toEqual(want);
      // an id that is not an account of this family matches nothing, whatever it looks like
      expect(await collect({ accountIds: [randomUUID()] })).toEqual([]);
      expect(await collect({ accountIds: ['not-a-uuid'] })).toEqual([]);
    });

    it('by a parent category, including its children', async () => {
      const food = ['Food', 'Groceries', 'Eating out'].map((n) => categories.get(n)!);
      expect(await collect({ categoryIds: [categories.get('Food')] })).toEqual(
        await expected((r) => food.includes(r.category_id!)),
      );
      const transport = ['Transport', 'Fuel', 'Public transport', 'Taxi'].map((n) => categories.get(n)!);
      expect(await collect({ categoryIds: [categories.get('Transport')] })).toEqual(
        await expected((r) => transport.includes(r.category_id!)),
      );
      // a child alone is just the child
      expect(await collect({ categoryIds: [categories.get('Groceries')] })).toEqual(
        await expected((r) => r.category_id === categories.get('Groceries')),
      );
    });

    it('by member (who paid)', async () => {
      expect(await collect({ memberIds: [partnerId] })).toEqual(
        await expected((r) => r.paid_by_id === partnerId),
      );
      expect(await collect({ memberIds: [ownerId] })).toEqual(
        await expected((r) => r.paid_by_id === ownerId),
      );
    });

    it('by kind', async () => {
      expect(await collect({ kinds: ['TRANSFER'] })).toEqual(await expected((r) => r.kind === 'transfer'));
      expect(await collect({ kinds: ['INCOME', 'EXPENSE'] })).toEqual(
        await expected((r) => r.kind !== 'transfer'),
      );
    });

    it('by date range, both ends included', async () => {
      const from = dateBefore(today, 20);
      const to = dateBefore(today, 10);
      expect(await collect({ dateFrom: from, dateTo: to })).toEqual(
        await expected((r) => r.occurred_on >= from && r.occurred_on <= to),
      );
      expect(await collect({ dateFrom: to, dateTo: to })).toEqual(
        await expected((r) => r.occurred_on === to),
      );
      expectBadInput(await page({ filter: { dateFrom: '2025-02-30' } }), 'filter.dateFrom');
    });

    it('by amount range, both ends included', async () => {
      const want = await expected((r) => BigInt(r.amount) >= 10_000n && BigInt(r.amount) <= 25_050n);
      const got = await collect({ amountMin: '100', amountMax: '250.50' });
      expect(got).toEqual(want);
      const byId = new Map((await rows()).map((r) => [r.id, r.amount]));
      expect(got.map((id) => byId.get(id))).toEqual(expect.arrayContaining(['10000', '25050']));
      expect(await collect({ amountMin: '250.50', amountMax: '250.50' })).toEqual(
        await expected((r) => r.amount === '25050'),
      );
      expectBadInput(await page({ filter: { amountMin: '1.001' } }), 'filter.amountMin');
    });

    it('by text in the note, case-insensitively, with % and _ taken literally', async () => {
      expect(await collect({ noteContains: 'COFFEE' })).toEqual(
        await expected((r) => r.note?.toLowerCase().includes('coffee') ?? false),
      );
      expect(await collect({ noteContains: 'beans' })).toEqual(
        await expected((r) => r.note?.startsWith('Coffee BEANS') ?? false),
      );
      // as a LIKE pattern '50%' would also match '5000 coins'
      const percent = await collect({ noteContains: '50%' });
      expect(percent).toEqual(await expected((r) => r.note?.includes('50%') ?? false));
      expect(percent.length).toBe(SEEDED / 25);
      // as a LIKE pattern 'a_b' would also match 'axb decoy'
      expect(await collect({ noteContains: 'a_b' })).toEqual(
        await expected((r) => r.note?.includes('a_b') ?? false),
      );
    });

    it('combined: every condition must hold', async () => {
      const from = dateBefore(today, 45);
      const food = ['Food', 'Groceries', 'Eating out'].map((n) => categories.get(n)!);
      expect(
        await collect({
          kinds: ['EXPENSE'],
          memberIds: [partnerId],
          categoryIds: [categories.get('Food')],
          dateFrom: from,
          amountMin: '10',
        }),
      ).toEqual(
        await expected(
          (r) =>
            r.kind === 'expense' &&
            r.paid_by_id === partnerId &&
            food.includes(r.category_id!) &&
            r.occurred_on >= from &&
            BigInt(r.amount) >= 1000n,
        ),
      );
    });
  });
});
