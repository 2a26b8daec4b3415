import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebhookSender } from '../../src/modules/webhook/webhook.sender.js';
import { sign, verify } from '../../src/modules/webhook/webhook.signature.js';
import { TRUSTED_LOOPBACK, startTestApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/auth.js';
import { financeHelpers, type TestFamily } from '../helpers/finance.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

/** K2: signed webhooks from the outbox. Each block names the SECURITY.md line it proves. */

const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret webhook { id url events enabled disabledReason } }
}`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 50) {
  id webhookId eventId event status attempts lastStatusCode lastError createdAt lastAttemptAt deliveredAt } }`;
const EXPENSE = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;

interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

/** Waits (polling, no fixed delay) until `check` passes; vitest's own timeout bounds it. */
const eventually = <T>(check: () => Promise<T> | T) => vi.waitFor(check, { timeout: 25_000, interval: 100 });

describe('webhooks (K2)', () => {
  let app: TestApp;
  let strict: TestApp;
  const { ok, expectBadInput, newFamily } = financeHelpers(() => app);

  beforeAll(async () => {
    app = await startTestApp({
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
      JOBS_IN_PROCESS: 'true',
      // Explicitly: only this test app may deliver to loopback (the receivers here listen on it).
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_RETRY_DELAY_SECONDS: '1',
      WEBHOOK_RETRY_LIMIT: '2',
      WEBHOOK_TIMEOUT_MS: '3000',
    });
    // As in production: no loopback.
    strict = await startTestApp({ TRUSTED_PROXIES: TRUSTED_LOOPBACK });
  });
  afterAll(async () => {
    await app?.stop();
    await strict?.stop();
  });

  async function createWebhook(family: TestFamily, url: string, events = ['TRANSACTION_CREATED']) {
    return ok(
      await app.gql<{ createWebhook: { secret: string; webhook: { id: string } } }>(
        CREATE,
        { input: { url, events, familyId: family.familyId, description: 'test' } },
        { token: family.token },
      ),
    ).createWebhook;
  }

  async function expense(family: TestFamily, amount = '12.50'): Promise<string> {
    return ok(
      await app.gql<{ createTransaction: { id: string } }>(
        EXPENSE,
        { input: { kind: 'EXPENSE', amount, accountId: family.cashId } },
        { token: family.token },
      ),
    ).createTransaction.id;
  }

  async function deliveries(family: TestFamily, webhookId: string): Promise<Delivery[]> {
    return ok(
      await app.gql<{ webhookDeliveries: Delivery[] }>(
        DELIVERIES,
        { id: webhookId },
        { token: family.token },
      ),
    ).webhookDeliveries;
  }

  it('delivers a signed transaction.created that the standardwebhooks package verifies', async () => {
    const receiver = await startReceiver();
    try {
      const family = await newFamily();
      const { secret, webhook } = await createWebhook(family, receiver.url);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
      const transactionId = await expense(family);
      await eventually(() => expect(receiver.received).toHaveLength(1));
      const [request] = receiver.received;
      const headers = {
        'webhook-id': String(request!.headers['webhook-id']),
        'webhook-timestamp': String(request!.headers['webhook-timestamp']),
        'webhook-signature': String(request!.headers['webhook-signature']),
      };
      // An independent implementation of the spec accepts it.
      const payload = new Webhook(secret).verify(request!.body, headers) as Record<string, unknown>;
      expect(payload).toMatchObject({
        type: 'transaction.created',
        data: { familyId: family.familyId, transactionId },
      });
      await eventually(async () => {
        const [delivery] = await deliveries(family, webhook.id);
        expect(delivery).toMatchObject({
          eventId: headers['webhook-id'],
          event: 'TRANSACTION_CREATED',
          status: 'DELIVERED',
          attempts: 1,
          lastStatusCode: 200,
        });
      });
    } finally {
      await receiver.close();
    }
  });

  it('retries a failed delivery with the same webhook-id, and redelivers with it too', async () => {
    const receiver = await startReceiver((_request, index) => ({ status: index === 0 ? 500 : 204 }));
    try {
      const family = await newFamily();
      const { webhook } = await createWebhook(family, receiver.url);
      await expense(family);
      await eventually(async () => {
        const [delivery] = await deliveries(family, webhook.id);
        expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 2, lastStatusCode: 204 });
      });
      expect(receiver.received).toHaveLength(2);
      const ids = receiver.received.map((request) => request.headers['webhook-id']);
      expect(ids[1]).toBe(ids[0]);

      const [first] = await deliveries(family, webhook.id);
      const redelivered = ok(
        await app.gql<{ redeliverWebhook: Delivery }>(
          `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id eventId status attempts } }`,
          { id: first!.id },
          { token: family.token },
        ),
      ).redeliverWebhook;
      expect(redelivered).toMatchObject({ eventId: first!.eventId, status: 'PENDING', attempts: 0 });
      await eventually(() => expect(receiver.received).toHaveLength(3));
      expect(receiver.received[2]!.headers['webhook-id']).toBe(ids[0]);
    } finally {
      await receiver.close();
    }
  });

  // SECURITY.md: a redirect is never followed, and an endpoint that keeps failing is disabled and its owner told.
  it('does not follow a redirect; a delivery that fails every attempt disables the endpoint and tells its creator', async () => {
    const target = await startReceiver();
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    try {
      const family = await newFamily();
      const { webhook } = await createWebhook(family, redirecting.url);
      await expense(family);
      await eventually(async () => {
        const [delivery] = await deliveries(family, webhook.id);
        expect(delivery).toMatchObject({
          status: 'FAILED',
          attempts: 3,
          lastStatusCode: 302,
          lastError: 'redirects are not followed',
        });
      });
      expect(redirecting.received).toHaveLength(3);
      expect(target.received).toHaveLength(0);
      await eventually(async () => {
        const { webhooks } = ok(
          await app.gql<{ webhooks: { enabled: boolean; disabledReason: string | null }[] }>(
            `query($f: ID!) { webhooks(familyId: $f) { enabled disabledReason } }`,
            { f: family.familyId },
            { token: family.token },
          ),
        );
        expect(webhooks[0]!.enabled).toBe(false);
        expect(webhooks[0]!.disabledReason).toBeTruthy();
      });
      const { notifications } = ok(
        await app.gql<{ notifications: { items: { kind: string; payload: { webhookId: string } }[] } }>(
          `query { notifications { items { kind payload } } }`,
          {},
          { token: family.token },
        ),
      );
      expect(notifications.items).toContainEqual(
        expect.objectContaining({
          kind: 'WEBHOOK_DISABLED',
          payload: expect.objectContaining({ webhookId: webhook.id }),
        }),
      );
      // Nothing more is delivered to a disabled endpoint, and redelivery asks to enable it first.
      const [dead] = await deliveries(family, webhook.id);
      expectBadInput(
        await app.gql(
          `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`,
          { id: dead!.id },
          {
            token: family.token,
          },
        ),
        'deliveryId',
      );
    } finally {
      await redirecting.close();
      await target.close();
    }
  });

  // SECURITY.md: webhook URLs pointing at private, loopback, link-local or metadata addresses are refused.
  it.each([
    'http://127.0.0.1:4000/hook',
    'http://127.1/hook',
    'http://10.0.0.8/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:4000/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:169.254.169.254]/hook',
    'http://[fd00::1]/hook',
    'http://100.64.0.1/hook',
    'http://192.168.1.1/hook',
    'http://localhost:4000/hook',
    'ftp://example.com/hook',
    'http://user:pass@203.0.113.5/hook',
  ])('refuses %s where loopback is not allowed', async (url) => {
    const family = await financeHelpers(() => strict).newFamily();
    expectBadInput(
      await strict.gql(
        CREATE,
        { input: { url, events: ['TRANSACTION_CREATED'], familyId: family.familyId } },
        {
          token: family.token,
        },
      ),
      'input.url',
    );
  });

  it('refuses private and metadata addresses even where loopback is allowed', async () => {
    const family = await newFamily();
    for (const url of ['http://10.1.2.3/', 'http://169.254.169.254/', 'http://[::ffff:10.0.0.1]/']) {
      expectBadInput(
        await app.gql(
          CREATE,
          { input: { url, events: ['BUDGET_ALERT'], familyId: family.familyId } },
          {
            token: family.token,
          },
        ),
        'input.url',
      );
    }
  });

  // SECURITY.md: the check is repeated on the address a delivery connects to (DNS rebinding).
  it('refuses at delivery time a name that now resolves to a private or loopback address', async () => {
    const receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    try {
      for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1']) {
        const sender = new WebhookSender({
          allowLoopback: false,
          timeoutMs: 2000,
          maxResponseBytes: 1024,
          // A name that resolved to a public address when the webhook was created, and no longer does.
          resolve: ((_host: string, _options: unknown, callback: (e: null, a: unknown) => void) =>
            callback(null, [{ address, family: address.includes(':') ? 6 : 4 }])) as never,
        });
        const outcome = await sender.send(
          `http://hooks.example.test:${port}/hook`,
          'whsec_' + 'A'.repeat(44),
          {
            id: 'msg_1',
            timestamp: 1,
            body: '{}',
          },
        );
        sender.close();
        expect(outcome.ok).toBe(false);
        expect(outcome.error).toMatch(/^refused: /);
      }
      // And a literal address is checked too, without any lookup.
      const sender = new WebhookSender({ allowLoopback: false, timeoutMs: 2000, maxResponseBytes: 1024 });
      const literal = await sender.send(receiver.url, 'whsec_' + 'A'.repeat(44), {
        id: 'm',
        timestamp: 1,
        body: '{}',
      });
      sender.close();
      expect(literal.error).toMatch(/^refused: /);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  // SECURITY.md: a wrong secret or an old timestamp fails the documented verification.
  it('fails the documented verification with a wrong secret or a timestamp over five minutes old', () => {
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const other = 'whsec_' + Buffer.alloc(32, 8).toString('base64');
    const now = 1_800_000_000;
    const body = '{"type":"transaction.created"}';
    const headers = (timestamp: number, key = secret) => ({
      id: 'msg_x',
      timestamp: String(timestamp),
      signature: sign(key, 'msg_x', timestamp, body),
    });
    expect(() => verify(secret, headers(now), body, now)).not.toThrow();
    expect(() => verify(secret, headers(now, other), body, now)).toThrow();
    expect(() => verify(secret, headers(now - 301), body, now)).toThrow();
    expect(() => verify(secret, headers(now), body + ' ', now)).toThrow();
    // The package agrees with this implementation, both ways.
    const pkg = new Webhook(secret);
    const h = (ts: number, key = secret) => ({
      'webhook-id': 'msg_x',
      'webhook-timestamp': String(ts),
      'webhook-signature': sign(key, 'msg_x', ts, body),
    });
    const wall = Math.floor(Date.now() / 1000);
    expect(pkg.verify(body, h(wall))).toEqual({ type: 'transaction.created' });
    expect(() => pkg.verify(body, h(wall, other))).toThrow();
    expect(() => pkg.verify(body, h(wall - 301))).toThrow();
    expect(sign(secret, 'msg_x', now, body)).toBe(pkg.sign('msg_x', new Date(now * 1000), body));
  });

  // SECURITY.md: another family's webhook ids are NOT_FOUND.
  it("answers NOT_FOUND for another family's webhooks and deliveries", async () => {
    const receiver = await startReceiver();
    try {
      const owner = await newFamily();
      const stranger = await newFamily();
      const { webhook } = await createWebhook(owner, receiver.url);
      await expense(owner);
      await eventually(async () => expect(await deliveries(owner, webhook.id)).toHaveLength(1));
      const [delivery] = await deliveries(owner, webhook.id);
      const as = { token: stranger.token };
      const calls = [
        app.gql(DELIVERIES, { id: webhook.id }, as),
        app.gql(
          `mutation($id: ID!) { updateWebhook(id: $id, input: { enabled: false }) { id } }`,
          { id: webhook.id },
          as,
        ),
        app.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: webhook.id }, as),
        app.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: delivery!.id }, as),
        app.gql(`query($f: ID!) { webhooks(familyId: $f) { id } }`, { f: owner.familyId }, as),
      ];
      for (const result of await Promise.all(calls)) expect(codeOf(result), result.text).toBe('NOT_FOUND');
      expect(await deliveries(owner, webhook.id)).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('lets a WRITE personal access token manage webhooks, and refuses a READ one', async () => {
    const family = await newFamily();
    const tokenFor = async (scopes: string[]) =>
      ok(
        await app.gql<{ createAccessToken: { secret: string } }>(
          `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`,
          {
            input: {
              name: `t ${randomUUID()}`,
              scopes,
              familyId: family.familyId,
              expiresAt: new Date(app.clock.now().getTime() + 86_400_000).toISOString(),
            },
          },
          { token: family.token },
        ),
      ).createAccessToken.secret;
    const input = { url: 'http://127.0.0.1:9/hook', events: ['SCHEDULE_DUE'], familyId: family.familyId };
    const read = await app.gql(CREATE, { input }, { token: await tokenFor(['READ']) });
    expect(codeOf(read), read.text).toBe('FORBIDDEN');
    const write = await app.gql<{ createWebhook: { webhook: { id: string } } }>(
      CREATE,
      { input },
      {
        token: await tokenFor(['READ', 'WRITE']),
      },
    );
    expect(ok(write).createWebhook.webhook.id).toBeTruthy();
  });
});

/** The receivers of docs/integrators.md, run as written, against real deliveries and forged ones. */
describe('the documented receivers (K2)', () => {
  const DOC = readFileSync(new URL('../../docs/integrators.md', import.meta.url), 'utf8');
  const block = (language: string) => {
    const section = DOC.slice(DOC.indexOf('## Webhooks'));
    const found = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
    if (found === null) throw new Error(`no ${language} receiver in docs/integrators.md`);
    return found[1]!;
  };
  let app: TestApp;
  let dir: string;
  const { ok, newFamily } = financeHelpers(() => app);

  beforeAll(async () => {
    app = await startTestApp({
      TRUSTED_PROXIES: TRUSTED_LOOPBACK,
      JOBS_IN_PROCESS: 'true',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_RETRY_DELAY_SECONDS: '1',
      WEBHOOK_RETRY_LIMIT: '2',
    });
    dir = mkdtempSync(path.join(tmpdir(), 'ff-receivers-'));
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const freePort = async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  };

  it.each([
    ['js', 'receiver.mjs', process.execPath],
    ['python', 'receiver.py', 'python3'],
  ])(
    'the %s receiver verifies real deliveries, refuses forged or stale ones, and handles each id once',
    async (language, file, command) => {
      writeFileSync(path.join(dir, file), block(language));
      const family = await newFamily();
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/hook`;
      const { createWebhook } = ok(
        await app.gql<{ createWebhook: { secret: string; webhook: { id: string } } }>(
          CREATE,
          { input: { url, events: ['TRANSACTION_CREATED'], familyId: family.familyId } },
          { token: family.token },
        ),
      );
      const child = spawn(command, [path.join(dir, file)], {
        env: { ...process.env, WEBHOOK_SECRET: createWebhook.secret, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        const post = async (headers: Record<string, string>, body: string) => {
          for (;;) {
            try {
              return (await fetch(url, { method: 'POST', headers, body })).status;
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 100)); // not listening yet
            }
          }
        };
        const body = '{"type":"transaction.created","data":{}}';
        const now = Math.floor(Date.now() / 1000);
        const signed = (secret: string, timestamp: number, id = 'msg_doc') => ({
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': sign(secret, id, timestamp, body),
        });
        const wrong = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
        expect(await post(signed(wrong, now), body)).toBe(400);
        expect(await post(signed(createWebhook.secret, now - 301), body)).toBe(400);
        expect(await post(signed(createWebhook.secret, now), body)).toBe(204);
        expect(await post(signed(createWebhook.secret, now), body)).toBe(204);

        const [first, second] = [
          await app.gql<{ createTransaction: { id: string } }>(
            EXPENSE,
            { input: { kind: 'EXPENSE', amount: '3.00', accountId: family.cashId } },
            { token: family.token },
          ),
          await app.gql<{ createTransaction: { id: string } }>(
            EXPENSE,
            { input: { kind: 'EXPENSE', amount: '4.00', accountId: family.cashId } },
            { token: family.token },
          ),
        ];
        ok(first);
        ok(second);
        await eventually(() => expect(out.match(/^handled /gm)).toHaveLength(3));
        const ids = out.match(/^handled \S+ (\S+)$/gm)!.map((line) => line.split(' ')[2]);
        expect(new Set(ids).size).toBe(3);
        expect(ids[0]).toBe('msg_doc');
      } finally {
        child.kill();
      }
    },
  );
});
