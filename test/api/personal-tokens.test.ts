import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { getNamedType, isLeafType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessExtensions } from '../../src/graphql/access.js';
import { MINUTE } from '../../src/shared/clock.js';
import { createSchema } from '../../src/schema.js';
import { TRUSTED_LOOPBACK, startTestApp, type GqlResult, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/auth.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';

/** K1: personal access tokens. Each block names the SECURITY.md line it proves. */

const CREATE = `mutation($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { secret token { id name scopes familyId expiresAt revokedAt lastUsedAt lastUsedIp } }
}`;
const LIST = `query { accessTokens { id name scopes familyId createdAt expiresAt revokedAt lastUsedAt lastUsedIp } }`;
const REVOKE = `mutation($id: ID!) { revokeAccessToken(id: $id) }`;
const ACCOUNTS = `query($familyId: ID) { accounts(familyId: $familyId) { id name } }`;

interface Created {
  secret: string;
  token: { id: string; scopes: string[]; familyId: string; lastUsedAt: string | null };
}

/** A root field as an operation that passes validation: its arguments are variables, sent or not. */
function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  // Arguments with a default are left out: their default applies.
  const given = field.args.filter((arg) => arg.defaultValue === undefined);
  const variables = given.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
  const args = given.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return `${kind}${variables === '' ? '' : `(${variables})`} { ${field.name}${args === '' ? '' : `(${args})`}${selection} }`;
}

describe('personal access tokens (K1)', () => {
  let app: TestApp;
  let schema: GraphQLSchema;
  const { ok, newFamily } = financeHelpers(() => app);

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
    schema = await createSchema();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const expiresIn = (days: number) => new Date(app.clock.now().getTime() + days * 86_400_000).toISOString();

  async function createToken(owner: { token: string }, familyId: string, scopes: string[]): Promise<Created> {
    const input = { name: `token ${randomUUID()}`, scopes, familyId, expiresAt: expiresIn(30) };
    return ok(await app.gql<{ createAccessToken: Created }>(CREATE, { input }, { token: owner.token }))
      .createAccessToken;
  }

  it('shows the secret once, prefixed for scanners, and stores only its SHA-256', async () => {
    const family = await newFamily();
    const created = await createToken(family, family.familyId, ['READ']);
    expect(created.secret).toMatch(/^ffpat_[A-Za-z0-9_-]{43}$/);

    const [row] = await app.sql<Record<string, unknown>>(
      'select * from personal_access_token where id = $1',
      [created.token.id],
    );
    expect(row!.token_hash).toBe(createHash('sha256').update(created.secret).digest('hex'));
    // Not in any column, in any encoding the secret itself could take.
    const everything = await app.sql<{ text: string }>('select t::text as text from personal_access_token t');
    expect(everything.map((r) => r.text).join('\n')).not.toContain(created.secret.slice('ffpat_'.length));

    const listed = await app.gql(LIST, {}, { token: family.token });
    expect(listed.text).toContain(created.token.id);
    expect(listed.text).not.toContain(created.secret);
    expect(app.rawLogs()).not.toContain(created.secret);

    const used = await app.gql<{ accounts: { name: string }[] }>(ACCOUNTS, {}, { token: created.secret });
    expect(ok(used).accounts.map((a) => a.name)).toContain('Cash');
  });

  it('records when and from where a token was last used, at most once a minute', async () => {
    const family = await newFamily();
    const created = await createToken(family, family.familyId, ['READ']);
    const lastUsed = async () =>
      ok(
        await app.gql<{
          accessTokens: { id: string; lastUsedAt: string | null; lastUsedIp: string | null }[];
        }>(LIST, {}, { token: family.token }),
      ).accessTokens.find((t) => t.id === created.token.id)!;
    expect((await lastUsed()).lastUsedAt).toBeNull();

    const from = (ip: string) => ({ token: created.secret, headers: { 'x-forwarded-for': ip } });
    ok(await app.gql(ACCOUNTS, {}, from('198.51.100.7')));
    const first = await lastUsed();
    expect(first).toMatchObject({ lastUsedAt: app.clock.now().toISOString(), lastUsedIp: '198.51.100.7' });

    app.clock.advance(30_000);
    ok(await app.gql(ACCOUNTS, {}, from('198.51.100.8')));
    expect(await lastUsed(), 'within the minute: not written again').toEqual(first);

    app.clock.advance(MINUTE);
    ok(await app.gql(ACCOUNTS, {}, from('198.51.100.9')));
    expect(await lastUsed()).toMatchObject({
      lastUsedAt: app.clock.now().toISOString(),
      lastUsedIp: '198.51.100.9',
    });
  });

  it('refuses a revoked token on the very next request, and an expired one from its expiry on', async () => {
    const family = await newFamily();
    const revoked = await createToken(family, family.familyId, ['READ']);
    ok(await app.gql(ACCOUNTS, {}, { token: revoked.secret }));
    expect(ok(await app.gql(REVOKE, { id: revoked.token.id }, { token: family.token }))).toEqual({
      revokeAccessToken: revoked.token.id,
    });
    const afterRevoke = await app.gql(ACCOUNTS, {}, { token: revoked.secret });
    expect(afterRevoke.status).toBe(401);
    expect(codeOf(afterRevoke)).toBe('UNAUTHENTICATED');
    const [row] = await app.sql<{ revoked_at: Date | null }>(
      'select revoked_at from personal_access_token where id = $1',
      [revoked.token.id],
    );
    expect(row!.revoked_at).not.toBeNull();

    const expiring = ok(
      await app.gql<{ createAccessToken: Created }>(
        CREATE,
        {
          input: {
            name: 'short',
            scopes: ['READ'],
            familyId: family.familyId,
            expiresAt: new Date(app.clock.now().getTime() + 10 * MINUTE).toISOString(),
          },
        },
        { token: family.token },
      ),
    ).createAccessToken;
    ok(await app.gql(ACCOUNTS, {}, { token: expiring.secret }));
    app.clock.advance(10 * MINUTE - 1000);
    ok(await app.gql(ACCOUNTS, {}, { token: expiring.secret }));
    app.clock.advance(1000);
    const expired = await app.gql(ACCOUNTS, {}, { token: expiring.secret });
    expect(codeOf(expired)).toBe('UNAUTHENTICATED');
  });

  it("refuses another user's token id, and answers BAD_USER_INPUT naming the field for a bad input", async () => {
    const owner = await newFamily();
    const stranger = await newFamily();
    const token = await createToken(owner, owner.familyId, ['READ']);
    expect(codeOf(await app.gql(REVOKE, { id: token.token.id }, { token: stranger.token }))).toBe(
      'NOT_FOUND',
    );
    ok(await app.gql(ACCOUNTS, {}, { token: token.secret }));

    const bad = async (input: Record<string, unknown>, field: string) => {
      const result = await app.gql(
        CREATE,
        {
          input: { name: 'x', scopes: ['READ'], familyId: owner.familyId, expiresAt: expiresIn(1), ...input },
        },
        { token: owner.token },
      );
      expect(codeOf(result), result.text).toBe(field === 'input.familyId' ? 'NOT_FOUND' : 'BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field, result.text).toBe(field);
    };
    await bad({ name: ' ' }, 'input.name');
    await bad({ scopes: [] }, 'input.scopes');
    await bad({ expiresAt: new Date(app.clock.now().getTime() - 1000).toISOString() }, 'input.expiresAt');
    await bad({ expiresAt: expiresIn(367) }, 'input.expiresAt');
    await bad({ familyId: stranger.familyId }, 'input.familyId');
  });

  it('refuses a READ token on every mutation of the schema, before anything runs', async () => {
    const family = await newFamily();
    const read = await createToken(family, family.familyId, ['READ']);
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(40);
    const counts = async () =>
      (
        await app.sql<{ n: string }>(
          `select (select count(*) from account) + (select count(*) from ledger_transaction)
              + (select count(*) from category) + (select count(*) from personal_access_token)
              + (select count(*) from auth_session) + (select count(*) from membership) as n`,
        )
      )[0]!.n;
    const before = await counts();
    for (const field of mutations) {
      const result = await app.gql(operationFor('mutation', field), {}, { token: read.secret });
      expect(result.status, `${field.name}: ${result.text}`).toBe(403);
      expect(codeOf(result), `${field.name}: ${result.text}`).toBe('FORBIDDEN');
      expect(result.data ?? null, field.name).toBeNull();
    }
    expect(await counts()).toBe(before);

    // The same token reads, and a WRITE token may write: the refusals were about the scope.
    ok(await app.gql(ACCOUNTS, {}, { token: read.secret }));
    const write = await createToken(family, family.familyId, ['READ', 'WRITE']);
    ok(
      await app.gql(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
        { input: { name: 'By token', type: 'CASH' } },
        { token: write.secret },
      ),
    );
    const writeOnly = await createToken(family, family.familyId, ['WRITE']);
    expect(codeOf(await app.gql(ACCOUNTS, {}, { token: writeOnly.secret }))).toBe('FORBIDDEN');
  });

  it('refuses any token, whatever its scopes, on passwords, sessions, tokens, Telegram linking and other families', async () => {
    const family = await newFamily();
    const full = await createToken(family, family.familyId, ['READ', 'WRITE']);
    const marked = (['query', 'mutation'] as const).flatMap((kind) =>
      Object.values((kind === 'query' ? schema.getQueryType() : schema.getMutationType())!.getFields())
        .filter((field) => (field.extensions as AccessExtensions).noAccessTokens === true)
        .map((field) => ({ kind, field })),
    );
    expect(marked.map((m) => m.field.name).sort()).toEqual(
      [
        'accessTokens',
        'bindingCancel',
        'bindingConfirm',
        'bindingInfo',
        'changePassword',
        'createAccessToken',
        'createFamily',
        'deleteAccount',
        'deleteFamily',
        'joinFamily',
        'leaveFamily',
        'logout',
        'refreshToken',
        'revokeAccessToken',
        'revokeSession',
        'sessions',
        'setDefaultFamily',
        'setEmailPassword',
        'unlinkTelegram',
      ].sort(),
    );
    for (const { kind, field } of marked) {
      const result = await app.gql(operationFor(kind, field), {}, { token: full.secret });
      expect(result.status, `${field.name}: ${result.text}`).toBe(403);
      expect(codeOf(result), `${field.name}: ${result.text}`).toBe('FORBIDDEN');
    }
    // Nor leave by removing themselves as a member.
    const leaving = await app.gql(
      `mutation($f: ID!, $u: ID!) { removeMember(familyId: $f, userId: $u) }`,
      { f: family.familyId, u: family.userId },
      { token: full.secret },
    );
    expect(codeOf(leaving), leaving.text).toBe('FORBIDDEN');
    const [member] = await app.sql('select 1 from membership where family_id = $1 and user_id = $2', [
      family.familyId,
      family.userId,
    ]);
    expect(member).toBeDefined();
    // The token's owner signed in as themselves may.
    ok(await app.gql(LIST, {}, { token: family.token }));
  });

  describe('a token bound to family A, whose owner also belongs to family B', () => {
    let a: TestFamily;
    let b: TestFamily;
    let secret: string;

    beforeAll(async () => {
      a = await newFamily();
      b = await newFamily();
      const invite = ok(
        await app.gql<{ createInvite: { code: string } }>(
          `mutation($input: CreateInviteInput!) { createInvite(input: $input) { code } }`,
          { input: { familyId: b.familyId, role: 'ADMIN' } },
          { token: b.token },
        ),
      );
      // Joining makes B the owner's default family: the token must still reach A only.
      ok(
        await app.gql(`mutation($code: String!) { joinFamily(code: $code) { id } }`, invite.createInvite, a),
      );
      secret = (await createToken(a, a.familyId, ['READ', 'WRITE'])).secret;
    });

    it("sees A only: families, the default family, every query's familyId", async () => {
      const seen = ok(
        await app.gql<{ families: { id: string }[]; me: { defaultFamily: { id: string } } }>(
          `query { families { id } me { defaultFamily { id } } }`,
          {},
          { token: secret },
        ),
      );
      expect(seen.families.map((f) => f.id)).toEqual([a.familyId]);
      expect(seen.me.defaultFamily.id).toBe(a.familyId);
      // The owner, signed in, does reach B: what the token is refused is B, not a missing membership.
      const asUser = ok(await app.gql<{ families: { id: string }[] }>(`query { families { id } }`, {}, a));
      expect(asUser.families.map((f) => f.id).sort()).toEqual([a.familyId, b.familyId].sort());

      const withFamily = Object.values(schema.getQueryType()!.getFields()).filter((field) =>
        field.args.some((arg) => arg.name === 'familyId'),
      );
      expect(withFamily.length).toBeGreaterThan(5);
      for (const field of withFamily) {
        const onB = await app.gql(operationFor('query', field), { familyId: b.familyId }, { token: secret });
        expect(codeOf(onB), `${field.name}: ${onB.text}`).toBe('NOT_FOUND');
        expect(onB.text).not.toContain(b.cashId);
        const onA = await app.gql(operationFor('query', field), { familyId: a.familyId }, { token: secret });
        expect(onA.errors, `${field.name}: ${onA.text}`).toBeUndefined();
      }
    });

    it("cannot read or write B's objects by id", async () => {
      const byId = await app.gql(
        `query($id: ID!) { account(id: $id) { id } }`,
        { id: b.cashId },
        { token: secret },
      );
      expect(codeOf(byId)).toBe('NOT_FOUND');
      const expense = (accountId: string, familyId?: string) =>
        app.gql(
          `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`,
          { input: { kind: 'EXPENSE', amount: '1.00', accountId, ...(familyId && { familyId }) } },
          { token: secret },
        );
      const intoB = await expense(b.cashId);
      expect(codeOf(intoB), intoB.text).toBe('NOT_FOUND');
      const renameB = await app.gql(
        `mutation($id: ID!) { updateFamily(id: $id, input: { name: "taken" }) { id } }`,
        { id: b.familyId },
        { token: secret },
      );
      expect(codeOf(renameB)).toBe('NOT_FOUND');
      const rows = await app.sql<{ n: string }>(
        `select count(*) as n from ledger_transaction where family_id = $1`,
        [b.familyId],
      );
      expect(rows[0]!.n).toBe('0');
      const [family] = await app.sql<{ name: string }>('select name from family where id = $1', [b.familyId]);
      expect(family!.name).not.toBe('taken');
      expect(codeOf(await expense(a.cashId))).toBeUndefined();
    });

    it("follows its owner's role in its family at request time", async () => {
      const tokenInB = (await createToken(a, b.familyId, ['READ', 'WRITE'])).secret;
      const create = () =>
        app.gql(
          `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
          { input: { name: `acc ${randomUUID()}`, type: 'CASH' } },
          { token: tokenInB },
        );
      ok(await create());
      ok(
        await app.gql(
          `mutation($f: ID!, $u: ID!) { changeMemberRole(familyId: $f, userId: $u, role: VIEWER) { role } }`,
          { f: b.familyId, u: a.userId },
          { token: b.token },
        ),
      );
      expect(codeOf(await create())).toBe('FORBIDDEN');
      ok(
        await app.gql(
          `mutation($f: ID!, $u: ID!) { removeMember(familyId: $f, userId: $u) }`,
          { f: b.familyId, u: a.userId },
          { token: b.token },
        ),
      );
      expect(codeOf(await app.gql(ACCOUNTS, {}, { token: tokenInB }))).toBe('UNAUTHENTICATED');
    });
  });
});

describe('personal access tokens across replicas and under their rate limit', () => {
  let first: TestApp;
  let second: TestApp;
  const { ok, newFamily } = financeHelpers(() => first);

  beforeAll(async () => {
    const shared = {
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
      REDIS_KEY_PREFIX: `fftest:${randomUUID()}:`,
      ACCESS_TOKEN_RATE_LIMIT: '5',
    };
    first = await startTestApp(shared);
    second = await startTestApp({ ...shared, JWT_SECRET: first.config.jwt.secret });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  async function tokenOf(family: TestFamily): Promise<Created> {
    const input = {
      name: 'replicas',
      scopes: ['READ'],
      familyId: family.familyId,
      expiresAt: new Date(first.clock.now().getTime() + 86_400_000).toISOString(),
    };
    return ok(await first.gql<{ createAccessToken: Created }>(CREATE, { input }, family)).createAccessToken;
  }

  it('a token revoked on one replica is refused on the other at once, though the other remembered it', async () => {
    const family = await newFamily();
    const created = await tokenOf(family);
    ok(await second.gql(ACCOUNTS, {}, { token: created.secret }));
    ok(await second.gql(ACCOUNTS, {}, { token: created.secret }));
    ok(await first.gql(REVOKE, { id: created.token.id }, family));
    expect(codeOf(await second.gql(ACCOUNTS, {}, { token: created.secret }))).toBe('UNAUTHENTICATED');
  });

  it('counts every request of a token against its limit, on every replica, and says what is left', async () => {
    const family = await newFamily();
    const { secret } = await tokenOf(family);
    const remaining: unknown[] = [];
    for (const app of [first, second, first, second, first]) {
      const result: GqlResult<unknown> & { extensions?: unknown } = await app.gql(
        ACCOUNTS,
        {},
        { token: secret },
      );
      ok(result);
      remaining.push(
        (JSON.parse(result.text) as { extensions?: { rateLimit?: { remaining: number } } }).extensions
          ?.rateLimit?.remaining,
      );
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const over = await second.gql(ACCOUNTS, {}, { token: secret });
    expect(over.status).toBe(429);
    expect(codeOf(over)).toBe('TOO_MANY_REQUESTS');
    // Another token of the same user has a limit of its own.
    ok(await first.gql(ACCOUNTS, {}, { token: (await tokenOf(family)).secret }));
  });
});
