import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/shared/logger.js';
import { newWebhookSecret } from '../src/modules/webhook/webhook.signature.js';
import { createBenchDatabase, REDIS_URL } from './lib/db.js';
import { insertFamilies } from './lib/seed.js';

/**
 * `npm run bench -- webhooks`: 10,000 events (transactions inserted in 10 statements of 1,000, spread over
 * 50 families, each with one endpoint) delivered by one API process working the queues to a local
 * receiver that verifies every signature (the standardwebhooks package), answers 500 to the first attempt
 * of every tenth event id, and drops ids it already handled. Every id must be handled exactly once.
 * Delay: from the event's commit (the payload's timestamp) to its handling by the receiver.
 */

export interface WebhookBenchReport {
  events: number;
  failedFirstAttempts: number;
  handled: number;
  duplicates: number;
  badSignatures: number;
  /** From the first insert until the receiver had handled every id. */
  wallMs: number;
  perSecond: number;
  delayMs: { p50: number; p99: number; max: number };
  exactlyOnce: boolean;
}

const EVENTS = 10_000;
const FAMILIES = 50;
const BATCH = 1_000;

export async function runWebhookBench(options: { log: (line: string) => void }): Promise<WebhookBenchReport> {
  const db = await createBenchDatabase('ff_bench_webhooks');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const secret = newWebhookSecret();
  const verifier = new Webhook(secret);
  const firstSeen = new Set<string>();
  const handled = new Map<string, number>();
  let duplicates = 0;
  let badSignatures = 0;
  let failedFirstAttempts = 0;
  let allHandled: () => void = () => {};
  const done = new Promise<void>((resolve) => (allHandled = resolve));
  const delays: number[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: { timestamp: string };
      try {
        payload = verifier.verify(body, request.headers as Record<string, string>) as { timestamp: string };
      } catch {
        badSignatures++;
        response.writeHead(400).end();
        return;
      }
      const id = String(request.headers['webhook-id']);
      if (!firstSeen.has(id)) {
        firstSeen.add(id);
        if (firstSeen.size % 10 === 0) {
          failedFirstAttempts++;
          response.writeHead(500).end();
          return;
        }
      }
      if (handled.has(id)) duplicates++;
      else {
        const now = Date.now();
        handled.set(id, now);
        delays.push(now - Date.parse(payload.timestamp));
        if (handled.size === EVENTS) allHandled();
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '10',
    REDIS_URL,
    REDIS_KEY_PREFIX: `ffbench:${randomUUID()}:`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: 'error',
    JOBS_IN_PROCESS: 'true',
    JOBS_POOL_MAX: '5',
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    // The first retry after 1-2 s instead of 10-20 s, so the run takes a minute, not several.
    WEBHOOK_RETRY_DELAY_SECONDS: '1',
  });
  const app = await startApp(config, { logger: createLogger('error') });
  try {
    const today = new Date().toISOString().slice(0, 10);
    const families = await insertFamilies(client, {
      families: FAMILIES,
      accountsPerFamily: 1,
      emailPrefix: 'webhooks',
      budgetsFrom: today,
    });
    await client.query(
      `insert into webhook_endpoint (id, family_id, created_by_id, url, events, secret, created_at, updated_at)
       select gen_random_uuid(), f.family_id, f.user_id, $3, '{TRANSACTION_CREATED}', $4, now(), now()
         from unnest($1::uuid[], $2::uuid[]) as f(family_id, user_id)`,
      [families.map((f) => f.familyId), families.map((f) => f.userId), url, secret],
    );
    options.log(`webhooks: ${FAMILIES} endpoints; inserting ${EVENTS.toLocaleString('en')} transactions`);
    const start = Date.now();
    for (let i = 0; i < EVENTS; i += BATCH) {
      await client.query(
        `insert into ledger_transaction
           (id, family_id, kind, occurred_on, amount, currency, account_id, created_by_id, paid_by_id,
            created_at, updated_at)
         select gen_random_uuid(), f.family_id, 'expense', $4::date, 100 + n, 'EUR', f.account_id, f.user_id,
                f.user_id, now(), now()
           from generate_series(0, $5::int - 1) as n
           join unnest($1::uuid[], $2::uuid[], $3::uuid[]) with ordinality as f(family_id, account_id, user_id, no)
             on f.no = n % $6 + 1`,
        [
          families.map((f) => f.familyId),
          families.map((f) => f.accounts[0]),
          families.map((f) => f.userId),
          today,
          BATCH,
          FAMILIES,
        ],
      );
    }
    const timeout = new Promise<never>((_resolve, reject) =>
      setTimeout(
        () => reject(new Error(`only ${handled.size} of ${EVENTS} handled after 10 minutes`)),
        600_000,
      ).unref(),
    );
    await Promise.race([done, timeout]);
    const wallMs = Date.now() - start;
    // Give stray duplicates (a retry racing its own success) a moment to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { rows } = await client.query<{ delivered: number; ids: number }>(
      `select count(*) filter (where status = 'delivered')::int as delivered, count(distinct event_id)::int as ids
         from webhook_delivery`,
    );
    delays.sort((a, b) => a - b);
    const at = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]!;
    return {
      events: EVENTS,
      failedFirstAttempts,
      handled: handled.size,
      duplicates,
      badSignatures,
      wallMs,
      perSecond: EVENTS / (wallMs / 1000),
      delayMs: { p50: at(0.5), p99: at(0.99), max: delays.at(-1)! },
      exactlyOnce: handled.size === EVENTS && rows[0]!.delivered === EVENTS && rows[0]!.ids === EVENTS,
    };
  } finally {
    await app.stop();
    receiver.closeAllConnections();
    receiver.close();
    await client.end();
    await db.drop();
  }
}

export function printWebhookTable(report: WebhookBenchReport): void {
  console.log('\nWebhook delivery (webhooks)');
  console.log(
    `  ${report.events.toLocaleString('en')} events, ${report.failedFirstAttempts} first attempts failed on purpose: ` +
      `handled ${report.handled.toLocaleString('en')} in ${(report.wallMs / 1000).toFixed(1)} s ` +
      `(${report.perSecond.toFixed(0)} events/s)`,
  );
  console.log(
    `  delay commit -> handled: p50 ${report.delayMs.p50} ms, p99 ${report.delayMs.p99} ms, max ${report.delayMs.max} ms`,
  );
  console.log(
    `  duplicates dropped by the receiver: ${report.duplicates}; bad signatures: ${report.badSignatures}; ` +
      `every id handled once: ${report.exactlyOnce ? 'yes' : 'NO'}`,
  );
}
