import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/auth.js';
import { financeHelpers, type Member, type TestFamily } from '../helpers/finance.js';

/** Issue 14 part 3: deleteAccount and deleteFamily (D1, D2 in SECURITY.md). Checks read the tables. */

const DELETE_ACCOUNT = `mutation($input: DeletionConfirmationInput!) { deleteAccount(input: $input) }`;
const DELETE_FAMILY = `mutation($f: ID!, $c: DeletionConfirmationInput!) { deleteFamily(familyId: $f, confirmation: $c) }`;
const CREATE_TX = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;
const ME = `query { me { id } }`;

describe('leaving', () => {
  let app: TestApp;
  const { ok, newFamily, addMember } = financeHelpers(() => app);
  const botKey = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, BOT_API_SECRET: botKey });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Every row naming `id` in any column that references app_user or family, from the catalog. */
  async function rowsReferencing(target: 'app_user' | 'family', id: string): Promise<string[]> {
    const columns = await app.sql<{ tbl: string; col: string }>(
      `select c.conrelid::regclass::text as tbl, quote_ident(a.attname) as col
         from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and c.confrelid = $1::regclass`,
      [target],
    );
    const found: string[] = [];
    for (const { tbl, col } of columns) {
      const [row] = await app.sql<{ n: string }>(`select count(*)::text as n from ${tbl} where ${col} = $1`, [
        id,
      ]);
      if (row!.n !== '0') found.push(`${tbl}.${col}`);
    }
    return found;
  }

  const spend = (family: TestFamily, who: Member, note: string) =>
    app
      .gql(
        CREATE_TX,
        { input: { kind: 'EXPENSE', amount: '4.00', accountId: family.cashId, note } },
        { token: who.token },
      )
      .then(ok);

  it('refuses a wrong password and writes nothing', async () => {
    const family = await newFamily();
    const wrong = await app.gql(
      DELETE_ACCOUNT,
      { input: { password: 'not my password 1' } },
      { token: family.token },
    );
    expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
    expect(wrong.errors?.[0]?.extensions?.field).toBe('input.password');
    const missing = await app.gql(DELETE_ACCOUNT, { input: {} }, { token: family.token });
    expect(codeOf(missing)).toBe('INVALID_CREDENTIALS');
    const wrongFamily = await app.gql(
      DELETE_FAMILY,
      { f: family.familyId, c: { password: 'nope nope nope' } },
      { token: family.token },
    );
    expect(codeOf(wrongFamily)).toBe('INVALID_CREDENTIALS');
    expect(wrongFamily.errors?.[0]?.extensions?.field).toBe('confirmation.password');
    expect(
      await app.sql('select 1 from app_user where id = $1 and deleted_at is null', [family.userId]),
    ).toHaveLength(1);
    expect(await app.sql('select 1 from family where id = $1', [family.familyId])).toHaveLength(1);
    ok(await app.gql(ME, {}, { token: family.token }));
  });

  it('deletes a user alone in their family: no row left anywhere, the session refused at once', async () => {
    const family = await newFamily();
    const other = await newFamily();
    await spend(family, family, 'mine');
    await spend(other, other, 'theirs');
    ok(await app.gql(DELETE_ACCOUNT, { input: { password: STRONG_PASSWORD } }, { token: family.token }));
    expect(await app.sql('select 1 from app_user where id = $1', [family.userId])).toEqual([]);
    expect(await rowsReferencing('app_user', family.userId)).toEqual([]);
    expect(await rowsReferencing('family', family.familyId)).toEqual([]);
    expect(await app.sql('select 1 from family where id = $1', [family.familyId])).toEqual([]);
    const after = await app.gql(ME, {}, { token: family.token });
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    // Another family is untouched.
    expect(
      await app.sql(`select note from ledger_transaction where family_id = $1`, [other.familyId]),
    ).toEqual([{ note: 'theirs' }]);
    ok(await app.gql(ME, {}, { token: other.token }));
  });

  it('anonymises a member whose transactions others still see, and ends their tokens', async () => {
    const family = await newFamily();
    const member = await addMember(family);
    await spend(family, member, 'paid by the leaver');
    const pat = ok(
      await app.gql<{ createAccessToken: { secret: string } }>(
        `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`,
        {
          input: {
            name: 'script',
            scopes: ['READ'],
            familyId: family.familyId,
            expiresAt: new Date(app.clock.now().getTime() + 86_400_000).toISOString(),
          },
        },
        { token: member.token },
      ),
    ).createAccessToken.secret;
    ok(await app.gql(`query { accounts { id } }`, {}, { token: pat }));
    ok(await app.gql(DELETE_ACCOUNT, { input: { password: STRONG_PASSWORD } }, { token: member.token }));
    expect(codeOf(await app.gql(ME, {}, { token: member.token }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(`query { accounts { id } }`, {}, { token: pat }))).toBe('UNAUTHENTICATED');
    const [row] = await app.sql(
      'select email, password_hash, telegram_id, first_name, last_name, deleted_at from app_user where id = $1',
      [member.userId],
    );
    expect(row).toMatchObject({
      email: null,
      password_hash: null,
      telegram_id: null,
      first_name: 'Deleted user',
      last_name: null,
    });
    expect(row!.deleted_at).not.toBeNull();
    // Only the shared ledger still names the user; sessions, memberships and tokens are gone.
    expect(await rowsReferencing('app_user', member.userId)).toEqual(
      expect.arrayContaining(['ledger_transaction.created_by_id', 'ledger_transaction.paid_by_id']),
    );
    expect(
      (await rowsReferencing('app_user', member.userId)).filter((r) => !r.startsWith('ledger_transaction.')),
    ).toEqual([]);
    // The remaining owner sees the transaction, paid by "Deleted user".
    const seen = ok(
      await app.gql<{ transactions: { edges: { node: { note: string; paidBy: { firstName: string } } }[] } }>(
        `query($f: ID) { transactions(familyId: $f) { edges { node { note paidBy { firstName } } } } }`,
        { f: family.familyId },
        { token: family.token },
      ),
    );
    expect(seen.transactions.edges.map((e) => e.node)).toEqual([
      { note: 'paid by the leaver', paidBy: { firstName: 'Deleted user' } },
    ]);
  });

  it('refuses the only owner of a family with other members, writing nothing', async () => {
    const family = await newFamily();
    await addMember(family);
    const refused = await app.gql(
      DELETE_ACCOUNT,
      { input: { password: STRONG_PASSWORD } },
      { token: family.token },
    );
    expect(codeOf(refused), refused.text).toBe('CONFLICT');
    ok(await app.gql(ME, {}, { token: family.token }));
    expect(await app.sql('select 1 from membership where family_id = $1', [family.familyId])).toHaveLength(2);
  });

  it('deletes a family for its owner only: its data gone, members stay, other families untouched', async () => {
    const family = await newFamily();
    const member = await addMember(family);
    const other = await newFamily();
    await spend(family, member, 'family spend');
    await spend(other, other, 'other spend');
    const byMember = await app.gql(
      DELETE_FAMILY,
      { f: family.familyId, c: { password: STRONG_PASSWORD } },
      { token: member.token },
    );
    expect(codeOf(byMember)).toBe('FORBIDDEN');
    const foreign = await app.gql(
      DELETE_FAMILY,
      { f: other.familyId, c: { password: STRONG_PASSWORD } },
      { token: family.token },
    );
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    ok(
      await app.gql(
        DELETE_FAMILY,
        { f: family.familyId, c: { password: STRONG_PASSWORD } },
        { token: family.token },
      ),
    );
    expect(await app.sql('select 1 from family where id = $1', [family.familyId])).toEqual([]);
    expect(await rowsReferencing('family', family.familyId)).toEqual([]);
    // The member's next request no longer sees the family (their caller was invalidated), and still works.
    const families = ok(
      await app.gql<{ families: { id: string }[] }>(`query { families { id } }`, {}, { token: member.token }),
    );
    expect(families.families.map((f) => f.id)).not.toContain(family.familyId);
    expect(
      await app.sql('select 1 from app_user where id = any($1::uuid[])', [[family.userId, member.userId]]),
    ).toHaveLength(2);
    expect(
      await app.sql(`select note from ledger_transaction where family_id = $1`, [other.familyId]),
    ).toEqual([{ note: 'other spend' }]);
  });

  it('confirms a Telegram-only account by a sign-in of the last 10 minutes', async () => {
    const telegramId = String(randomInt(1_000_000_000, 2 ** 47));
    const registered = ok(
      await app.gql<{ telegramRegister: { accessToken: string; user: { id: string } } }>(
        `mutation($input: TelegramRegisterInput!) { telegramRegister(input: $input) { accessToken user { id } } }`,
        { input: { telegramId, chatId: telegramId, firstName: 'Tina' } },
        { headers: { 'x-bot-key': botKey } },
      ),
    ).telegramRegister;
    app.clock.advance(11 * 60_000);
    const stale = await app.gql(DELETE_ACCOUNT, { input: {} }, { token: registered.accessToken });
    expect(codeOf(stale), stale.text).toBe('FORBIDDEN');
    expect(await app.sql('select 1 from app_user where id = $1', [registered.user.id])).toHaveLength(1);
    const fresh = ok(
      await app.gql<{ telegramLogin: { accessToken: string } }>(
        `mutation($id: ID!) { telegramLogin(telegramId: $id) { accessToken } }`,
        { id: telegramId },
        { headers: { 'x-bot-key': botKey } },
      ),
    ).telegramLogin;
    ok(await app.gql(DELETE_ACCOUNT, { input: {} }, { token: fresh.accessToken }));
    expect(await app.sql('select 1 from app_user where id = $1', [registered.user.id])).toEqual([]);
  });
});
