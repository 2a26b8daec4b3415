import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { startChild, type BenchChild } from './lib/child.js';
import { createBenchDatabase, REDIS_URL, type BenchDatabase } from './lib/db.js';
import { BENCH_PASSWORD, insertFamilies, type SeededFamily } from './lib/seed.js';

/**
 * Subscription fan-out (bench/README.md): FANOUT_CONNECTIONS WebSocket subscribers of
 * `transactionChanged`, spread over 10 families and two API processes that share PostgreSQL and Redis;
 * FANOUT_EVENTS createTransaction calls, alternating between the processes and the families. Every event
 * must reach every subscriber of its family and no one else; latency is measured per delivery, from the
 * moment the mutation was sent to the moment the subscriber's socket handed over the event.
 */

export interface FanoutReport {
  connections: number;
  families: number;
  events: number;
  deliveriesExpected: number;
  deliveriesReceived: number;
  lost: number;
  misdelivered: number;
  duplicated: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  mutationMs: { p50: number; p99: number };
  /** Per event, from its first delivery to its last (every subscriber of the family, both processes). */
  spreadMs: { p50: number; p99: number };
  /** RSS growth of each API process while its sockets opened and subscribed, divided by its sockets. */
  memoryPerConnectionKiB: number[];
  /** The same for the V8 heap in use (less noisy than RSS, but not all of it). */
  heapPerConnectionKiB: number[];
  targetP99Ms: number;
  pass: boolean;
}

const FAMILIES = 10;
const SESSIONS_PER_FAMILY = 10;
const TARGET_P99_MS = 250;

const SUBSCRIPTION = `subscription($familyId: ID) {
  transactionChanged(familyId: $familyId) {
    change transactionId familyId
    transaction { id note amount { amount currency } }
  }
}`;
const CREATE = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { id } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;

interface Subscriber {
  family: number;
  client: Client;
  /** Transaction id -> when it arrived (performance.now()). */
  received: Map<string, number>;
  /** Events of another family that reached this subscriber. */
  foreign: number;
  duplicates: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function post<T>(url: string, query: string, variables: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors !== undefined || body.data === undefined) throw new Error(JSON.stringify(body));
  return body.data;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`fan-out bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function runFanout(options: {
  connections: number;
  events: number;
  log: (line: string) => void;
  stamp: string;
}): Promise<FanoutReport> {
  const { connections, events, log } = options;
  let db: BenchDatabase | undefined;
  const children: BenchChild[] = [];
  const subscribers: Subscriber[] = [];
  try {
    db = await createBenchDatabase('ff_bench_fanout');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let families: SeededFamily[];
    try {
      families = await insertFamilies(client, {
        families: FAMILIES,
        accountsPerFamily: 2,
        emailPrefix: 'fanout',
        budgetsFrom: `${new Date().toISOString().slice(0, 7)}-01`,
      });
    } finally {
      await client.end();
    }
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '10',
      REDIS_URL,
      REDIS_KEY_PREFIX: `ffbench:fanout:${options.stamp}:`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'silent',
      GRAPHQL_INTROSPECTION: 'false',
      TRUSTED_PROXIES: 'loopback',
      // Each family's sockets belong to its owner's sessions: the per-user limit is raised to fit them.
      LIVE_MAX_CONNECTIONS_PER_USER: String(Math.ceil(connections / FAMILIES)),
    };
    const apps = [await startChild('app', env), await startChild('app', env)];
    children.push(...apps);
    const urls = apps.map((app) => app.urls.app!);
    log(`fan-out: two API processes (${urls.join(', ')}), ${FAMILIES} families`);

    // A few sessions per family (each a login, from an address of its own so the per-IP limit never binds).
    let address = 0;
    const tokens: string[][] = [];
    for (const family of families) {
      const sessions: string[] = [];
      for (let s = 0; s < SESSIONS_PER_FAMILY; s++) {
        const data = await post<{ login: { accessToken: string } }>(
          urls[s % 2]!,
          LOGIN,
          { input: { email: family.email, password: BENCH_PASSWORD } },
          { 'x-forwarded-for': `198.51.100.${++address}` },
        );
        sessions.push(data.login.accessToken);
      }
      tokens.push(sessions);
    }

    const memory = (name: string) => Promise.all(urls.map((url) => metric(url, name)));
    await Promise.all(apps.map((app) => app.gc()));
    const rssBefore = await memory('process_resident_memory_bytes');
    const heapBefore = await memory('nodejs_heap_size_used_bytes');
    const perProcess = [0, 0];
    for (let i = 0; i < connections; i++) {
      const family = i % FAMILIES;
      const side = Math.floor(i / FAMILIES) % 2;
      perProcess[side]!++;
      const subscriber: Subscriber = {
        family,
        client: createClient({
          url: `${urls[side]!.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { accessToken: tokens[family]![i % SESSIONS_PER_FAMILY]! },
          lazy: false,
          retryAttempts: 0,
          onNonLazyError: (error) => log(`fan-out: a socket failed: ${String(error)}`),
        }),
        received: new Map(),
        foreign: 0,
        duplicates: 0,
      };
      subscriber.client.subscribe<{
        transactionChanged: { transactionId: string; familyId: string };
      }>(
        { query: SUBSCRIPTION, variables: { familyId: families[family]!.familyId } },
        {
          next: (result) => {
            const at = performance.now();
            const change = result.data?.transactionChanged;
            if (change === undefined) return;
            if (change.familyId !== families[family]!.familyId) subscriber.foreign++;
            else if (subscriber.received.has(change.transactionId)) subscriber.duplicates++;
            else subscriber.received.set(change.transactionId, at);
          },
          error: (error) => log(`fan-out: a subscription failed: ${JSON.stringify(error)}`),
          complete: () => {},
        },
      );
      subscribers.push(subscriber);
    }
    await waitFor(
      `${connections} subscriptions`,
      async () => {
        const running = await Promise.all(urls.map((url) => metric(url, 'live_subscriptions')));
        return running[0] === perProcess[0] && running[1] === perProcess[1];
      },
      120_000,
    );
    // Let the sockets' first allocations settle, then collect what is garbage, before reading memory.
    await sleep(2000);
    await Promise.all(apps.map((app) => app.gc()));
    const perConnection = (after: number[], before: number[]) =>
      after.map((value, side) => Math.round(((value - before[side]!) / perProcess[side]! / 1024) * 10) / 10);
    const memoryPerConnectionKiB = perConnection(await memory('process_resident_memory_bytes'), rssBefore);
    const heapPerConnectionKiB = perConnection(await memory('nodejs_heap_size_used_bytes'), heapBefore);
    log(
      `fan-out: ${connections} subscribers running (${perProcess.join(' + ')}), ` +
        `RSS +${memoryPerConnectionKiB.join(' / ')} KiB, heap +${heapPerConnectionKiB.join(' / ')} KiB per connection`,
    );

    // The events: one at a time, families and processes in turn, so each latency is its own.
    const sent = new Map<string, { at: number; family: number }>();
    const mutationMs: number[] = [];
    for (let n = 0; n < events; n++) {
      const family = n % FAMILIES;
      const url = urls[n % 2]!;
      const at = performance.now();
      const data = await post<{ createTransaction: { id: string } }>(
        url,
        CREATE,
        {
          input: {
            kind: 'EXPENSE',
            amount: '1.00',
            accountId: families[family]!.accounts[0],
            note: `fan-out ${n}`,
          },
        },
        { authorization: `Bearer ${tokens[family]![0]!}` },
      );
      mutationMs.push(performance.now() - at);
      sent.set(data.createTransaction.id, { at, family });
      await sleep(10);
    }
    const expectedPer = (s: Subscriber) => [...sent.values()].filter((e) => e.family === s.family).length;
    const deliveriesExpected = subscribers.reduce((sum, s) => sum + expectedPer(s), 0);
    const received = () => subscribers.reduce((sum, s) => sum + s.received.size, 0);
    await waitFor('the last deliveries', () => received() >= deliveriesExpected, 15_000).catch(() =>
      log('fan-out: some deliveries never arrived (counted as lost)'),
    );

    const latencies: number[] = [];
    /** Per event: its first and last delivery, whose distance is the fan-out alone, without the write. */
    const span = new Map<string, { first: number; last: number }>();
    let misdelivered = 0;
    let duplicated = 0;
    for (const s of subscribers) {
      misdelivered += s.foreign;
      duplicated += s.duplicates;
      for (const [id, at] of s.received) {
        const event = sent.get(id);
        if (event === undefined || event.family !== s.family) {
          misdelivered++;
          continue;
        }
        latencies.push(at - event.at);
        const seen = span.get(id) ?? { first: at, last: at };
        span.set(id, { first: Math.min(seen.first, at), last: Math.max(seen.last, at) });
      }
    }
    const spreads = [...span.values()].map((s) => s.last - s.first).sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    mutationMs.sort((a, b) => a - b);
    const deliveriesReceived = latencies.length;
    const lost = deliveriesExpected - deliveriesReceived;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const latencyMs = {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? Number.NaN),
    };
    return {
      connections,
      families: FAMILIES,
      events,
      deliveriesExpected,
      deliveriesReceived,
      lost,
      misdelivered,
      duplicated,
      latencyMs,
      mutationMs: { p50: round(percentile(mutationMs, 50)), p99: round(percentile(mutationMs, 99)) },
      spreadMs: { p50: round(percentile(spreads, 50)), p99: round(percentile(spreads, 99)) },
      memoryPerConnectionKiB,
      heapPerConnectionKiB,
      targetP99Ms: TARGET_P99_MS,
      pass: latencyMs.p99 < TARGET_P99_MS && lost === 0 && misdelivered === 0 && duplicated === 0,
    };
  } finally {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    for (const child of children) await child.stop();
    await db?.drop();
  }
}

export function printFanoutTable(report: FanoutReport): void {
  const r = report;
  console.log(
    `\nSubscription fan-out: ${r.connections} WebSocket subscribers, ${r.families} families, 2 API processes, one Redis`,
  );
  console.log(
    `  events ${r.events}, deliveries expected ${r.deliveriesExpected}, received ${r.deliveriesReceived}, ` +
      `lost ${r.lost}, misdelivered ${r.misdelivered}, duplicated ${r.duplicated}`,
  );
  console.log(
    `  delivery latency (mutation sent -> event at the subscriber): p50 ${r.latencyMs.p50} ms, ` +
      `p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms ` +
      `(target p99 < ${r.targetP99Ms} ms: ${r.pass ? 'PASS' : 'FAIL'})`,
  );
  console.log(`  createTransaction itself: p50 ${r.mutationMs.p50} ms, p99 ${r.mutationMs.p99} ms`);
  console.log(
    `  fan-out spread (first to last subscriber of an event): p50 ${r.spreadMs.p50} ms, p99 ${r.spreadMs.p99} ms`,
  );
  console.log(
    `  memory per connection (growth / sockets, per process): RSS ${r.memoryPerConnectionKiB.join(' / ')} KiB, ` +
      `V8 heap ${r.heapPerConnectionKiB.join(' / ')} KiB`,
  );
}
