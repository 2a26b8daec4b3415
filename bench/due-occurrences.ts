import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { addDays } from '../src/shared/dates.js';
import { createBenchDatabase } from './lib/db.js';
import { insertFamilies } from './lib/seed.js';

/**
 * `npm run bench -- schedules`: 10,000 due occurrences (2,000 daily auto-post schedules of 100 families,
 * each five days behind) worked off by two workers at once, each a process running the schedule runner
 * with its own pool: every occurrence must become exactly one transaction. Against it, in the same run
 * and database, a bare batched INSERT of the same rows (the transactions and the occurrence rows, 1,000
 * per statement, no balances, no checks): the floor of writing them at all.
 */

export interface DueOccurrencesReport {
  occurrences: number;
  workers: number;
  /** Wall time from "go" until both workers were done. */
  runnerMs: number;
  /** How many each worker handled. */
  perWorker: number[];
  bareInsertMs: number;
  /** runnerMs / bareInsertMs. */
  ratio: number;
  exactlyOnce: boolean;
  balancesHold: boolean;
}

const FAMILIES = 100;
const SCHEDULES_PER_FAMILY = 20;
const DAYS_BEHIND = 5;
const BATCH = 1000;

interface Worker {
  child: ChildProcess;
  next(): Promise<{ handled?: number; ms?: number; error?: string }>;
}

async function startWorker(url: string): Promise<Worker> {
  const script = fileURLToPath(new URL('./servers/due-runner.ts', import.meta.url));
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DUE_DATABASE_URL: url },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  child.on('message', (message) => {
    const waiter = waiting.shift();
    if (waiter === undefined) messages.push(message);
    else waiter(message);
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const queued = messages.shift();
      if (queued !== undefined) return resolve(queued);
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`due worker exited (${code})`)));
    });
  await next(); // ready
  return { child, next: next as Worker['next'] };
}

export async function runDueOccurrences(options: {
  log: (line: string) => void;
}): Promise<DueOccurrencesReport> {
  const db = await createBenchDatabase('ff_bench_due');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const workers: Worker[] = [];
  try {
    const today = new Date().toISOString().slice(0, 10);
    const first = addDays(today, 1 - DAYS_BEHIND);
    const families = await insertFamilies(client, {
      families: FAMILIES,
      accountsPerFamily: 1,
      emailPrefix: 'due',
      budgetsFrom: first,
    });
    await client.query(
      `insert into schedule (id, family_id, account_id, kind, amount, currency, note, mode, rrule, starts_on,
                             next_on, created_by_id, created_at, updated_at)
       select gen_random_uuid(), f.family_id, f.account_id, 'expense', 100 + n, 'EUR', 'bench ' || n, 'auto_post',
              $4, $3::date, $3::date, f.user_id, now(), now()
         from unnest($1::uuid[], $2::uuid[], $5::uuid[]) as f(family_id, account_id, user_id)
        cross join generate_series(1, $6::int) as n`,
      [
        families.map((f) => f.familyId),
        families.map((f) => f.accounts[0]),
        first,
        `FREQ=DAILY;UNTIL=${today.replaceAll('-', '')}T000000Z`,
        families.map((f) => f.userId),
        SCHEDULES_PER_FAMILY,
      ],
    );
    const { rows: due } = await client.query<{
      schedule_id: string;
      family_id: string;
      account_id: string;
      amount: string;
      user_id: string;
      day: string;
    }>(
      `select s.id as schedule_id, s.family_id, s.account_id, s.amount::text, s.created_by_id as user_id,
              d::date::text as day
         from schedule s cross join generate_series($1::date, $2::date, interval '1 day') as d
        order by s.id, d`,
      [first, today],
    );
    const occurrences = due.length;
    options.log(`due occurrences: ${occurrences.toLocaleString('en')} seeded`);

    // The floor: the same transactions and occurrence rows, inserted in batches, then removed again.
    const bareStart = performance.now();
    await client.query('begin');
    for (let i = 0; i < due.length; i += BATCH) {
      const batch = due.slice(i, i + BATCH);
      const column = <K extends keyof (typeof due)[number]>(key: K) => batch.map((row) => row[key]);
      await client.query(
        `with rows as (
           select gen_random_uuid() as tx, * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::uuid[], $6::date[])
             as r(schedule_id, family_id, account_id, amount, user_id, day)
         ), tx as (
           insert into ledger_transaction (id, family_id, kind, occurred_on, amount, currency, account_id, note, tags,
                                           created_by_id, paid_by_id, idempotency_key, created_at, updated_at)
           select tx, family_id, 'expense', day, amount, 'EUR', account_id, null, '{}', user_id, user_id,
                  'schedule:' || schedule_id || ':' || day, now(), now() from rows
         )
         insert into schedule_occurrence (id, schedule_id, family_id, occurs_on, status, transaction_id, created_at, resolved_at)
         select gen_random_uuid(), schedule_id, family_id, day, 'posted', tx, now(), now() from rows`,
        [
          column('schedule_id'),
          column('family_id'),
          column('account_id'),
          column('amount'),
          column('user_id'),
          column('day'),
        ],
      );
    }
    await client.query('commit');
    const bareInsertMs = performance.now() - bareStart;
    await client.query(`delete from schedule_occurrence`);
    await client.query(`delete from ledger_transaction`);
    await client.query('vacuum analyze');
    options.log(`bare batched INSERT: ${bareInsertMs.toFixed(0)} ms`);

    workers.push(await startWorker(db.url), await startWorker(db.url));
    const start = performance.now();
    for (const worker of workers) worker.child.send({ type: 'run' });
    const results = await Promise.all(workers.map((worker) => worker.next()));
    const runnerMs = performance.now() - start;
    for (const result of results) if (result.error !== undefined) throw new Error(result.error);
    options.log(`two workers: ${runnerMs.toFixed(0)} ms (${results.map((r) => r.handled).join(' + ')})`);

    const { rows: once } = await client.query<{ transactions: number; keys: number; occurrences: number }>(
      `select (select count(*)::int from ledger_transaction) as transactions,
              (select count(distinct idempotency_key)::int from ledger_transaction) as keys,
              (select count(*)::int from schedule_occurrence where transaction_id is not null) as occurrences`,
    );
    const { rows: broken } = await client.query<{ n: number }>(
      `select count(*)::int as n from account a
        where a.balance <> a.opening_balance - (select coalesce(sum(t.amount), 0) from ledger_transaction t
                                                where t.account_id = a.id)`,
    );
    const exactlyOnce =
      once[0]!.transactions === occurrences &&
      once[0]!.keys === occurrences &&
      once[0]!.occurrences === occurrences;
    return {
      occurrences,
      workers: workers.length,
      runnerMs,
      perWorker: results.map((r) => r.handled ?? 0),
      bareInsertMs,
      ratio: runnerMs / bareInsertMs,
      exactlyOnce,
      balancesHold: broken[0]!.n === 0,
    };
  } finally {
    for (const worker of workers) worker.child.send({ type: 'stop' });
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.child.once('exit', resolve))));
    await client.end();
    await db.drop();
  }
}

export function printDueOccurrencesTable(report: DueOccurrencesReport): void {
  const per = (ms: number) => ((ms / report.occurrences) * 1000).toFixed(0);
  console.log(`\nDue occurrences (${report.occurrences.toLocaleString('en')}, ${report.workers} workers)`);
  console.log(
    `  runner, two workers at once   ${report.runnerMs.toFixed(0).padStart(7)} ms  ${per(report.runnerMs)} µs/occurrence  (${report.perWorker.join(' + ')})`,
  );
  console.log(
    `  bare batched INSERT           ${report.bareInsertMs.toFixed(0).padStart(7)} ms  ${per(report.bareInsertMs)} µs/occurrence`,
  );
  console.log(`  ratio runner / bare           ${report.ratio.toFixed(1)}x`);
  console.log(
    `  each occurrence posted once: ${report.exactlyOnce ? 'yes' : 'NO'}; balances = opening + ledger: ${report.balancesHold ? 'yes' : 'NO'}`,
  );
}
