import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../../src/graphql/apollo.js';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { financeHelpers } from '../helpers/finance.js';

/** `extensions.cost` and `extensions.rateLimit` (docs/integrators.md, “Limits and cost”). */

interface Usage {
  cost?: { requested: number; limit: number };
  rateLimit?: { limit: number; remaining: number; resetInSeconds: number };
}

describe('cost and rate limit in every response', () => {
  let app: TestApp;
  const { ok, newFamily } = financeHelpers(() => app);

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK, ACCESS_TOKEN_RATE_LIMIT: '50' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const usageOf = (text: string) => (JSON.parse(text) as { extensions?: Usage }).extensions;

  it("reports graphql-armor's cost of the operation, also when the document comes from the cache", async () => {
    const family = await newFamily();
    // An object costs 2 and each scalar under it 1, times 1.5 per level down: 2 + 1.5 * (1 + 1) = 5.
    const query = `query { accounts { id name } }`;
    for (let i = 0; i < 2; i++) {
      const result = await app.gql(query, {}, family);
      ok(result);
      expect(usageOf(result.text)).toEqual({ cost: { requested: 5, limit: QUERY_LIMITS.cost } });
    }
    // first: 50 multiplies the page and everything in it.
    const page = await app.gql(`query { transactions(first: 50) { edges { node { id } } } }`, {}, family);
    ok(page);
    expect(usageOf(page.text)?.cost?.requested).toBe(50 * (2 + 1.5 * (2 + 1.5 * (2 + 1.5))));
    const mutation = await app.gql(
      `mutation { createAccount(input: { name: "Costed", type: CASH }) { id } }`,
      {},
      family,
    );
    ok(mutation);
    expect(usageOf(mutation.text)?.cost?.requested).toBe(3.5);
  });

  it('names the operation it measured when a document holds several', async () => {
    const family = await newFamily();
    const document = `query Small { health } query Large { accounts { id name currency archived } }`;
    const answer = async (operationName: string) => {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${family.token}` },
        body: JSON.stringify({ query: document, operationName }),
      });
      return usageOf(await response.text())?.cost?.requested;
    };
    expect(await answer('Small')).toBe(1);
    expect(await answer('Large')).toBe(2 + 1.5 * 4);
  });

  it('shows no cost for a request that never ran, and no rate limit for a user session', async () => {
    const family = await newFamily();
    const invalid = await app.gql(`query { accounts { nope } }`, {}, family);
    expect(invalid.status).toBe(400);
    expect(usageOf(invalid.text)).toBeUndefined();
    const read = await app.gql(`query { health }`, {}, family);
    expect(usageOf(read.text)).toEqual({ cost: { requested: 1, limit: QUERY_LIMITS.cost } });
  });

  it("shows a personal access token's requests left in the window, and when it restarts", async () => {
    const family = await newFamily();
    const created = ok(
      await app.gql<{ createAccessToken: { secret: string } }>(
        `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`,
        {
          input: {
            name: 'usage',
            scopes: ['READ'],
            familyId: family.familyId,
            expiresAt: new Date(app.clock.now().getTime() + 86_400_000).toISOString(),
          },
        },
        family,
      ),
    ).createAccessToken;
    const first = await app.gql(`query { health }`, {}, { token: created.secret });
    const usage = usageOf(first.text);
    expect(usage).toMatchObject({
      cost: { requested: 1, limit: QUERY_LIMITS.cost },
      rateLimit: { limit: 50, remaining: 49 },
    });
    // The window is a minute from the token's first request; the store counts it in whole seconds.
    expect(usage?.rateLimit?.resetInSeconds).toBeGreaterThan(50);
    expect(usage?.rateLimit?.resetInSeconds).toBeLessThanOrEqual(60);
    const second = await app.gql(`query { accounts { id } }`, {}, { token: created.secret });
    expect(usageOf(second.text)?.rateLimit?.remaining).toBe(48);
  });
});
