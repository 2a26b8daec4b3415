import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../bot/api/client.js';
import { AccountsDocument, MeDocument, TelegramRegisterDocument } from '../../bot/api/generated/graphql.js';
import manifest from '../../bot/api/generated/persisted-documents.json' with { type: 'json' };
import { realRedis, startTestApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/auth.js';

/**
 * Persisted and trusted documents (docs/integrators.md): the bot's operations, registered from codegen's
 * persisted-documents output, run by hash; with PERSISTED_ONLY=true nothing else does; automatic
 * persisted queries are shared by the replicas through Redis.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const botSecret = randomBytes(32).toString('base64url');

interface Body {
  query?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

async function post(app: TestApp, body: Body, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    ...(JSON.parse(text) as {
      data?: unknown;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    }),
  };
}

const byHash = (hash: string, query?: string): Body => ({
  ...(query !== undefined && { query }),
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

/** The bot's real client signs a Telegram user up and reads with their token: every call by hash. */
async function botRoundTrip(app: TestApp) {
  const api = new ApiClient(`${app.url}/graphql`, botSecret);
  const telegramId = String(randomInt(1_000_000_000, 2 ** 47));
  const { telegramRegister } = await api.call(
    TelegramRegisterDocument,
    { input: { telegramId, chatId: telegramId, firstName: 'Trusted' } },
    { asBot: true },
  );
  const { me } = await api.call(MeDocument, {}, { token: telegramRegister.accessToken });
  const { accounts } = await api.call(AccountsDocument, {}, { token: telegramRegister.accessToken });
  return { me, accounts };
}

describe('trusted documents: PERSISTED_ONLY=true', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ BOT_API_SECRET: botSecret, PERSISTED_ONLY: 'true' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("runs the bot's operations, sent by hash only", async () => {
    expect(Object.keys(manifest).length).toBeGreaterThan(10);
    const { me, accounts } = await botRoundTrip(app);
    expect(me.firstName).toBe('Trusted');
    expect(accounts.map((a) => a.name)).toContain('Cash');
  });

  it('refuses an ad-hoc query, and a registration of an unregistered one, with a clear error', async () => {
    const adHoc = await post(app, { query: '{ health }' });
    expect(adHoc.status).toBe(400);
    expect(adHoc.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(adHoc.errors?.[0]?.message).toMatch(/only registered operations/);
    expect(adHoc.data ?? null).toBeNull();

    const query = '{ health }';
    const registering = await post(app, byHash(sha256(query), query));
    expect(codeOf(registering)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const unknown = await post(app, byHash(sha256('{ __typename }')));
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    // A registered hash with a different text is not the registered operation.
    const [hash] = Object.keys(manifest);
    const swapped = await post(app, byHash(hash!.replace(/^sha256:/, ''), '{ health }'));
    expect(swapped.status).toBe(400);
    expect(codeOf(swapped)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('refuses ad-hoc queries over GET too', async () => {
    const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('persisted queries without PERSISTED_ONLY', () => {
  let first: TestApp;
  let second: TestApp;
  let empty: TestApp;
  beforeAll(async () => {
    const shared = { BOT_API_SECRET: botSecret, REDIS_KEY_PREFIX: `fftest:${randomUUID()}:` };
    first = await startTestApp(shared);
    second = await startTestApp({ ...shared, JWT_SECRET: first.config.jwt.secret });
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-trusted-'));
    writeFileSync(path.join(dir, 'none.json'), '{}');
    empty = await startTestApp({ BOT_API_SECRET: botSecret, TRUSTED_DOCUMENTS: path.join(dir, 'none.json') });
  });
  afterAll(async () => {
    await empty?.stop();
    await second?.stop();
    await first?.stop();
  });

  it('runs ad-hoc queries, and shares automatic persisted queries between replicas', async () => {
    expect((await post(first, { query: '{ health }' })).data).toEqual({ health: true });
    const query = `{ health __typename }`;
    const hash = sha256(query);
    expect(codeOf(await post(second, byHash(hash)))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(first, byHash(hash, query))).data).toEqual({ health: true, __typename: 'Query' });
    // Registered through the first replica, known to the second: the cache is Redis, not the process.
    // Apollo stores the document without holding the answer back for it, so the second replica may ask
    // Redis a moment before the write lands: ask again until it does.
    if (realRedis) {
      await vi.waitFor(
        async () => {
          const fromSecond = await post(second, byHash(hash));
          expect(fromSecond.data, fromSecond.text).toEqual({ health: true, __typename: 'Query' });
        },
        { timeout: 10_000, interval: 50 },
      );
    } else {
      expect(codeOf(await post(second, byHash(hash)))).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });

  it("runs the bot's operations by hash with no registration round trip", async () => {
    const { me } = await botRoundTrip(first);
    expect(me.firstName).toBe('Trusted');
  });

  it('the bot falls back to the text when the API does not know its hashes', async () => {
    const unknown = await post(empty, byHash(Object.keys(manifest)[0]!.replace(/^sha256:/, '')));
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const { me } = await botRoundTrip(empty);
    expect(me.firstName).toBe('Trusted');
    await expect(
      new ApiClient(`${empty.url}/graphql`, botSecret).call(MeDocument, {}, { token: 'nope' }),
    ).rejects.toBeInstanceOf(ApiError);
  });
});
