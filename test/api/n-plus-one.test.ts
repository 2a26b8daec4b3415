import type { LogContext } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';

/**
 * Nested fields of a transaction page (account, category, createdBy, paidBy) come joined into the page's
 * one statement (src/modules/transaction/transaction.read.ts): the number of SQL statements a page costs
 * is small and does not grow with the page size. The statements are counted where MikroORM hands each one to the driver: every
 * statement it executes (selects, writes, begin/commit) is reported to its logger's `logQuery` with the
 * SQL text and the number of rows, and the test listens there on the running app's ORM.
 */

const PAGE = `query Page($first: Int) {
  transactions(first: $first) {
    edges { node { id account { name } category { name } createdBy { firstName } paidBy { firstName } } }
  }
}`;

const PAGE_WITH_MORE = `query Page($first: Int) {
  transactions(first: $first) {
    edges {
      node {
        id kind amount { amount currency } toAmount { amount currency }
        account { name balance { amount } } toAccount { name } category { name parentId }
        createdBy { firstName } paidBy { firstName }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Statement {
  sql: string;
  params: readonly unknown[];
  rows: number | undefined;
}

interface PageResult {
  transactions: {
    edges: {
      node: {
        id: string;
        account: { name: string };
        category: { name: string } | null;
        createdBy: { firstName: string };
        paidBy: { firstName: string };
      };
    }[];
  };
}

describe('a page of transactions costs a fixed number of SQL statements', () => {
  let app: TestApp;
  let token: string;
  let recording: Statement[] | undefined;

  /** Runs one request and returns every statement the app sent to PostgreSQL while serving it. */
  const measure = async (query: string, first: number) => {
    recording = [];
    const result = await app.gql<PageResult>(query, { first }, { token });
    const statements = recording;
    recording = undefined;
    expect(result.errors, result.text).toBeUndefined();
    return { edges: result.data!.transactions.edges, statements };
  };

  /** The statements that read `table`, as their main table or joined. */
  const reading = (statements: Statement[], table: string) =>
    statements.filter((s) => new RegExp(`\\b(from|join) "?${table}"?\\s`, 'i').test(s.sql));

  beforeAll(async () => {
    app = await startTestApp();
    // The budget-alert worker polls on its own clock; its statement must not land among a request's.
    await app.deps.budgetAlerts.stop();
    const logger = app.deps.orm.config.getLogger();
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (context: LogContext) => {
      recording?.push({ sql: context.query ?? '', params: context.params ?? [], rows: context.results });
      logQuery(context);
    };

    const owner = await registerUser(app);
    token = owner.accessToken;
    const setup = await app.gql<{
      families: { id: string }[];
      accounts: { id: string }[];
      categories: { id: string; name: string }[];
    }>(`query { families { id } accounts { id } categories { id name } }`, {}, { token });
    expect(setup.errors, setup.text).toBeUndefined();
    const familyId = setup.data!.families[0]!.id;
    const category = new Map(setup.data!.categories.map((c) => [c.name, c.id]));
    const accounts = [setup.data!.accounts[0]!.id];
    for (const name of ['Bank', 'Card']) {
      const created = await app.gql<{ createAccount: { id: string } }>(
        `mutation Create($name: String!) { createAccount(input: { name: $name, type: CHECKING }) { id } }`,
        { name },
        { token },
      );
      expect(created.errors, created.text).toBeUndefined();
      accounts.push(created.data!.createAccount.id);
    }

    // a second member who records and pays for some of them
    const invite = await app.gql<{ createInvite: { code: string } }>(
      `mutation Invite($familyId: ID!) { createInvite(input: { familyId: $familyId, role: MEMBER }) { code } }`,
      { familyId },
      { token },
    );
    const partner = await registerUser(app);
    const joined = await app.gql(
      `mutation Join($code: String!) { joinFamily(code: $code) { id } }`,
      { code: invite.data!.createInvite.code },
      { token: partner.accessToken },
    );
    expect(joined.errors, joined.text).toBeUndefined();

    const kinds: { kind: string; categoryId?: string }[] = [
      { kind: 'EXPENSE', categoryId: category.get('Groceries')! },
      { kind: 'EXPENSE', categoryId: category.get('Eating out')! },
      { kind: 'EXPENSE', categoryId: category.get('Fuel')! },
      { kind: 'EXPENSE', categoryId: category.get('Housing')! },
      { kind: 'INCOME', categoryId: category.get('Salary')! },
      { kind: 'EXPENSE' },
      { kind: 'TRANSFER' },
    ];
    for (let batch = 0; batch < 5; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const i = batch * 10 + j;
          const shape = kinds[i % kinds.length]!;
          const account = accounts[i % 3]!;
          return app.gql(
            `mutation Create($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
            {
              input: {
                ...shape,
                amount: `${i + 1}.25`,
                accountId: account,
                ...(shape.kind === 'TRANSFER' && { toAccountId: accounts[(i + 1) % 3] }),
                paidById: i % 2 === 0 ? owner.user.id : partner.user.id,
              },
            },
            { token: i % 3 === 0 ? partner.accessToken : token },
          );
        }),
      );
      for (const result of results) expect(result.errors, result.text).toBeUndefined();
    }
  });
  afterAll(() => app.stop());

  it('counts the statements a request really sends', async () => {
    const { statements } = await measure(PAGE, 5);
    // the page itself: one select on the ledger, returning the page plus one row to know there is more
    const ledger = reading(statements, 'ledger_transaction');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.rows).toBe(6);
    expect(ledger[0]!.sql).toMatch(/ limit \?$/i);
    expect(ledger[0]!.params.at(-1)).toBe(6);
  });

  it('is bounded, batches every nested type, and does not grow from 10 to 50 rows', async () => {
    const small = await measure(PAGE, 10);
    const large = await measure(PAGE, 50);
    expect(small.edges).toHaveLength(10);
    expect(large.edges).toHaveLength(50);

    // every nested field resolved, across 3 accounts, several categories and both members
    const nodes = large.edges.map((e) => e.node);
    expect(new Set(nodes.map((n) => n.account.name))).toEqual(new Set(['Cash', 'Bank', 'Card']));
    expect(new Set(nodes.map((n) => n.category?.name ?? null)).size).toBeGreaterThanOrEqual(5);
    expect(nodes.every((n) => n.createdBy.firstName === 'Test' && n.paidBy.firstName === 'Test')).toBe(true);

    for (const { statements } of [small, large]) {
      // The caller's memberships and default family, then the page with its nested rows joined in.
      expect(statements.length, statements.map((s) => s.sql).join('\n')).toBeLessThanOrEqual(3);
      const page = reading(statements, 'ledger_transaction');
      expect(page).toHaveLength(1);
      // the one other statement is the caller's: memberships and default family
      const others = statements.filter((s) => s !== page[0]);
      expect(others.every((s) => reading([s], 'membership').length === 1)).toBe(true);
      for (const table of ['account', 'category', 'app_user']) {
        expect(page[0]!.sql).toMatch(new RegExp(`join "?${table}"?\\s`));
      }
      // nothing else reads accounts or categories
      for (const table of ['account', 'category']) expect(reading(others, table)).toHaveLength(0);
    }
    // the same statements for 10 and for 50 rows
    expect(large.statements.map((s) => s.sql)).toEqual(small.statements.map((s) => s.sql));
  });

  it('joins only the related objects the query selects, through fragments and aliases too', async () => {
    const bare = await measure(
      `query Page($first: Int) { transactions(first: $first) { edges { node { id } } } }`,
      5,
    );
    const [barePage] = reading(bare.statements, 'ledger_transaction');
    expect(barePage!.sql).not.toMatch(/\bjoin\b/i);

    const viaFragment = await measure(
      `query Page($first: Int) { transactions(first: $first) { edges { node { ...Who } } } }
       fragment Who on Transaction { id payer: paidBy { firstName } }`,
      5,
    );
    const [page] = reading(viaFragment.statements, 'ledger_transaction');
    expect(page!.sql).toMatch(/join "?app_user"?\s/);
    expect(page!.sql).not.toMatch(/join "?(account|category)"?\s/);
    const nodes = viaFragment.edges.map((e) => e.node as unknown as { payer: { firstName: string } });
    expect(nodes.map((n) => n.payer.firstName)).toEqual(Array(5).fill('Test'));
  });

  it('stays flat with every nested field of the page selected', async () => {
    const counts = new Set<number>();
    for (const first of [5, 10, 25, 50]) {
      const { statements } = await measure(PAGE_WITH_MORE, first);
      expect(statements.length).toBeLessThanOrEqual(3);
      counts.add(statements.length);
    }
    expect(counts.size).toBe(1);
  });
});
