import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openOrm, type Orm } from '../src/db/orm.js';
import { createDeps, type Deps } from '../src/deps.js';
import { AccountService } from '../src/modules/account/account.service.js';
import { FamilyAccess } from '../src/modules/family/family-access.js';
import { readCaller } from '../src/modules/auth/caller.js';
import { ReportService } from '../src/modules/report/report.service.js';
import { ScheduleService } from '../src/modules/schedule/schedule.service.js';
import { TransactionService } from '../src/modules/transaction/transaction.service.js';
import { addDays, isoDate } from '../src/shared/dates.js';
import { ManualClock } from '../src/shared/clock.js';
import { MemoryStore } from '../src/shared/kv/index.js';
import { createLogger } from '../src/shared/logger.js';
import * as sql from './lib/baseline-sql.js';
import { createBenchDatabase } from './lib/db.js';
import { median } from './lib/load.js';
import {
  countBrokenBalances,
  fixBalances,
  generateLedger,
  insertFamilies,
  withIndexesRebuilt,
} from './lib/seed.js';
import { StatementRecorder, type Statement } from './lib/statements.js';

/**
 * The ledger at scale (`npm run bench -- ledger`). Two databases with the same schema:
 *
 *   10,000 rows      one family, 10 accounts, 100 transactions a day over the last 100 days;
 *   1,000,000 rows   100 families, 1,000 accounts, 500 a day over 2,000 days, family 0 having the same
 *                    100 a day (200,000 rows) interleaved with the other 99 families' rows.
 *
 * Family 0's newest 100 days hold the same rows in both, so its balance read, newest page and month report
 * answer over the same data; only the table around them grows. The deep page starts 100,000 rows down
 * (at 10,000 rows: at the deepest full page, 9,950 rows down) through the keyset cursor.
 *
 * Each read runs through the service layer (the app's services on a fresh EntityManager, exactly what a
 * resolver calls) and as the best raw SQL (one statement on a pg Pool), interleaved, median of N runs.
 * EXPLAIN (ANALYZE, BUFFERS) of every statement either side runs is saved under bench/results/plans/.
 */

export interface LedgerOptions {
  rows: number;
  runs: number;
  plansDir: string;
  log: (line: string) => void;
}

export interface ReadTiming {
  read: string;
  /** Rows skipped before the page (deep page only). */
  depth?: number;
  serviceMs: number;
  rawMs: number;
  serviceP90Ms: number;
  rawP90Ms: number;
  /** SQL statements the service ran for one read. */
  statements: number;
  /** Rows (or groups) returned, service vs raw; they must agree. */
  resultSize: [number, number];
}

export interface ScaleResult {
  label: string;
  rows: number;
  familyRows: number;
  seedSeconds: number;
  reads: ReadTiming[];
}

export interface LedgerReport {
  runs: number;
  scales: ScaleResult[];
  checks: {
    read: string;
    growth: number;
    growthPass: boolean;
    serviceVsRaw: number;
    serviceVsRawPass: boolean;
  }[];
  plansDir: string;
}

const ROWS_PER_DAY_FAMILY_0 = 100;
const DEEP_PAGE = 100_000;

interface ScaleShape {
  label: string;
  rows: number;
  perDay: number;
  families: number;
}

interface Read {
  name: string;
  depth?: number;
  service(services: Services): Promise<number>;
  raw: { text: string; params: unknown[] };
}

interface Services {
  accounts: AccountService;
  transactions: TransactionService;
  reports: ReportService;
}

/** The last day of the previous calendar month: the ledger's newest day, so its month is complete. */
function ledgerEnd(): string {
  const now = new Date();
  return addDays(isoDate(now.getUTCFullYear(), now.getUTCMonth() + 1, 1), -1);
}

async function seedScale(url: string, shape: ScaleShape, end: string, log: (line: string) => void) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const phases: string[] = [];
  let phaseStart = process.hrtime.bigint();
  const phase = (name: string) => {
    phases.push(`${name} ${(elapsedMs(phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = process.hrtime.bigint();
  };
  try {
    await client.query('set synchronous_commit = off');
    const days = Math.round(shape.rows / shape.perDay);
    const families = await insertFamilies(client, {
      families: shape.families,
      accountsPerFamily: 10,
      emailPrefix: 'ledger',
      budgetsFrom: addDays(end, -(days - 1)),
    });
    const inserted = await withIndexesRebuilt(client, 'ledger_transaction', async () => {
      const count = await generateLedger(client, {
        end,
        days,
        perDay: shape.perDay,
        firstFamilyPerDay: ROWS_PER_DAY_FAMILY_0,
        families: shape.families,
        accountsPerFamily: 10,
      });
      phase('insert');
      return count;
    });
    phase('indexes');
    await fixBalances(client);
    phase('balances');
    await client.query('vacuum analyze');
    phase('vacuum analyze');
    const broken = await countBrokenBalances(client);
    if (broken > 0) throw new Error(`ledger seed broke the balance invariant on ${broken} accounts`);
    phase('invariant check');
    log(`  seed phases: ${phases.join(', ')}`);
    const { rows } = await client.query<{ n: string }>(
      'select count(*)::text as n from ledger_transaction where family_id = $1',
      [families[0]!.familyId],
    );
    return { family: families[0]!, inserted, familyRows: Number(rows[0]!.n) };
  } finally {
    await client.end();
  }
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
};

async function explain(pool: pg.Pool, text: string, params: readonly unknown[]): Promise<string> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, [
    ...params,
  ]);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

async function savePlans(
  file: string,
  pool: pg.Pool,
  orm: Orm,
  read: Read,
  statements: Statement[],
): Promise<void> {
  const platform = orm.em.getPlatform();
  const parts = [
    `# ${read.name}: raw SQL\n${read.raw.text.trim()}\n-- params: ${JSON.stringify(read.raw.params)}\n`,
  ];
  parts.push(await explain(pool, read.raw.text, read.raw.params));
  for (const [i, statement] of statements.entries()) {
    const formatted = platform.formatQuery(statement.sql, [...statement.params]);
    parts.push(`\n# ${read.name}: service statement ${i + 1}/${statements.length}\n${formatted}\n`);
    if (/^\s*(select|with)\b/i.test(formatted)) parts.push(await explain(pool, formatted, []));
  }
  writeFileSync(file, `${parts.join('\n')}\n`);
}

/** One seeded database, ready to be read: its ORM and pool, and the four reads for family 0. */
interface Scale {
  shape: ScaleShape;
  rows: number;
  familyRows: number;
  seedSeconds: number;
  orm: Orm;
  pool: pg.Pool;
  reads: Read[];
  /** The services of one request: a fresh unit of work, the session and memberships read anew. */
  services(): Promise<Services>;
  close(): Promise<void>;
}

async function openScale(shape: ScaleShape, end: string, options: LedgerOptions): Promise<Scale> {
  const seedStart = process.hrtime.bigint();
  const db = await createBenchDatabase(`ff_bench_ledger_${shape.families}`);
  let seeded: Awaited<ReturnType<typeof seedScale>>;
  try {
    seeded = await seedScale(db.url, shape, end, options.log);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const { family, inserted, familyRows } = seeded;
  const seedSeconds = elapsedMs(seedStart) / 1000;
  options.log(
    `ledger ${shape.label}: ${inserted.toLocaleString('en')} transactions seeded in ${seedSeconds.toFixed(0)} s ` +
      `(family 0: ${familyRows.toLocaleString('en')} rows)`,
  );
  const orm = await openOrm(db.url, 2);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const close = async () => {
    await pool.end();
    await orm.close();
    await db.drop();
  };
  try {
    const clock = new ManualClock();
    const deps: Deps = createDeps({
      config: loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        JWT_SECRET: randomBytes(48).toString('base64url'),
        LOG_LEVEL: 'silent',
      }),
      clock,
      orm,
      kv: new MemoryStore(clock),
      logger: createLogger('silent'),
    });
    // A live session of family 0's owner: each request checks it along with the memberships (readCaller).
    const principal = { userId: family.userId, sessionId: randomUUID() };
    await pool.query(
      `insert into auth_session (id, user_id, created_at, last_used_at, expires_at) values ($1, $2, now(), now(), now() + interval '1 day')`,
      [principal.sessionId, principal.userId],
    );

    const depth = Math.min(DEEP_PAGE, familyRows - 50);
    const cursorRow = (
      await pool.query<{ occurred_on: string; seq: string }>(
        `select occurred_on::text as occurred_on, seq::text as seq from ledger_transaction
          where family_id = $1 order by occurred_on desc, seq desc offset $2 limit 1`,
        [family.familyId, depth - 1],
      )
    ).rows[0]!;
    const cursor = Buffer.from(`${cursorRow.occurred_on}~${cursorRow.seq}`).toString('base64url');
    const month = { from: `${end.slice(0, 8)}01`, to: end };
    const reads: Read[] = [
      {
        name: 'balance read',
        service: async (s) => (await s.accounts.list(null, false)).length,
        raw: { text: sql.ACCOUNTS, params: [family.userId] },
      },
      {
        name: 'newest 50',
        // the ledger rows alone, as the raw SQL reads them (a query selecting no related object)
        service: async (s) =>
          (await s.transactions.reads.list(null, null, { first: 50 }, new Set())).edges.length,
        raw: { text: sql.TRANSACTION_FIRST_PAGE, params: [family.userId, 51] },
      },
      {
        name: 'deep page',
        depth,
        service: async (s) =>
          (await s.transactions.reads.list(null, null, { first: 50, after: cursor }, new Set())).edges.length,
        raw: {
          text: sql.TRANSACTION_PAGE,
          params: [family.userId, cursorRow.occurred_on, cursorRow.seq, 51],
        },
      },
      {
        name: 'month report',
        service: async (s) =>
          (await s.reports.spendingByCategory(null, month.from, month.to)).categories.length,
        raw: { text: sql.SPENDING_BY_CATEGORY, params: [family.userId, month.from, month.to] },
      },
    ];
    return {
      shape,
      rows: inserted,
      familyRows,
      seedSeconds,
      orm,
      pool,
      reads,
      async services() {
        const em = orm.em.fork() as EntityManager;
        const access = new FamilyAccess(em, await readCaller(em, principal));
        return {
          accounts: new AccountService(deps, em, access),
          transactions: new TransactionService(deps, em, access),
          reports: new ReportService(deps, em, access, new ScheduleService(deps, em, access)),
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface Samples {
  service: number[];
  raw: number[];
  /** Rows (pages, balances) or groups (report) each side answered with, last run. */
  sizes: [number, number];
}

const noSamples = (): Samples => ({ service: [], raw: [], sizes: [0, 0] });

/** One timed service read and one timed raw read, appended to `samples`. */
async function sample(scale: Scale, read: Read, samples: Samples): Promise<void> {
  let start = process.hrtime.bigint();
  samples.sizes[0] = await read.service(await scale.services());
  samples.service.push(elapsedMs(start));
  start = process.hrtime.bigint();
  const { rowCount } = await scale.pool.query(read.raw.text, read.raw.params);
  samples.raw.push(elapsedMs(start));
  // The raw page queries fetch one row more than the page, to know whether another page follows.
  samples.sizes[1] =
    read.depth !== undefined || read.name === 'newest 50' ? Math.min(rowCount ?? 0, 50) : (rowCount ?? 0);
}

/**
 * Times every read on every scale. The scales take turns run by run (small, large, small, large, ...), so a
 * busy moment of the machine lands on both and the growth ratio stays a same-moment comparison.
 */
async function measure(scales: Scale[], options: LedgerOptions): Promise<ScaleResult[]> {
  mkdirSync(options.plansDir, { recursive: true });
  const timings = scales.map(() => [] as ReadTiming[]);
  const recorders = scales.map((scale) => new StatementRecorder(scale.orm));
  for (const [r, name] of scales[0]!.reads.map((read, i) => [i, read.name] as const)) {
    for (let warm = 0; warm < 5; warm++) {
      for (const scale of scales) await sample(scale, scale.reads[r]!, noSamples());
    }
    const samples = scales.map(noSamples);
    for (let run = 0; run < options.runs; run++) {
      for (const [i, scale] of scales.entries()) await sample(scale, scale.reads[r]!, samples[i]!);
    }
    const line: string[] = [];
    for (const [i, scale] of scales.entries()) {
      const read = scale.reads[r]!;
      const { statements } = await recorders[i]!.record(async () => read.service(await scale.services()));
      const slug = `${scale.shape.label.replace(/\D/g, '')}-${name.replace(/\s+/g, '-')}`;
      await savePlans(path.join(options.plansDir, `${slug}.txt`), scale.pool, scale.orm, read, statements);
      const { service, raw, sizes } = samples[i]!;
      timings[i]!.push({
        read: name,
        ...(read.depth !== undefined && { depth: read.depth }),
        serviceMs: median(service),
        rawMs: median(raw),
        serviceP90Ms: percentile(service, 90),
        rawP90Ms: percentile(raw, 90),
        statements: statements.length,
        resultSize: [...sizes],
      });
      line.push(
        `@${scale.shape.label} service ${median(service).toFixed(2)} ms (${statements.length} statements), ` +
          `raw ${median(raw).toFixed(2)} ms, rows ${sizes.join('/')}`,
      );
    }
    options.log(`  ${name}: ${line.join(' | ')}`);
  }
  return scales.map((scale, i) => ({
    label: scale.shape.label,
    rows: scale.rows,
    familyRows: scale.familyRows,
    seedSeconds: scale.seedSeconds,
    reads: timings[i]!,
  }));
}

export async function runLedgerScale(options: LedgerOptions): Promise<LedgerReport> {
  const end = ledgerEnd();
  options.log(
    `ledger scale: 10,000 vs ${options.rows.toLocaleString('en')} rows, ${options.runs} runs per read`,
  );
  const scales: Scale[] = [];
  try {
    scales.push(await openScale({ label: '10,000', rows: 10_000, perDay: 100, families: 1 }, end, options));
    scales.push(
      await openScale(
        { label: options.rows.toLocaleString('en'), rows: options.rows, perDay: 500, families: 100 },
        end,
        options,
      ),
    );
    const [small, large] = (await measure(scales, options)) as [ScaleResult, ScaleResult];
    const checks = large.reads.map((read, i) => {
      const growth = read.serviceMs / small.reads[i]!.serviceMs;
      const serviceVsRaw = read.serviceMs / read.rawMs;
      return {
        read: read.read,
        growth,
        growthPass: growth <= 1.5,
        serviceVsRaw,
        serviceVsRawPass: serviceVsRaw <= 2,
      };
    });
    return { runs: options.runs, scales: [small, large], checks, plansDir: options.plansDir };
  } finally {
    for (const scale of scales) await scale.close();
  }
}

export function printLedgerTable(report: LedgerReport): void {
  const [small, large] = report.scales as [ScaleResult, ScaleResult];
  const header = [
    'ledger read',
    `svc @${small.label}`,
    `raw @${small.label}`,
    `svc @${large.label}`,
    `raw @${large.label}`,
    'growth',
    '<= 1.5x',
    'svc/raw',
    '<= 2x',
  ];
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const rows = large.reads.map((read, i) => {
    const before = small.reads[i]!;
    const check = report.checks[i]!;
    const name = read.depth === undefined ? read.read : `${read.read} (${before.depth}/${read.depth} deep)`;
    return [
      name,
      ms(before.serviceMs),
      ms(before.rawMs),
      ms(read.serviceMs),
      ms(read.rawMs),
      `${check.growth.toFixed(2)}x`,
      check.growthPass ? 'PASS' : 'FAIL',
      `${check.serviceVsRaw.toFixed(2)}x`,
      check.serviceVsRawPass ? 'PASS' : 'FAIL',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log(
    `(median of ${report.runs} runs; growth = service time at ${large.label} rows / at ${small.label}; ` +
      `svc/raw at ${large.label}; statements per service read: ${large.reads.map((r) => r.statements).join('/')}; ` +
      `plans: ${path.relative(process.cwd(), report.plansDir)})`,
  );
}
