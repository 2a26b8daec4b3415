import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DOCUMENT } from '../../src/graphql/sandbox.js';
import { createSchema } from '../../src/schema.js';
import { TRUSTED_LOOPBACK, fromFreshClient, startTestApp, type TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/auth.js';

/**
 * docs/integrators.md works as written: every operation in it (GraphQL blocks and the curl bodies) fits
 * the schema, the five-minute path runs with the doc's own operations, and the Sandbox opens with the
 * examples the doc promises.
 */
const DOC = readFileSync(new URL('../../docs/integrators.md', import.meta.url), 'utf8');

const graphqlBlocks = [...DOC.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** The `query` of each curl body, as the shell hands it over (`\$` and `\"` unescaped). */
const curlQueries = [...DOC.matchAll(/\\?"query\\?": \\?"(.*?)\\?"(?:,|\s*})/g)].map((m) =>
  m[1]!.replaceAll('\\$', '$'),
);
const operationNamed = (name: string) => {
  const query = curlQueries.find((q) => new RegExp(`^(query|mutation) ${name}\\b`).test(q));
  if (query === undefined) throw new Error(`docs/integrators.md has no curl operation ${name}`);
  return query;
};

describe('docs/integrators.md', () => {
  let schema: GraphQLSchema;
  let app: TestApp;

  beforeAll(async () => {
    schema = await createSchema();
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('has only operations that fit the schema, and so has the Sandbox', () => {
    expect(graphqlBlocks.length).toBeGreaterThanOrEqual(3);
    expect(curlQueries.length).toBeGreaterThanOrEqual(4);
    for (const source of [...graphqlBlocks, ...curlQueries, SANDBOX_DOCUMENT]) {
      expect(
        validate(schema, parse(source)).map((e) => e.message),
        source,
      ).toEqual([]);
    }
  });

  it("takes an integrator from a password to a first query with a token, with the doc's own operations", async () => {
    const user = await registerUser(app, {}, fromFreshClient());
    const signIn = await app.gql<{ login: { accessToken: string } }>(
      operationNamed('SignIn'),
      { input: { email: user.email, password: user.password } },
      fromFreshClient(),
    );
    const access = signIn.data!.login.accessToken;
    const families = await app.gql<{ families: { id: string }[] }>(
      operationNamed('MyFamilies'),
      {},
      { token: access },
    );
    const created = await app.gql<{ createAccessToken: { secret: string; token: { scopes: string[] } } }>(
      operationNamed('CreateToken'),
      {
        input: {
          name: 'Spreadsheet sync',
          scopes: ['READ'],
          familyId: families.data!.families[0]!.id,
          expiresAt: new Date(app.clock.now().getTime() + 30 * 86_400_000).toISOString(),
        },
      },
      { token: access },
    );
    const { secret } = created.data!.createAccessToken;
    expect(secret).toMatch(/^ffpat_/);
    const first = await app.gql<{ accounts: { name: string }[] }>(
      operationNamed('Accounts'),
      {},
      { token: secret },
    );
    expect(first.errors, first.text).toBeUndefined();
    expect(first.data!.accounts.map((a) => a.name)).toContain('Cash');
    const { extensions } = JSON.parse(first.text) as { extensions: Record<string, Record<string, number>> };
    expect(Object.keys(extensions!).sort()).toEqual(['cost', 'rateLimit']);
    expect(Object.keys(extensions!.rateLimit!).sort()).toEqual(['limit', 'remaining', 'resetInSeconds']);
  });

  it('opens Apollo Sandbox with the example operations and the token header', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    for (const operation of ['query Accounts', 'query Transactions', 'mutation CreateExpense'])
      expect(SANDBOX_DOCUMENT).toContain(operation);
    expect(html).toContain(JSON.stringify(SANDBOX_DOCUMENT).slice(1, 60));
    expect(html).toContain('"Authorization":"Bearer ffpat_paste-your-token-here"');
  });
});
