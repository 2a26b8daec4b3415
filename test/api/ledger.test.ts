import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type GqlResult, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';
import { financeHelpers } from '../helpers/finance.js';

/**
 * The ledger invariant (DOMAIN.md, Ledger): every account's stored balance equals its opening balance plus
 * the sum of its transactions, after every kind of write, sequential or concurrent. Every write goes
 * through GraphQL; the checks read the database directly.
 */

interface AccountRow {
  id: string;
  name: string;
  currency: string;
  balance: string;
  expected: string;
  transactions: string;
}

/**
 * Checks, with SQL, for every account of the family: balance = opening_balance + sum(incoming) -
 * sum(outgoing), where an expense takes `amount` from account_id, an income adds `amount` to account_id
 * and a transfer takes `amount` from account_id and adds `to_amount` to to_account_id. Also checks that
 * every row carries its accounts' currencies. Returns the balances (minor units, as text) by account id.
 */
async function assertLedgerInvariant(app: TestApp, familyId: string): Promise<Map<string, bigint>> {
  const rows = await app.sql<AccountRow>(
    `select a.id, a.name, a.currency, a.balance::text as balance,
            (a.opening_balance
              - coalesce((select sum(t.amount) from ledger_transaction t
                           where t.account_id = a.id and t.kind in ('expense', 'transfer')), 0)
              + coalesce((select sum(t.amount) from ledger_transaction t
                           where t.account_id = a.id and t.kind = 'income'), 0)
              + coalesce((select sum(t.to_amount) from ledger_transaction t
                           where t.to_account_id = a.id and t.kind = 'transfer'), 0))::text as expected,
            (select count(*) from ledger_transaction t
              where t.account_id = a.id or t.to_account_id = a.id)::text as transactions
       from account a
      where a.family_id = $1
      order by a.created_at, a.id`,
    [familyId],
  );
  expect(rows.length, 'the family has accounts').toBeGreaterThan(0);
  for (const row of rows) {
    expect({ account: row.name, balance: row.balance }).toEqual({ account: row.name, balance: row.expected });
  }
  const mismatched = await app.sql(
    `select t.id from ledger_transaction t
       join account a on a.id = t.account_id
       left join account b on b.id = t.to_account_id
      where t.family_id = $1
        and (a.family_id <> t.family_id or t.currency <> a.currency
             or (t.kind = 'transfer' and (b.family_id <> t.family_id or t.to_currency <> b.currency))
             or (t.kind <> 'transfer' and (t.to_account_id is not null or t.to_amount is not null)))`,
    [familyId],
  );
  expect(mismatched).toEqual([]);
  return new Map(rows.map((row) => [row.id, BigInt(row.balance)]));
}

const FAMILIES = `query { families { id myRole } }`;
const ACCOUNTS = `query Accounts($familyId: ID) {
  accounts(familyId: $familyId, includeArchived: true) {
    id name currency balance { amount currency } openingBalance { amount currency }
  }
}`;
const CATEGORIES = `query Categories($familyId: ID) {
  categories(familyId: $familyId) { id name kind parentId }
}`;
const CREATE_ACCOUNT = `mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { id name currency balance { amount currency } }
}`;
const UPDATE_ACCOUNT = `mutation UpdateAccount($id: ID!, $input: UpdateAccountInput!) {
  updateAccount(id: $id, input: $input) { id balance { amount currency } openingBalance { amount currency } }
}`;
const TX_FIELDS = `id kind occurredOn note amount { amount currency } toAmount { amount currency }
  account { id } toAccount { id } category { id } paidBy { id } createdBy { id }`;
const CREATE_TX = `mutation CreateTransaction($input: CreateTransactionInput!) {
  createTransaction(input: $input) { ${TX_FIELDS} }
}`;
const UPDATE_TX = `mutation UpdateTransaction($id: ID!, $input: UpdateTransactionInput!) {
  updateTransaction(id: $id, input: $input) { ${TX_FIELDS} }
}`;
const DELETE_TX = `mutation DeleteTransaction($id: ID!) { deleteTransaction(id: $id) }`;
const TRANSACTIONS = `query Transactions($familyId: ID, $first: Int) {
  transactions(familyId: $familyId, first: $first) { edges { node { id amount { amount } } } }
}`;
const CREATE_CATEGORY = `mutation CreateCategory($input: CreateCategoryInput!) {
  createCategory(input: $input) { id }
}`;
const CREATE_INVITE = `mutation CreateInvite($input: CreateInviteInput!) {
  createInvite(input: $input) { code invite { id role } }
}`;
const JOIN = `mutation Join($code: String!) { joinFamily(code: $code) { id myRole } }`;
const LEAVE = `mutation Leave($familyId: ID!) { leaveFamily(familyId: $familyId) }`;
const CHANGE_ROLE = `mutation ChangeRole($familyId: ID!, $userId: ID!, $role: Role!) {
  changeMemberRole(familyId: $familyId, userId: $userId, role: $role) { role }
}`;

interface Tx {
  id: string;
  kind: string;
  occurredOn: string;
  note: string | null;
  amount: { amount: string; currency: string };
  toAmount: { amount: string; currency: string } | null;
  account: { id: string };
  toAccount: { id: string } | null;
  category: { id: string } | null;
  paidBy: { id: string };
  createdBy: { id: string };
}

interface Account {
  id: string;
  name: string;
  currency: string;
  balance: { amount: string; currency: string };
  openingBalance: { amount: string; currency: string };
}

interface Member {
  token: string;
  userId: string;
  familyId: string;
  cashId: string;
  categories: Map<string, { id: string; kind: string; parentId: string | null }>;
}

type Errors = GqlResult<unknown>['errors'];

function expectError(result: { errors: Errors; text: string }, code: string, field?: string): void {
  expect(result.errors, result.text).toHaveLength(1);
  expect(result.errors![0]!.extensions?.code, result.text).toBe(code);
  if (field !== undefined) expect(result.errors![0]!.extensions?.field, result.text).toBe(field);
}

describe('ledger', () => {
  let app: TestApp;
  const { ok } = financeHelpers(() => app);
  let owner: Member;

  const setUp = async (): Promise<Member> => {
    const user = await registerUser(app);
    const families = ok(
      await app.gql<{ families: { id: string }[] }>(FAMILIES, {}, { token: user.accessToken }),
    );
    expect(families.families).toHaveLength(1);
    const familyId = families.families[0]!.id;
    const accounts = ok(
      await app.gql<{ accounts: Account[] }>(ACCOUNTS, { familyId }, { token: user.accessToken }),
    ).accounts;
    expect(accounts.map((a) => [a.name, a.currency])).toEqual([['Cash', 'EUR']]);
    const categories = ok(
      await app.gql<{ categories: { id: string; name: string; kind: string; parentId: string | null }[] }>(
        CATEGORIES,
        { familyId },
        { token: user.accessToken },
      ),
    ).categories;
    return {
      token: user.accessToken,
      userId: user.user.id,
      familyId,
      cashId: accounts[0]!.id,
      categories: new Map(categories.map((c) => [c.name, c])),
    };
  };

  const category = (member: Member, name: string): string => {
    const found = member.categories.get(name);
    if (found === undefined) throw new Error(`no category ${name}`);
    return found.id;
  };

  const createAccount = async (member: Member, input: Record<string, unknown>): Promise<string> =>
    ok(
      await app.gql<{ createAccount: { id: string } }>(
        CREATE_ACCOUNT,
        { input: { familyId: member.familyId, ...input } },
        { token: member.token },
      ),
    ).createAccount.id;

  const create = (member: Member, input: Record<string, unknown>) =>
    app.gql<{ createTransaction: Tx }>(CREATE_TX, { input }, { token: member.token });

  const createOk = async (member: Member, input: Record<string, unknown>): Promise<Tx> =>
    ok(await create(member, input)).createTransaction;

  const update = (member: Member, id: string, input: Record<string, unknown>) =>
    app.gql<{ updateTransaction: Tx }>(UPDATE_TX, { id, input }, { token: member.token });

  const updateOk = async (member: Member, id: string, input: Record<string, unknown>): Promise<Tx> =>
    ok(await update(member, id, input)).updateTransaction;

  const balances = async (member: Member): Promise<Map<string, string>> => {
    const accounts = ok(
      await app.gql<{ accounts: Account[] }>(
        ACCOUNTS,
        { familyId: member.familyId },
        { token: member.token },
      ),
    ).accounts;
    return new Map(accounts.map((a) => [a.id, a.balance.amount]));
  };

  /** Everything a failed write must leave untouched: rows, balances, categories, memberships. */
  const snapshot = async (familyId: string) => ({
    transactions: await app.sql(
      `select id, kind, amount::text, account_id, to_account_id, to_amount::text, category_id, occurred_on::text,
              note, updated_at from ledger_transaction where family_id = $1 order by seq`,
      [familyId],
    ),
    accounts: await app.sql(
      `select id, name, type, balance::text, opening_balance::text, archived from account
        where family_id = $1 order by id`,
      [familyId],
    ),
    categories: await app.sql(`select id, name from category where family_id = $1 order by id`, [familyId]),
    invites: await app.sql(`select id from invite where family_id = $1 order by id`, [familyId]),
  });

  beforeAll(async () => {
    app = await startTestApp();
    owner = await setUp();
  });
  afterAll(() => app.stop());

  it('keeps balance = opening + transactions after every kind of write', async () => {
    const family = owner.familyId;
    const cash = owner.cashId;
    const bank = await createAccount(owner, { name: 'Bank', type: 'CHECKING', openingBalance: '1000.00' });
    const dollars = await createAccount(owner, { name: 'Dollars', type: 'SAVINGS', currency: 'usd' });
    const expectBalances = async (expected: Record<string, string>) => {
      const invariant = await assertLedgerInvariant(app, family);
      const api = await balances(owner);
      const ids: Record<string, string> = { cash, bank, dollars };
      for (const [name, amount] of Object.entries(expected)) {
        expect({ [name]: api.get(ids[name]!) }).toEqual({ [name]: amount });
      }
      return invariant;
    };
    await expectBalances({ cash: '0.00', bank: '1000.00', dollars: '0.00' });

    // create: expense, income, transfer
    const groceries = await createOk(owner, {
      kind: 'EXPENSE',
      amount: '12.50',
      accountId: cash,
      categoryId: category(owner, 'Groceries'),
      note: 'coffee beans',
    });
    expect(groceries.amount).toEqual({ amount: '12.50', currency: 'EUR' });
    expect(groceries.paidBy.id).toBe(owner.userId);
    expect(groceries.createdBy.id).toBe(owner.userId);
    await expectBalances({ cash: '-12.50', bank: '1000.00' });

    const salary = await createOk(owner, {
      kind: 'INCOME',
      amount: '2000',
      accountId: bank,
      categoryId: category(owner, 'Salary'),
    });
    await expectBalances({ cash: '-12.50', bank: '3000.00' });

    const transfer = await createOk(owner, {
      kind: 'TRANSFER',
      amount: '100',
      accountId: bank,
      toAccountId: cash,
    });
    expect(transfer.toAmount).toEqual({ amount: '100.00', currency: 'EUR' });
    expect(transfer.category).toBeNull();
    await expectBalances({ cash: '87.50', bank: '2900.00' });
    // within one currency both sides of a transfer follow its amount
    const bigger = await updateOk(owner, transfer.id, { amount: '150' });
    expect(bigger.toAmount).toEqual({ amount: '150.00', currency: 'EUR' });
    await expectBalances({ cash: '137.50', bank: '2850.00' });
    await updateOk(owner, transfer.id, { amount: '100' });
    await expectBalances({ cash: '87.50', bank: '2900.00' });

    // edit the amount
    await updateOk(owner, groceries.id, { amount: '20' });
    await expectBalances({ cash: '80.00', bank: '2900.00' });

    // move to another account: the amount must be restated in the new account's currency
    expectError(await update(owner, groceries.id, { accountId: bank }), 'BAD_USER_INPUT', 'input.amount');
    await expectBalances({ cash: '80.00', bank: '2900.00' });
    const moved = await updateOk(owner, groceries.id, { accountId: bank, amount: '20.00' });
    expect(moved.account.id).toBe(bank);
    await expectBalances({ cash: '100.00', bank: '2880.00' });

    // change the kind: the expense category does not fit an income -> nothing changes
    expectError(await update(owner, groceries.id, { kind: 'INCOME' }), 'BAD_USER_INPUT', 'input.categoryId');
    await expectBalances({ cash: '100.00', bank: '2880.00' });
    const asIncome = await updateOk(owner, groceries.id, {
      kind: 'INCOME',
      categoryId: category(owner, 'Other income'),
    });
    expect(asIncome.kind).toBe('INCOME');
    expect(asIncome.category?.id).toBe(category(owner, 'Other income'));
    await expectBalances({ cash: '100.00', bank: '2920.00' });
    const backToExpense = await updateOk(owner, groceries.id, { kind: 'EXPENSE', clearCategory: true });
    expect(backToExpense.category).toBeNull();
    await expectBalances({ cash: '100.00', bank: '2880.00' });

    // a transfer becomes an expense and back
    const asExpense = await updateOk(owner, transfer.id, { kind: 'EXPENSE' });
    expect(asExpense.toAccount).toBeNull();
    expect(asExpense.toAmount).toBeNull();
    await expectBalances({ cash: '0.00', bank: '2880.00' });
    await updateOk(owner, transfer.id, { kind: 'TRANSFER', toAccountId: cash });
    await expectBalances({ cash: '100.00', bank: '2880.00' });

    // transfers have no category
    expectError(
      await create(owner, {
        kind: 'TRANSFER',
        amount: '5',
        accountId: cash,
        toAccountId: bank,
        categoryId: category(owner, 'Groceries'),
      }),
      'BAD_USER_INPUT',
      'input.categoryId',
    );
    // within one currency a transfer moves one amount
    expectError(
      await create(owner, {
        kind: 'TRANSFER',
        amount: '5',
        accountId: cash,
        toAccountId: bank,
        toAmount: '6',
      }),
      'BAD_USER_INPUT',
      'input.toAmount',
    );

    // across currencies: EUR -> USD needs the amount that arrived
    const before = await snapshot(family);
    expectError(
      await create(owner, { kind: 'TRANSFER', amount: '100', accountId: bank, toAccountId: dollars }),
      'BAD_USER_INPUT',
      'input.toAmount',
    );
    expectError(
      await create(owner, {
        kind: 'TRANSFER',
        amount: '100',
        accountId: bank,
        toAccountId: dollars,
        toAmount: '108.255',
      }),
      'BAD_USER_INPUT',
      'input.toAmount',
    );
    expect(await snapshot(family)).toEqual(before);
    const fx = await createOk(owner, {
      kind: 'TRANSFER',
      amount: '100',
      accountId: bank,
      toAccountId: dollars,
      toAmount: '108.25',
    });
    expect(fx.amount).toEqual({ amount: '100.00', currency: 'EUR' });
    expect(fx.toAmount).toEqual({ amount: '108.25', currency: 'USD' });
    await expectBalances({ cash: '100.00', bank: '2780.00', dollars: '108.25' });

    // edit either side of the cross-currency transfer
    await updateOk(owner, fx.id, { amount: '90' });
    await expectBalances({ bank: '2790.00', dollars: '108.25' });
    await updateOk(owner, fx.id, { toAmount: '97.43' });
    await expectBalances({ bank: '2790.00', dollars: '97.43' });
    // redirecting it to a EUR account drops the USD amount: same currency, same amount
    await updateOk(owner, fx.id, { toAccountId: cash });
    await expectBalances({ cash: '190.00', bank: '2790.00', dollars: '0.00' });
    await updateOk(owner, fx.id, { toAccountId: dollars, toAmount: '97.43' });
    await expectBalances({ cash: '100.00', bank: '2790.00', dollars: '97.43' });
    // moving the source to the USD account itself is a transfer to the same account
    expectError(
      await update(owner, fx.id, { accountId: dollars, amount: '1' }),
      'BAD_USER_INPUT',
      'input.toAccountId',
    );
    await expectBalances({ cash: '100.00', bank: '2790.00', dollars: '97.43' });

    // the opening balance moves the balance by the difference
    const updated = ok(
      await app.gql<{ updateAccount: Account }>(
        UPDATE_ACCOUNT,
        { id: bank, input: { openingBalance: '500.5' } },
        { token: owner.token },
      ),
    ).updateAccount;
    expect(updated.openingBalance).toEqual({ amount: '500.50', currency: 'EUR' });
    expect(updated.balance).toEqual({ amount: '2290.50', currency: 'EUR' });
    await expectBalances({ bank: '2290.50' });
    await app.gql(UPDATE_ACCOUNT, { id: cash, input: { openingBalance: '-50' } }, { token: owner.token });
    await expectBalances({ cash: '50.00' });
    expectError(
      await app.gql(
        UPDATE_ACCOUNT,
        { id: dollars, input: { openingBalance: '1.001' } },
        { token: owner.token },
      ),
      'BAD_USER_INPUT',
      'input.openingBalance',
    );
    await expectBalances({ dollars: '97.43' });

    // delete each kind
    // The deleted id comes back, for client caches to evict.
    expect(ok(await app.gql(DELETE_TX, { id: salary.id }, { token: owner.token }))).toEqual({
      deleteTransaction: salary.id,
    });
    await expectBalances({ cash: '50.00', bank: '290.50', dollars: '97.43' });
    await app.gql(DELETE_TX, { id: fx.id }, { token: owner.token });
    await expectBalances({ cash: '50.00', bank: '380.50', dollars: '0.00' });
    await app.gql(DELETE_TX, { id: transfer.id }, { token: owner.token });
    await app.gql(DELETE_TX, { id: groceries.id }, { token: owner.token });
    await expectBalances({ cash: '-50.00', bank: '500.50', dollars: '0.00' });
    const left = await app.sql(`select count(*)::int as n from ledger_transaction where family_id = $1`, [
      family,
    ]);
    expect(left).toEqual([{ n: 0 }]);
    // deleting it again finds nothing and changes nothing
    expectError(await app.gql(DELETE_TX, { id: groceries.id }, { token: owner.token }), 'NOT_FOUND');
    await expectBalances({ cash: '-50.00', bank: '500.50', dollars: '0.00' });
  });

  it('keeps notes and tags exactly, whatever characters they hold, and reads them back the same', async () => {
    const tags = ['Trip', 'a,b', 'say "hi"', 'back\\slash', '{brace}', "it's", 'trip'];
    const note = `Lunch, "big" {one} \\ it's 100%_done`;
    const created = ok(
      await app.gql<{ createTransaction: { id: string; tags: string[]; note: string } }>(
        `mutation Create($input: CreateTransactionInput!) { createTransaction(input: $input) { id tags note } }`,
        { input: { kind: 'EXPENSE', amount: '1.50', accountId: owner.cashId, tags, note } },
        { token: owner.token },
      ),
    ).createTransaction;
    // trimmed, lower-cased, duplicates dropped; everything else kept as sent
    const expected = ['trip', 'a,b', 'say "hi"', 'back\\slash', '{brace}', "it's"];
    expect(created.tags).toEqual(expected);
    expect(created.note).toBe(note);
    const read = ok(
      await app.gql<{ transaction: { tags: string[]; note: string } }>(
        `query One($id: ID!) { transaction(id: $id) { tags note } }`,
        { id: created.id },
        { token: owner.token },
      ),
    ).transaction;
    expect(read).toEqual({ tags: expected, note });
  });

  it('100 concurrent creates on one account all land, and the balance is exactly minus their sum', async () => {
    const account = await createAccount(owner, { name: 'Busy', type: 'CHECKING' });
    const amounts = Array.from(
      { length: 100 },
      (_, i) => `${i + 1}.${String((i * 37) % 100).padStart(2, '0')}`,
    );
    const results = await Promise.all(
      amounts.map((amount, i) =>
        create(owner, { kind: 'EXPENSE', amount, accountId: account, note: `concurrent ${i}` }),
      ),
    );
    for (const result of results) expect(result.errors, result.text).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.createTransaction.id));
    expect(ids.size).toBe(100);
    const sum = amounts.reduce((total, amount) => total + BigInt(amount.replace('.', '')), 0n);
    const rows = await app.sql<{ n: number; total: string }>(
      `select count(*)::int as n, sum(amount)::text as total from ledger_transaction where account_id = $1`,
      [account],
    );
    expect(rows).toEqual([{ n: 100, total: sum.toString() }]);
    const invariant = await assertLedgerInvariant(app, owner.familyId);
    expect(invariant.get(account)).toBe(-sum);
  });

  it('concurrent transfers in both directions, edits and deletes keep every balance right', async () => {
    // a family of its own, so a failure here cannot spill into the other tests
    const owner = await setUp();
    const a = await createAccount(owner, { name: 'Ping', type: 'CHECKING', openingBalance: '1000' });
    const b = await createAccount(owner, { name: 'Pong', type: 'SAVINGS', openingBalance: '1000' });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        create(owner, {
          kind: 'TRANSFER',
          amount: `${i + 1}`,
          accountId: i % 2 === 0 ? a : b,
          toAccountId: i % 2 === 0 ? b : a,
        }),
      ),
    );
    for (const result of results) expect(result.errors, result.text).toBeUndefined();
    const invariant = await assertLedgerInvariant(app, owner.familyId);
    // a sends 1 + 3 + ... + 39 = 400, receives 2 + 4 + ... + 40 = 420
    expect(invariant.get(a)).toBe(102_000n);
    expect(invariant.get(b)).toBe(98_000n);

    // concurrent edits of one transaction: whichever wins, the balance matches the row
    const target = results[0]!.data!.createTransaction.id;
    const edits = await Promise.all(
      Array.from({ length: 10 }, (_, i) => update(owner, target, { amount: `${(i + 1) * 10}` })),
    );
    for (const result of edits) expect(result.errors, result.text).toBeUndefined();
    await assertLedgerInvariant(app, owner.familyId);

    // the same transaction deleted ten times at once is undone once
    const victim = results[1]!.data!.createTransaction.id;
    const deletes = await Promise.all(
      Array.from({ length: 10 }, () => app.gql(DELETE_TX, { id: victim }, { token: owner.token })),
    );
    const deleted = deletes.filter((r) => r.errors === undefined);
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    for (const result of deletes.filter((r) => r.errors !== undefined)) expectError(result, 'NOT_FOUND');
    await assertLedgerInvariant(app, owner.familyId);
    const rows = await app.sql(`select 1 from ledger_transaction where id = $1`, [victim]);
    expect(rows).toEqual([]);

    // concurrent corrections of one opening balance: the last one wins and the balance follows it
    const openings = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.gql(
          UPDATE_ACCOUNT,
          { id: a, input: { openingBalance: `${(i + 1) * 100}` } },
          { token: owner.token },
        ),
      ),
    );
    for (const result of openings) expect(result.errors, result.text).toBeUndefined();
    await assertLedgerInvariant(app, owner.familyId);
  });

  describe('idempotency', () => {
    const countKey = async (key: string) =>
      (
        await app.sql<{ n: number }>(
          `select count(*)::int as n from ledger_transaction where family_id = $1 and idempotency_key = $2`,
          [owner.familyId, key],
        )
      )[0]!.n;

    it('a retried create with the same key returns the first transaction and moves the balance once', async () => {
      const account = await createAccount(owner, { name: 'Retry', type: 'CASH' });
      const key = `chat:42:msg:${Date.now()}`;
      const input = { kind: 'EXPENSE', amount: '7.25', accountId: account, idempotencyKey: key };
      const first = await createOk(owner, input);
      const second = await createOk(owner, input);
      expect(second.id).toBe(first.id);
      expect(second.amount).toEqual({ amount: '7.25', currency: 'EUR' });
      // the same request written differently (a blank note, no tags) is the same request
      const fourth = await createOk(owner, { ...input, note: '  ', tags: [] });
      expect(fourth.id).toBe(first.id);
      expect(await countKey(key)).toBe(1);
      const invariant = await assertLedgerInvariant(app, owner.familyId);
      expect(invariant.get(account)).toBe(-725n);
    });

    it('the same key with a different payload answers CONFLICT and writes nothing', async () => {
      const account = await createAccount(owner, { name: 'Conflict', type: 'CASH' });
      const other = await createAccount(owner, { name: 'Conflict 2', type: 'CASH' });
      const key = `chat:43:msg:${Date.now()}`;
      const input = {
        kind: 'EXPENSE',
        amount: '7.25',
        accountId: account,
        categoryId: category(owner, 'Groceries'),
        idempotencyKey: key,
      };
      const first = await createOk(owner, input);
      const before = await snapshot(owner.familyId);
      for (const change of [
        { amount: '99' },
        { accountId: other },
        { categoryId: category(owner, 'Taxi') },
        { note: 'another note' },
        { tags: ['x'] },
        { occurredOn: '2025-01-02' },
        { kind: 'INCOME', categoryId: category(owner, 'Salary') },
      ]) {
        expectError(await create(owner, { ...input, ...change }), 'CONFLICT', 'input.idempotencyKey');
      }
      expect(await snapshot(owner.familyId)).toEqual(before);
      expect(await countKey(key)).toBe(1);
      // the original request still answers the first transaction
      expect((await createOk(owner, input)).id).toBe(first.id);
      const invariant = await assertLedgerInvariant(app, owner.familyId);
      expect(invariant.get(account)).toBe(-725n);
      expect(invariant.get(other)).toBe(0n);
    });

    it('concurrent creates with one key and different payloads: one lands, the others answer CONFLICT', async () => {
      const account = await createAccount(owner, { name: 'Race 2', type: 'CASH' });
      const key = `race2-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          create(owner, { kind: 'EXPENSE', amount: `${i + 1}`, accountId: account, idempotencyKey: key }),
        ),
      );
      const landed = results.filter((r) => r.errors === undefined);
      expect(landed).toHaveLength(1);
      for (const result of results.filter((r) => r.errors !== undefined))
        expectError(result, 'CONFLICT', 'input.idempotencyKey');
      expect(await countKey(key)).toBe(1);
      const invariant = await assertLedgerInvariant(app, owner.familyId);
      expect(invariant.get(account)).toBe(
        -BigInt(landed[0]!.data!.createTransaction.amount.amount.replace('.', '')),
      );
    });

    it('ten concurrent creates with one key record one transaction', async () => {
      const account = await createAccount(owner, { name: 'Race', type: 'CASH' });
      const key = `race-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          create(owner, { kind: 'EXPENSE', amount: '3.10', accountId: account, idempotencyKey: key }),
        ),
      );
      for (const result of results) expect(result.errors, result.text).toBeUndefined();
      const ids = new Set(results.map((r) => r.data!.createTransaction.id));
      expect(ids.size).toBe(1);
      expect(await countKey(key)).toBe(1);
      const invariant = await assertLedgerInvariant(app, owner.familyId);
      expect(invariant.get(account)).toBe(-310n);
    });
  });

  describe('bad input writes nothing', () => {
    const note501 = 'n'.repeat(501);
    const cases: [string, (m: Member) => Record<string, unknown>, string][] = [
      [
        'an over-precise amount',
        (m) => ({ kind: 'EXPENSE', amount: '12.345', accountId: m.cashId }),
        'input.amount',
      ],
      ['a negative amount', (m) => ({ kind: 'EXPENSE', amount: '-5', accountId: m.cashId }), 'input.amount'],
      ['a zero amount', (m) => ({ kind: 'EXPENSE', amount: '0.00', accountId: m.cashId }), 'input.amount'],
      [
        'a category of the wrong kind',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, categoryId: category(m, 'Salary') }),
        'input.categoryId',
      ],
      [
        'an income in an expense category',
        (m) => ({ kind: 'INCOME', amount: '5', accountId: m.cashId, categoryId: category(m, 'Groceries') }),
        'input.categoryId',
      ],
      [
        'a transfer to the same account',
        (m) => ({ kind: 'TRANSFER', amount: '5', accountId: m.cashId, toAccountId: m.cashId }),
        'input.toAccountId',
      ],
      [
        'an impossible date',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, occurredOn: '2025-02-30' }),
        'input.occurredOn',
      ],
      [
        'a date that is not a date',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, occurredOn: '30.01.2025' }),
        'input.occurredOn',
      ],
      [
        'a note of 501 characters',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, note: note501 }),
        'input.note',
      ],
    ];
    const missing = '00000000-0000-4000-8000-000000000000';
    const notFoundCases: [string, (m: Member) => Record<string, unknown>, string][] = [
      [
        'an account that does not exist',
        () => ({ kind: 'EXPENSE', amount: '5', accountId: missing }),
        'input.accountId',
      ],
      [
        'a transfer to an account that does not exist',
        (m) => ({ kind: 'TRANSFER', amount: '5', accountId: m.cashId, toAccountId: missing }),
        'input.toAccountId',
      ],
      [
        'a category that does not exist',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, categoryId: missing }),
        'input.categoryId',
      ],
      [
        'a payer who does not exist',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, paidById: missing }),
        'input.paidById',
      ],
      [
        'an id that is not a UUID',
        (m) => ({ kind: 'EXPENSE', amount: '5', accountId: m.cashId, categoryId: 'not-an-id' }),
        'input.categoryId',
      ],
    ];

    it.each(notFoundCases)('%s -> NOT_FOUND naming the field', async (_label, input, field) => {
      const before = await snapshot(owner.familyId);
      expectError(await create(owner, input(owner)), 'NOT_FOUND', field);
      expect(await snapshot(owner.familyId)).toEqual(before);
    });

    it('a payer from another family -> NOT_FOUND naming input.paidById, on create and on update', async () => {
      const stranger = await setUp();
      const tx = await createOk(owner, { kind: 'EXPENSE', amount: '4', accountId: owner.cashId });
      const before = await snapshot(owner.familyId);
      expectError(
        await create(owner, {
          kind: 'EXPENSE',
          amount: '5',
          accountId: owner.cashId,
          paidById: stranger.userId,
        }),
        'NOT_FOUND',
        'input.paidById',
      );
      expectError(await update(owner, tx.id, { paidById: stranger.userId }), 'NOT_FOUND', 'input.paidById');
      expectError(await update(owner, tx.id, { categoryId: missing }), 'NOT_FOUND', 'input.categoryId');
      expect(await snapshot(owner.familyId)).toEqual(before);
    });

    it.each(cases)('%s -> BAD_USER_INPUT', async (_label, input, field) => {
      const before = await snapshot(owner.familyId);
      expectError(await create(owner, input(owner)), 'BAD_USER_INPUT', field);
      expect(await snapshot(owner.familyId)).toEqual(before);
      await assertLedgerInvariant(app, owner.familyId);
    });

    it('an unknown enum value is refused before anything runs, as a literal or a variable', async () => {
      const before = await snapshot(owner.familyId);
      const literal = await app.gql(
        `mutation { createTransaction(input: { kind: REFUND, amount: "5", accountId: "${owner.cashId}" }) { id } }`,
        {},
        { token: owner.token },
      );
      expect(literal.status).toBe(400);
      expectError(literal, 'GRAPHQL_VALIDATION_FAILED');
      expect(literal.errors![0]!.message).toContain('REFUND');
      const variable = await create(owner, { kind: 'REFUND', amount: '5', accountId: owner.cashId });
      expectError(variable, 'BAD_USER_INPUT');
      expect(variable.errors![0]!.message).toContain('input.kind');
      // a float where a Decimal string belongs is refused too, never rounded
      const float = await create(owner, { kind: 'EXPENSE', amount: 0.1, accountId: owner.cashId });
      expectError(float, 'BAD_USER_INPUT');
      expect(float.errors![0]!.message).toContain('input.amount');
      expect(await snapshot(owner.familyId)).toEqual(before);
    });

    it('a note of exactly 500 characters is accepted (the limit is not off by one)', async () => {
      const account = await createAccount(owner, { name: 'Notes', type: 'CASH' });
      const tx = await createOk(owner, {
        kind: 'EXPENSE',
        amount: '1',
        accountId: account,
        note: 'n'.repeat(500),
      });
      expect(tx.note).toHaveLength(500);
      await assertLedgerInvariant(app, owner.familyId);
    });

    it('a bad edit changes nothing', async () => {
      const tx = await createOk(owner, { kind: 'EXPENSE', amount: '4', accountId: owner.cashId });
      const before = await snapshot(owner.familyId);
      for (const [input, field] of [
        [{ amount: '4.001' }, 'input.amount'],
        [{ amount: '0' }, 'input.amount'],
        [{ occurredOn: '2025-13-01' }, 'input.occurredOn'],
        [{ note: note501 }, 'input.note'],
        [{ categoryId: category(owner, 'Bonus') }, 'input.categoryId'],
        [{ kind: 'TRANSFER' }, 'input.toAccountId'],
        [{ kind: 'TRANSFER', toAccountId: owner.cashId }, 'input.toAccountId'],
      ] as const) {
        expectError(await update(owner, tx.id, input), 'BAD_USER_INPUT', field);
      }
      expect(await snapshot(owner.familyId)).toEqual(before);
      await assertLedgerInvariant(app, owner.familyId);
    });
  });

  describe('roles (A3)', () => {
    let family: Member;
    let bank: string;
    let txId: string;

    const invite = async (by: Member, role: string) =>
      app.gql<{ createInvite: { code: string; invite: { role: string } } }>(
        CREATE_INVITE,
        { input: { familyId: family.familyId, role } },
        { token: by.token },
      );

    /** Registers a user who joins `family` with the given role; their own personal family stays theirs. */
    const join = async (role: string): Promise<Member> => {
      const code = ok(await invite(family, role)).createInvite.code;
      const user = await setUp();
      const joined = ok(
        await app.gql<{ joinFamily: { id: string; myRole: string } }>(JOIN, { code }, { token: user.token }),
      );
      expect(joined.joinFamily).toEqual({ id: family.familyId, myRole: role });
      return { ...user, familyId: family.familyId, cashId: family.cashId, categories: family.categories };
    };

    beforeAll(async () => {
      family = await setUp();
      bank = await createAccount(family, { name: 'Joint', type: 'CHECKING', openingBalance: '50' });
      txId = (await createOk(family, { kind: 'EXPENSE', amount: '9.99', accountId: bank })).id;
    });

    it('a viewer reads accounts and transactions but cannot write anything', async () => {
      const viewer = await join('VIEWER');
      const accounts = ok(
        await app.gql<{ accounts: Account[] }>(
          ACCOUNTS,
          { familyId: family.familyId },
          { token: viewer.token },
        ),
      ).accounts;
      expect(accounts.find((a) => a.id === bank)?.balance).toEqual({ amount: '40.01', currency: 'EUR' });
      const transactions = ok(
        await app.gql<{ transactions: { edges: { node: { id: string } }[] } }>(
          TRANSACTIONS,
          { familyId: family.familyId, first: 10 },
          { token: viewer.token },
        ),
      ).transactions;
      expect(transactions.edges.map((e) => e.node.id)).toContain(txId);

      const before = await snapshot(family.familyId);
      const attempts: [string, GqlResult<unknown>][] = [
        ['createTransaction', await create(viewer, { kind: 'EXPENSE', amount: '1', accountId: bank })],
        ['updateTransaction', await update(viewer, txId, { amount: '1' })],
        ['deleteTransaction', await app.gql(DELETE_TX, { id: txId }, { token: viewer.token })],
        [
          'updateAccount',
          await app.gql(
            UPDATE_ACCOUNT,
            { id: bank, input: { openingBalance: '1000' } },
            { token: viewer.token },
          ),
        ],
        [
          'createAccount',
          await app.gql(
            CREATE_ACCOUNT,
            { input: { familyId: family.familyId, name: 'Mine', type: 'CASH' } },
            { token: viewer.token },
          ),
        ],
        [
          'createCategory',
          await app.gql(
            CREATE_CATEGORY,
            { input: { familyId: family.familyId, kind: 'EXPENSE', name: 'Viewer stuff' } },
            { token: viewer.token },
          ),
        ],
        ['createInvite', await invite(viewer, 'MEMBER')],
      ];
      for (const [operation, result] of attempts) {
        expect({ operation, code: result.errors?.[0]?.extensions?.code }).toEqual({
          operation,
          code: 'FORBIDDEN',
        });
      }
      expect(await snapshot(family.familyId)).toEqual(before);
      await assertLedgerInvariant(app, family.familyId);
    });

    it('only owners and admins create invites', async () => {
      const member = await join('MEMBER');
      const before = await snapshot(family.familyId);
      expectError(await invite(member, 'VIEWER'), 'FORBIDDEN');
      expect(await snapshot(family.familyId)).toEqual(before);
      // a member still writes the ledger
      await createOk(member, { kind: 'EXPENSE', amount: '1', accountId: bank });
      await assertLedgerInvariant(app, family.familyId);

      const admin = await join('ADMIN');
      expect(ok(await invite(admin, 'MEMBER')).createInvite.invite.role).toBe('MEMBER');
      // nobody is invited straight in as an owner
      expectError(await invite(family, 'OWNER'), 'BAD_USER_INPUT', 'input.role');
    });

    it('the last owner can neither leave nor demote himself', async () => {
      const memberships = () =>
        app.sql(`select user_id, role from membership where family_id = $1 order by user_id`, [
          family.familyId,
        ]);
      const before = await memberships();
      expectError(await app.gql(LEAVE, { familyId: family.familyId }, { token: family.token }), 'CONFLICT');
      for (const role of ['ADMIN', 'MEMBER', 'VIEWER']) {
        expectError(
          await app.gql(
            CHANGE_ROLE,
            { familyId: family.familyId, userId: family.userId, role },
            { token: family.token },
          ),
          'CONFLICT',
        );
      }
      expect(await memberships()).toEqual(before);
      expect(before).toContainEqual({ user_id: family.userId, role: 'owner' });

      // alone in a family of his own
      const loner = await setUp();
      expectError(await app.gql(LEAVE, { familyId: loner.familyId }, { token: loner.token }), 'CONFLICT');
      expectError(
        await app.gql(
          CHANGE_ROLE,
          { familyId: loner.familyId, userId: loner.userId, role: 'MEMBER' },
          { token: loner.token },
        ),
        'CONFLICT',
      );
      const families = ok(
        await app.gql<{ families: { id: string; myRole: string }[] }>(FAMILIES, {}, { token: loner.token }),
      );
      expect(families.families).toEqual([{ id: loner.familyId, myRole: 'OWNER' }]);
    });
  });
});
