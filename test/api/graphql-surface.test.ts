import * as graphql from 'graphql';
import type { GraphQLField, GraphQLInputType, GraphQLObjectType, GraphQLScalarType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccessExtensions } from '../../src/graphql/access.js';
import { createSchema } from '../../src/schema.js';
import {
  STRONG_PASSWORD,
  createScratchDatabase,
  startTestApp,
  uniqueEmail,
  type TestApp,
} from '../helpers/app.js';
import { codeOf, login, registerUser } from '../helpers/auth.js';

interface HttpResult {
  status: number;
  contentType: string;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: GqlError[] } | undefined;
}
interface GqlError {
  message: string;
  extensions?: Record<string, unknown>;
}

async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: HttpResult['json'];
  try {
    json = JSON.parse(text) as HttpResult['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

const postJson = (app: TestApp, body: unknown, headers: Record<string, string> = {}) =>
  http(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const firstCode = (result: HttpResult) => result.json?.errors?.[0]?.extensions?.code;
const firstMessage = (result: HttpResult) => result.json?.errors?.[0]?.message ?? '';

/** Tokens as graphql-js and armor count them: every lexical token except <EOF>; comments and commas are not tokens. */
function countTokens(document: string): number {
  const lexer = new graphql.Lexer(new graphql.Source(document));
  let count = 0;
  while (lexer.advance().kind !== graphql.TokenKind.EOF) count++;
  return count;
}

const INTROSPECTION = '{ __schema { queryType { name } } }';

const userCount = async (app: TestApp, email: string) =>
  Number(
    (
      await app.sql<{ n: string }>('select count(*) as n from app_user where email = $1', [
        email.toLowerCase(),
      ])
    )[0]!.n,
  );

const REGISTER_LITERAL = (email: string) =>
  `register(input: { email: "${email}", password: "${STRONG_PASSWORD}", firstName: "Batch" }) { accessToken }`;

describe('GraphQL surface (SECURITY.md G1-G6, L5, A1)', () => {
  let app: TestApp;
  let prod: TestApp;
  beforeAll(async () => {
    [app, prod] = await Promise.all([startTestApp(), startTestApp({ NODE_ENV: 'production' })]);
  });
  afterAll(async () => {
    await Promise.all([app?.stop(), prod?.stop()]);
  });

  it('G1: introspection and the Sandbox landing page follow config (on outside production, off in production unless enabled)', async () => {
    // NODE_ENV 'test' behaves like development: introspection on, landing page served.
    const devIntrospection = await app.gql<{ __schema: { queryType: { name: string } } }>(INTROSPECTION);
    expect(devIntrospection.status).toBe(200);
    expect(devIntrospection.errors).toBeUndefined();
    expect(devIntrospection.data?.__schema.queryType.name).toBe('Query');
    const devLanding = await http(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(devLanding.status).toBe(200);
    expect(devLanding.contentType).toMatch(/^text\/html/);
    expect(devLanding.text).toMatch(/<!DOCTYPE html>/i);
    expect(devLanding.text.toLowerCase()).toContain('sandbox');

    // Production: both __schema and __type refused, no landing page.
    for (const query of [INTROSPECTION, '{ __type(name: "Query") { name } }']) {
      const refused = await prod.gql(query);
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(refused.data ?? null).toBeNull();
      expect(refused.text).not.toContain('"queryType"');
    }
    const prodLanding = await http(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(prodLanding.contentType).not.toMatch(/text\/html/);
    expect(prodLanding.text).not.toMatch(/<!DOCTYPE html>|<html/i);
    expect(prodLanding.text.toLowerCase()).not.toContain('sandbox');
    // The ordinary API still works there.
    expect((await prod.gql<{ health: boolean }>('{ health }')).data?.health).toBe(true);

    // Production with introspection explicitly enabled.
    const enabled = await startTestApp({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
    try {
      const result = await enabled.gql<{ __schema: { queryType: { name: string } } }>(INTROSPECTION);
      expect(result.status).toBe(200);
      expect(result.errors).toBeUndefined();
      expect(result.data?.__schema.queryType.name).toBe('Query');
    } finally {
      await enabled.stop();
    }
  });

  it('G2: no "Did you mean" suggestions in production errors (and the switch is real: test mode has them)', async () => {
    const query = '{ me { emial } }';
    const production = await prod.gql(query);
    expect(production.status).toBe(400);
    expect(codeOf(production)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(production.errors?.[0]?.message).toContain('emial');
    expect(production.text).not.toMatch(/did you mean/i);

    const development = await app.gql(query);
    expect(codeOf(development)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(development.errors?.[0]?.message).toMatch(/Did you mean "email"\?/);

    // Suggestions for arguments and input fields are hidden too.
    const argument = await prod.gql(
      'mutation { login(input: { emial: "a@b.cd", password: "x" }) { accessToken } }',
    );
    expect(codeOf(argument)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(argument.text).not.toMatch(/did you mean/i);
  });

  it('G3: a real fault answers INTERNAL_SERVER_ERROR with a request id, no SQL or stack, and the cause is logged', async () => {
    const scratch = await createScratchDatabase();
    try {
      const faulty = await startTestApp({ DATABASE_URL: scratch.url });
      try {
        await faulty.sql('drop table app_user cascade');
        const email = uniqueEmail('g3');
        const result = await login(faulty, email, STRONG_PASSWORD);

        expect(result.errors).toHaveLength(1);
        const error = result.errors![0]!;
        expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(error.message).toBe('Internal server error.');
        const requestId = error.extensions?.requestId;
        expect(typeof requestId).toBe('string');
        expect(requestId).toBe(result.headers.get('x-request-id'));
        expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code', 'requestId']);

        const body = result.text.toLowerCase();
        for (const leak of [
          'app_user',
          'select',
          'relation',
          'stacktrace',
          'exception',
          'node_modules',
          '.ts:',
        ]) {
          expect(body, `response leaks "${leak}": ${result.text}`).not.toContain(leak);
        }
        expect(result.text).not.toMatch(/\bat\s+\S+\s+\(|\bat\s+(?:file:|\/)|\n\s+at\s/);

        const logged = await vi.waitFor(() => {
          const line = faulty.logs.find((l) => l.requestId === requestId && Number(l.level) >= 50);
          if (line === undefined) throw new Error('no error log line yet');
          return line;
        });
        const cause = JSON.stringify(logged);
        expect(cause).toContain('app_user');
        expect(cause).toMatch(/does not exist/);
        // The driver's message embeds the SQL with its bound values; the log keeps PostgreSQL's own words.
        expect(faulty.rawLogs()).not.toContain(email);
      } finally {
        await faulty.stop();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('G4: CSRF prevention stays on: text/plain POST -> 400, mutation over GET -> 405, GET without preflight -> 400', async () => {
    const email = uniqueEmail('csrf');
    const textPlain = await http(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: `mutation { ${REGISTER_LITERAL(email)} }` }),
    });
    expect(textPlain.status).toBe(400);
    expect(textPlain.text).toMatch(/CSRF/);
    expect(await userCount(app, email)).toBe(0);

    const mutationOverGet = await http(`${app.url}/graphql?query=${encodeURIComponent('mutation{logout}')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(mutationOverGet.status).toBe(405);
    expect(firstMessage(mutationOverGet)).toMatch(/GET requests only support query operations/);

    const getWithoutPreflight = await http(`${app.url}/graphql?query=${encodeURIComponent('{health}')}`);
    expect(getWithoutPreflight.status).toBe(400);
    expect(getWithoutPreflight.text).toMatch(/CSRF/);
    expect(getWithoutPreflight.json?.data ?? null).toBeNull();
  });

  it('G5: depth 8, aliases 15, tokens 2000 and cost 5000 pass at the limit and fail one over', async () => {
    const expectPasses = (result: HttpResult, what: string) => {
      expect(result.status, `${what}: ${result.text.slice(0, 300)}`).toBe(200);
      expect(result.json?.errors, what).toBeUndefined();
      expect(result.json?.data, what).toBeTruthy();
    };
    const expectValidationFailure = (result: HttpResult, pattern: RegExp) => {
      expect(result.status).toBe(400);
      expect(firstCode(result)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(firstMessage(result)).toMatch(pattern);
      expect(result.json?.data ?? null).toBeNull();
    };

    // Depth. The data schema is shallower than 8, but `__type` is not exempt from the depth rule (only
    // `__schema` is), so `ofType` chains reach any depth over HTTP. Depth = nesting of the innermost field.
    const ofTypeChain = (levels: number) => {
      let inner = 'name';
      for (let i = 0; i < levels; i++) inner = `ofType { ${inner} }`;
      return inner;
    };
    // __type(1) fields(2) type(3) ofType x n (4..3+n) name(4+n)
    const depthQuery = (depth: number) =>
      `{ __type(name: "Query") { fields { type { ${ofTypeChain(depth - 4)} } } } }`;
    expectPasses(await postJson(app, { query: depthQuery(8) }), 'depth 8');
    expectValidationFailure(
      await postJson(app, { query: depthQuery(9) }),
      /depth limit of 8 exceeded, found 9/,
    );
    // Fragments are flattened, not a way around the limit.
    const viaFragment = (depth: number) =>
      `{ __type(name: "Query") { ...F } } fragment F on __Type { fields { type { ${ofTypeChain(depth - 4)} } } }`;
    expectPasses(await postJson(app, { query: viaFragment(8) }), 'depth 8 via a fragment');
    expectValidationFailure(await postJson(app, { query: viaFragment(9) }), /found 9/);

    // Aliases.
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: health`).join(' ')} }`;
    expectPasses(await postJson(app, { query: aliases(15) }), '15 aliases');
    expectValidationFailure(
      await postJson(app, { query: aliases(16) }),
      /Aliases limit of 15 exceeded, found 16/,
    );

    // Tokens: the whole document counts, so 400 small operations of 5 tokens each make exactly 2000.
    // (One operation repeating a field 2000 times would trip graphql-js's overlap budget instead.)
    const operations = Array.from({ length: 400 }, (_, i) => `query Q${i} { health }`);
    const atLimit = operations.join('\n');
    const overLimit = atLimit.replace('query Q0 { health }', 'query Q0 { health __typename }');
    expect(countTokens(atLimit)).toBe(2000);
    expect(countTokens(overLimit)).toBe(2001);
    expectPasses(await postJson(app, { query: atLimit, operationName: 'Q0' }), '2000 tokens');
    const tooManyTokens = await postJson(app, { query: overLimit, operationName: 'Q0' });
    expect(tooManyTokens.status, tooManyTokens.text).toBe(400);
    expect(firstCode(tooManyTokens)).toBe('GRAPHQL_PARSE_FAILED');
    expect(firstMessage(tooManyTokens)).toMatch(/more th\w+ 2000 tokens/);

    // Cost (armor: scalar 1, object 2, x1.5 per level). The 7 objects of the chain cost 64.34375; 288
    // leaves at depth 8 cost 288 * 1.5^7 = 4920.75; one leaf each at depths 3, 5 and 6 cost 2.25 + 5.0625 +
    // 7.59375. Total exactly 5000. One root `health` more costs 1: 5001.
    const costly = `__type(name: "Query") { fields { name type { ofType { kind ofType { name ofType { ofType { ${'name '.repeat(288)}} } } } } } }`;
    expectPasses(await postJson(app, { query: `{ ${costly} }` }), 'cost 5000');
    expectValidationFailure(
      await postJson(app, { query: `{ health ${costly} }` }),
      /Cost limit of 5000 exceeded, found 5001\b/,
    );
  });

  it('G6: a 1 MB body answers 413 with a JSON error, and the server keeps serving', async () => {
    const padding = 'x'.repeat(1024 * 1024);
    const huge = await postJson(app, { query: '{ health }', variables: { padding } });
    expect(huge.status).toBe(413);
    expect(huge.contentType).toMatch(/^application\/json/);
    expect(firstCode(huge)).toBe('PAYLOAD_TOO_LARGE');
    expect(huge.text).not.toContain('xxxxxxxx');

    const next = await app.gql<{ health: boolean }>('{ health }');
    expect(next.status).toBe(200);
    expect(next.data?.health).toBe(true);

    // A body just under the limit (100kb) is fine.
    const under = await postJson(app, { query: '{ health }', variables: { padding: 'x'.repeat(90_000) } });
    expect(under.status).toBe(200);
    expect(under.json?.data?.health).toBe(true);
  });

  it('L5: batching never multiplies credential guesses (no HTTP batches, one auth field per operation)', async () => {
    // An HTTP batch is refused before anything runs.
    const [first, second] = [uniqueEmail('batch'), uniqueEmail('batch')];
    const batch = await postJson(app, [
      { query: `mutation { ${REGISTER_LITERAL(first)} }` },
      { query: `mutation { ${REGISTER_LITERAL(second)} }` },
    ]);
    expect(batch.status).toBe(400);
    expect(firstMessage(batch)).toMatch(/batching/i);
    expect(await userCount(app, first)).toBe(0);
    expect(await userCount(app, second)).toBe(0);

    const loginField = (alias: string, password: string) =>
      `${alias}: login(input: { email: "victim@example.test", password: "${password}" }) { accessToken }`;
    const registerEmail = uniqueEmail('l5');
    const multiplied = [
      `mutation { ${loginField('a', 'guess-one-1')} ${loginField('b', 'guess-two-2')} }`,
      `mutation { ${loginField('a', 'guess-one-1')} ...F } fragment F on Mutation { ${loginField('b', 'guess-two-2')} }`,
      `mutation { ${loginField('a', 'guess-one-1')} ... on Mutation { ${loginField('b', 'guess-two-2')} } }`,
      `mutation { ${REGISTER_LITERAL(registerEmail)} ${loginField('b', 'guess-two-2')} }`,
    ];
    for (const query of multiplied) {
      const result = await app.gql(query);
      expect(result.status, query).toBe(400);
      expect(codeOf(result), query).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(/at most one authentication field/);
      expect(result.data ?? null).toBeNull();
    }
    expect(await userCount(app, registerEmail)).toBe(0);

    // A single login passes validation and runs (an unknown account: INVALID_CREDENTIALS).
    const single = await app.gql(`mutation { ${loginField('a', 'guess-one-1')} }`);
    expect(codeOf(single)).toBe('INVALID_CREDENTIALS');
  });

  it('A1: every root field that is not public refuses a caller without a valid access token (generated from the schema)', async () => {
    const schema = await createSchema();
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
      (t): t is GraphQLObjectType => t !== null && t !== undefined,
    );
    const isPublic = (field: GraphQLField<unknown, unknown>) =>
      (field.extensions as AccessExtensions).access === 'public';

    const publicFields = roots.flatMap((root) =>
      Object.values(root.getFields())
        .filter(isPublic)
        .map((f) => f.name),
    );
    // A new public field must be added here on purpose.
    expect(publicFields.sort()).toEqual([
      'health',
      'login',
      'refreshToken',
      'register',
      'requestEmailVerification',
      'requestPasswordReset',
      'resetPassword',
      'verifyEmail',
    ]);

    // Subscriptions are refused over HTTP before anyone is asked for a token (the test below); over
    // WebSocket connection_init needs one (test/api/live.test.ts, S1).
    const operations = roots
      .filter((root) => root !== schema.getSubscriptionType())
      .flatMap((root) => {
        const keyword =
          root === schema.getMutationType()
            ? 'mutation'
            : root === schema.getQueryType()
              ? 'query'
              : 'subscription';
        return Object.values(root.getFields())
          .filter((field) => !isPublic(field))
          .map((field) => ({
            name: `${root.name}.${field.name}`,
            query: `${keyword} { ${fieldCall(field)} }`,
          }));
      });
    expect(operations.map((o) => o.name)).toEqual(expect.arrayContaining(['Query.me', 'Mutation.logout']));

    for (const { name, query } of operations) {
      for (const token of [undefined, 'not-a-valid-token']) {
        const result = await app.gql(query, undefined, token === undefined ? {} : { token });
        const what = `${name} ${token === undefined ? 'without a token' : 'with a bad token'}: ${query} -> ${result.text}`;
        expect(codeOf(result), what).toBe('UNAUTHENTICATED');
        expect(result.status, what).toBe(401);
        expect(result.data ?? null, what).toBeNull();
      }
    }
  });

  it('a subscription over HTTP answers 400 GRAPHQL_VALIDATION_FAILED, by POST and by GET, signed in or not', async () => {
    const { accessToken } = await registerUser(app);
    const logsBefore = app.logs.length;
    const documents = [
      'subscription { notificationAdded { id } }',
      'subscription Alerts { budgetAlert { threshold } }',
      'subscription Live { transactionChanged { change } }',
    ];
    for (const query of documents) {
      for (const auth of [{}, { authorization: `Bearer ${accessToken}` }] as Record<string, string>[]) {
        const what = `${query} ${'authorization' in auth ? 'signed in' : 'anonymous'}`;
        const post = await postJson(app, { query }, auth);
        const get = await http(`${app.url}/graphql?query=${encodeURIComponent(query)}`, {
          headers: { 'apollo-require-preflight': '1', ...auth },
        });
        for (const [method, result] of [
          ['POST', post],
          ['GET', get],
        ] as const) {
          expect(result.status, `${method} ${what}: ${result.text}`).toBe(400);
          expect(result.json?.errors, `${method} ${what}`).toHaveLength(1);
          expect(firstCode(result), `${method} ${what}`).toBe('GRAPHQL_VALIDATION_FAILED');
          expect(firstMessage(result), `${method} ${what}`).toMatch(/subscriptions are not supported/i);
          expect(result.json?.data ?? null, `${method} ${what}`).toBeNull();
        }
      }
    }
    expect(app.logs.slice(logsBefore).filter((line) => line.msg === 'unexpected error')).toEqual([]);
  });

  it('GraphQL over HTTP: media types follow Accept, and a GET query with a preflight header works', async () => {
    const query = JSON.stringify({ query: '{ health }' });
    const graphqlResponse = await http(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: query,
    });
    expect(graphqlResponse.status).toBe(200);
    expect(graphqlResponse.contentType).toMatch(/^application\/graphql-response\+json/);
    expect(graphqlResponse.json?.data?.health).toBe(true);

    const plainJson = await http(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: query,
    });
    expect(plainJson.status).toBe(200);
    expect(plainJson.contentType).toMatch(/^application\/json/);
    expect(plainJson.json?.data?.health).toBe(true);

    const get = await http(`${app.url}/graphql?query=${encodeURIComponent('{health}')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(get.status).toBe(200);
    expect(get.json?.data?.health).toBe(true);
  });
});

/** `name(arg: dummy, ...) { __typename }` for any root field. */
function fieldCall(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.map((arg) => `${arg.name}: ${dummyLiteral(arg.type)}`);
  const selection = graphql.isLeafType(graphql.getNamedType(field.type)) ? '' : ' { __typename }';
  return `${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${selection}`;
}

/** A literal of the type that passes validation: built-ins by table, enums and input objects by walking. */
function dummyLiteral(type: GraphQLInputType): string {
  if (graphql.isNonNullType(type)) return dummyLiteral(type.ofType);
  if (graphql.isListType(type)) return `[${dummyLiteral(type.ofType)}]`;
  if (graphql.isEnumType(type)) return type.getValues()[0]!.name;
  if (graphql.isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const chosen = type.isOneOf
      ? fields.slice(0, 1)
      : fields.filter((f) => graphql.isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${chosen.map((f) => `${f.name}: ${dummyLiteral(f.type)}`).join(', ')} }`;
  }
  if (graphql.isScalarType(type)) return scalarLiteral(type);
  throw new Error(`unexpected input type ${String(type)}`);
}

const BUILT_IN_LITERALS: Record<string, string> = {
  String: '"x"',
  ID: '"1"',
  Int: '1',
  Float: '1.5',
  Boolean: 'false',
};
/** Candidates for custom scalars, tried against the scalar's own parseLiteral. */
const CUSTOM_CANDIDATES = [
  '"1"',
  '"2024-01-01T00:00:00.000Z"',
  '"2024-01-01"',
  '"00000000-0000-4000-8000-000000000000"',
  '"EUR"',
  '"x"',
  '1',
  'true',
];

function scalarLiteral(scalar: GraphQLScalarType): string {
  const builtIn = BUILT_IN_LITERALS[scalar.name];
  if (builtIn !== undefined) return builtIn;
  for (const candidate of CUSTOM_CANDIDATES) {
    try {
      const parsed: unknown = scalar.parseLiteral(graphql.parseValue(candidate), undefined);
      if (parsed !== undefined) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`A1: no dummy literal for scalar ${scalar.name}; add one to CUSTOM_CANDIDATES`);
}
