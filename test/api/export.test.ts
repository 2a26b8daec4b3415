import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/** Issue 14 part 2: exports over authenticated REST, read back through the real HTTP server (X1, X2). */

const CREATE_TX = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;
const CREATE_TOKEN = `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`;
const BULK = 3000;

/** RFC 4180, enough for what csv-stringify writes: quoted cells, doubled quotes, CRLF or LF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}

describe('exports', () => {
  let app: TestApp;
  const { ok, newFamily, newUser, addMember } = financeHelpers(() => app);
  let family: TestFamily;
  let other: TestFamily;

  const download = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    family = await newFamily();
    other = await newFamily();
    const record = (owner: TestFamily, input: Record<string, unknown>) =>
      app.gql(CREATE_TX, { input: { accountId: owner.cashId, ...input } }, { token: owner.token }).then(ok);
    // Cells a spreadsheet would take for formulas, through the API like any user's input.
    await record(family, {
      kind: 'EXPENSE',
      amount: '12.50',
      note: '=HYPERLINK("http://evil","x")',
      categoryId: family.category('Groceries'),
      occurredOn: '2026-11-30',
      tags: ['@home', '+1'],
    });
    await record(family, { kind: 'EXPENSE', amount: '3.00', note: '-5 apples', occurredOn: '2026-11-29' });
    await record(family, { kind: 'INCOME', amount: '2500.00', note: '+cash', occurredOn: '2026-11-28' });
    await record(other, { kind: 'EXPENSE', amount: '99.00', note: 'not yours', occurredOn: '2026-11-30' });
    // A few thousand more rows, written in one statement: the export's batching is what is under test,
    // not the write path (ledger.test.ts covers that).
    await app.sql(
      `insert into ledger_transaction (id, family_id, kind, occurred_on, amount, currency, account_id, note,
                                       created_by_id, paid_by_id, created_at, updated_at)
       select gen_random_uuid(), $1, 'expense', date '2026-01-01' + (i % 300), i, 'EUR', $2, 'bulk ' || i,
              $3, $3, now(), now()
         from generate_series(1, ${BULK}) i`,
      [family.familyId, family.cashId, family.userId],
    );
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('streams every transaction as CSV, newest first, and neutralises formula cells (X2)', async () => {
    const res = await download(`/export/transactions.csv?familyId=${family.familyId}`, bearer(family.token));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('transactions.csv');
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual([
      'date',
      'kind',
      'amount',
      'currency',
      'account',
      'to_amount',
      'to_currency',
      'to_account',
      'category',
      'note',
      'tags',
      'paid_by',
      'created_by',
      'id',
    ]);
    expect(rows).toHaveLength(BULK + 3);
    expect(new Set(rows.map((r) => r[13])).size, 'no row twice across batches').toBe(BULK + 3);
    const dates = rows.map((r) => r[0]!);
    expect(dates).toEqual([...dates].sort().reverse());
    const [first, second, third] = rows;
    expect(first!.slice(0, 5)).toEqual(['2026-11-30', 'expense', '12.50', 'EUR', 'Cash']);
    expect(first![8]).toBe('Groceries');
    expect(first![9]).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(first![10]).toBe(`'@home, +1`);
    expect(second![9]).toBe(`'-5 apples`);
    expect(third!.slice(1, 3)).toEqual(['income', '2500.00']);
    expect(third![9]).toBe(`'+cash`);
    // Amounts stay numbers a spreadsheet adds up: positive decimals, the kind says which way.
    for (const row of rows) expect(row[2]).toMatch(/^\d+\.\d{2}$/);
    expect(rows.some((r) => r[9] === 'not yours')).toBe(false);
    // No cell anywhere starts a formula.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('takes the filters of `transactions` as query parameters', async () => {
    const res = await download(
      `/export/transactions.csv?familyId=${family.familyId}&kinds=INCOME,EXPENSE&dateFrom=2026-11-29&amountMin=3`,
      bearer(family.token),
    );
    const rows = parseCsv(await res.text()).slice(1);
    expect(rows.map((r) => r[9])).toEqual([`'=HYPERLINK("http://evil","x")`, `'-5 apples`]);
    const bad = await download(
      `/export/transactions.csv?familyId=${family.familyId}&dateFrom=yesterday`,
      bearer(family.token),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'filter.dateFrom' } }],
    });
  });

  it('exports the whole family as versioned JSON that parses back, without secrets', async () => {
    const member = await addMember(family);
    const res = await download(`/export/family.json?familyId=${family.familyId}`, bearer(member.token));
    expect(res.status).toBe(200);
    const text = await res.text();
    const doc = JSON.parse(text) as Record<string, unknown> & {
      family: { id: string; base_currency: string };
      members: { user_id: string; role: string }[];
      transactions: { id: string; amount: string; note: string | null }[];
      accounts: { id: string; name: string; balance: string }[];
      categories: unknown[];
    };
    expect(doc).toMatchObject({ format: 'family-finance-export', version: 1 });
    expect(doc.family).toMatchObject({ id: family.familyId, base_currency: 'EUR' });
    expect(doc.members.map((m) => m.role).sort()).toEqual(['member', 'owner']);
    expect(doc.transactions).toHaveLength(BULK + 3);
    expect(doc.transactions.find((t) => t.note === '-5 apples')?.amount).toBe('300');
    expect(doc.accounts.map((a) => a.name)).toContain('Cash');
    expect(doc.categories.length).toBeGreaterThan(0);
    for (const key of [
      'exchangeRates',
      'budgets',
      'goals',
      'goalContributions',
      'schedules',
      'scheduleOccurrences',
    ])
      expect(Array.isArray(doc[key]), key).toBe(true);
    expect(text).not.toMatch(/password|email|telegram_id|not yours/);
  });

  it('needs a bearer credential of a member: another family is 404, none is 401 (X1)', async () => {
    for (const path of ['/export/transactions.csv', '/export/family.json']) {
      const foreign = await download(`${path}?familyId=${other.familyId}`, bearer(family.token));
      expect(foreign.status).toBe(404);
      expect(await foreign.json()).toMatchObject({
        errors: [{ extensions: { code: 'NOT_FOUND', field: 'familyId' } }],
      });
      expect((await download(`${path}?familyId=${randomUUID()}`, bearer(family.token))).status).toBe(404);
      expect((await download(`${path}?familyId=${family.familyId}`)).status).toBe(401);
      // A cookie is never a credential here: a cross-site page cannot make the browser download.
      const cookie = await download(`${path}?familyId=${family.familyId}`, {
        cookie: `ff_refresh=${family.token}`,
      });
      expect(cookie.status).toBe(401);
    }
  });

  it('lets a viewer export too: it shows nothing the API does not', async () => {
    const invite = ok(
      await app.gql<{ createInvite: { code: string } }>(
        `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
        { input: { familyId: family.familyId, role: 'VIEWER' } },
        { token: family.token },
      ),
    ).createInvite.code;
    const viewer = await newUser();
    ok(
      await app.gql(
        `mutation($code: String!) { joinFamily(code: $code) { id } }`,
        { code: invite },
        { token: viewer.token },
      ),
    );
    const res = await download(
      `/export/transactions.csv?familyId=${family.familyId}&kinds=INCOME`,
      bearer(viewer.token),
    );
    expect(res.status).toBe(200);
    expect(parseCsv(await res.text())).toHaveLength(2);
  });

  it('takes a personal access token with READ for its own family only', async () => {
    const token = async (scopes: string[], familyId = family.familyId) =>
      ok(
        await app.gql<{ createAccessToken: { secret: string } }>(
          CREATE_TOKEN,
          {
            input: {
              name: `export ${randomUUID()}`,
              scopes,
              familyId,
              expiresAt: new Date(app.clock.now().getTime() + 86_400_000).toISOString(),
            },
          },
          { token: familyId === family.familyId ? family.token : other.token },
        ),
      ).createAccessToken.secret;
    const read = await token(['READ']);
    const csv = await download(
      `/export/transactions.csv?familyId=${family.familyId}&kinds=INCOME`,
      bearer(read),
    );
    expect(csv.status).toBe(200);
    expect(parseCsv(await csv.text())).toHaveLength(2);
    expect(
      (await download(`/export/family.json`, bearer(read))).status,
      'the token family is the default',
    ).toBe(200);
    expect((await download(`/export/family.json?familyId=${other.familyId}`, bearer(read))).status).toBe(404);
    const writeOnly = await token(['WRITE']);
    expect(
      (await download(`/export/family.json?familyId=${family.familyId}`, bearer(writeOnly))).status,
    ).toBe(403);
  });
});
