import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ME, registerUser } from '../helpers/auth.js';

/** GET /metrics: Prometheus text with request durations by root field and errors by code. */
describe('metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  const scrape = async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const sample = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? 0);

  it('counts requests by root field and outcome, errors by code, and shows the database pool', async () => {
    const before = await scrape();
    const user = await registerUser(app);
    await app.gql(ME, {}, { token: user.accessToken });
    await app.gql(ME, {}, { token: 'not-a-token' });
    const after = await scrape();

    const meOk = /^graphql_request_duration_seconds_count\{operation="me",outcome="ok"\} (\d+)$/m;
    const meError = /^graphql_request_duration_seconds_count\{operation="me",outcome="error"\} (\d+)$/m;
    const unauthenticated = /^graphql_errors_total\{code="UNAUTHENTICATED"\} (\d+)$/m;
    expect(sample(after, meOk) - sample(before, meOk)).toBe(1);
    expect(sample(after, meError) - sample(before, meError)).toBe(1);
    expect(sample(after, unauthenticated) - sample(before, unauthenticated)).toBe(1);
    expect(after).toMatch(/^db_pool_connections\{state="used"\} \d+$/m);
    // Operation labels come from the schema's root fields, never from the client's operation name.
    await app.gql('query Whatever_I_Like { health }');
    expect(await scrape()).not.toContain('Whatever_I_Like');
  });
});
