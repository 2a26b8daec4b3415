/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]` runs some of them:
 *   a  accounts with balances        b  newest 50 transactions, nested   c  month spending by category
 *   d  login                         e  createTransaction                f  accounts: personal token vs JWT
 *   ledger  1,000,000-row ledger scale
 *   reads  the read layer's mechanism against QueryBuilder, kysely and bare pg
 *   fanout  1,000 WebSocket subscribers on two processes, createTransaction reaching each family's
 *   parser  the bot's entry parser in entries/s beside a one-regex baseline
 *   bot     100 chats sending an entry at once through the real bot: p50/p99 reply time
 *   schedules  10,000 due occurrences worked off by two workers, against a bare batched INSERT
 *   webhooks  10,000 events delivered to a local receiver failing 10 % of first attempts: throughput, p99 delay
 * `--profile` also records a CPU profile of the app under each selected API scenario's load.
 * Knobs (environment): BENCH_DURATION (s per round, 5), BENCH_ROUNDS (5), BENCH_WARMUP (s, 2),
 * LEDGER_ROWS (1000000), LEDGER_RUNS (timed runs per read, 30; 15 in the full run),
 * FANOUT_CONNECTIONS (1000), FANOUT_EVENTS (200).
 * See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startApp, type RunningApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { addDays, addMonths, isoDate } from '../src/shared/dates.js';
import { startChild, type BenchChild } from './lib/child.js';
import { createBenchDatabase, REDIS_URL, type BenchDatabase } from './lib/db.js';
import { alternate, drive, type RequestSpec, type SideSummary } from './lib/load.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/profile.js';
import {
  BENCH_PASSWORD,
  countBrokenBalances,
  fixBalances,
  generateLedger,
  insertFamilies,
  type SeededFamily,
} from './lib/seed.js';
import { StatementRecorder, type Statement } from './lib/statements.js';
import { printFanoutTable, runFanout, type FanoutReport } from './fanout.js';
import { printDueOccurrencesTable, runDueOccurrences, type DueOccurrencesReport } from './due-occurrences.js';
import { printLedgerTable, runLedgerScale, type LedgerReport } from './ledger-scale.js';
import { printReadMechanismsTable, runReadMechanisms, type ReadMechanismsReport } from './read-mechanisms.js';
import { printParserTable, runParserBench, type ParserReport } from './parser.js';
import { printBotTable, runBotBench, type BotReport } from './bot.js';
import { printWebhookTable, runWebhookBench, type WebhookBenchReport } from './webhooks.js';
import { LOGIN_MUTATION, SCENARIOS, type BenchContext, type Scenario } from './scenarios.js';

const RESULTS = path.resolve(import.meta.dirname, 'results');
const API_NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
/** Benchmarks beside the API scenarios, each run by name or in the full run. */
const PARTS = ['ledger', 'reads', 'fanout', 'parser', 'bot', 'schedules', 'webhooks'] as const;
const started = Date.now();
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

interface ScenarioResult {
  name: string;
  title: string;
  connections: number;
  sides: SideSummary[];
  ratios: { against: string; ratio: number; target: number | null; pass: boolean | null }[];
  answersMatch: boolean | null;
  /** SQL statements the app ran for one request, and their text. */
  statements: number;
  statementSql: string[];
  profile?: ProfileSummary;
}

function parseArgs(argv: string[]) {
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter(
    (n) => !(API_NAMES as readonly string[]).includes(n) && !(PARTS as readonly string[]).includes(n),
  );
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark ${unknown.join(', ')}; choose from ${[...API_NAMES, ...PARTS].join(', ')}.`,
    );
    process.exit(2);
  }
  const all = names.length === 0;
  return {
    all,
    api: SCENARIOS.filter((s) => all || names.includes(s.name)),
    ledger: all || names.includes('ledger'),
    reads: all || names.includes('reads'),
    fanout: all || names.includes('fanout'),
    parser: all || names.includes('parser'),
    bot: all || names.includes('bot'),
    schedules: all || names.includes('schedules'),
    webhooks: all || names.includes('webhooks'),
    profile: argv.includes('--profile'),
  };
}

/** Seeds 10 families x 5 accounts, the default categories, 3 budgets each, ~2,000 transactions each. */
async function seedApiData(url: string, today: string): Promise<SeededFamily[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [year, month] = today.split('-').map(Number) as [number, number];
    const threeMonthsAgo = addMonths(year, month, -3);
    const families = await insertFamilies(client, {
      families: 10,
      accountsPerFamily: 5,
      emailPrefix: 'bench',
      budgetsFrom: isoDate(threeMonthsAgo.year, threeMonthsAgo.month, 1),
    });
    // 91 days x 220 a day = 20,020 transactions, 2,002 per family, the newest today.
    await generateLedger(client, {
      end: today,
      days: 91,
      perDay: 220,
      firstFamilyPerDay: 22,
      families: 10,
      accountsPerFamily: 5,
    });
    await fixBalances(client);
    await client.query('analyze');
    return families;
  } finally {
    await client.end();
  }
}

async function call(base: string, spec: RequestSpec, n = 0): Promise<{ status: number; body: string }> {
  const change = spec.perRequest?.(n) ?? {};
  const body = change.body ?? spec.body;
  const response = await fetch(`${base}${spec.path}`, {
    method: spec.method,
    headers: { 'content-type': 'application/json', ...spec.headers, ...change.headers },
    ...(body !== undefined && { body }),
  });
  return { status: response.status, body: await response.text() };
}

/** JSON with object keys sorted, so two answers compare by content, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Fetches the probe answer from the app and each baseline and says whether their `data` is the same. */
async function answersMatch(scenario: Scenario, ctx: BenchContext) {
  if (scenario.probe === undefined) return null;
  const probe = scenario.probe(ctx);
  const urls = Object.fromEntries(scenario.baselines(ctx).map((t) => [t.label, t.url]));
  const app = JSON.parse((await call(ctx.appUrl, probe.app)).body) as { data?: unknown; errors?: unknown };
  if (app.errors !== undefined)
    throw new Error(`app answered ${scenario.name} with errors: ${canonical(app)}`);
  let same = true;
  for (const [label, spec] of Object.entries(probe.baselines)) {
    const other = JSON.parse((await call(urls[label]!, spec)).body) as { data?: unknown };
    if (canonical(other.data) !== canonical(app.data)) {
      same = false;
      log(`  ANSWER MISMATCH ${scenario.name} app vs ${label}:`);
      log(`    app:      ${canonical(app.data).slice(0, 600)}`);
      log(`    ${label}: ${canonical(other.data).slice(0, 600)}`);
    }
  }
  return same;
}

/** One request of each scenario on a second, in-process app instance whose ORM statements are recorded. */
async function countStatements(
  env: Record<string, string>,
  scenarios: Scenario[],
  ctx: BenchContext,
): Promise<Map<string, Statement[]>> {
  const app: RunningApp = await startApp(loadConfig({ ...env, PORT: '0' }));
  const counts = new Map<string, Statement[]>();
  // Its polls would land in the recordings: only the requests' own statements are counted.
  await app.deps.budgetAlerts.stop();
  try {
    const recorder = new StatementRecorder(app.deps.orm);
    const local = { ...ctx, appUrl: app.url };
    for (const scenario of scenarios) {
      const spec = scenario.app(local);
      // The first request of a kind warms caches; 1_000_012 is the probe's family (n mod 10), so the probe
      // finds its caller remembered, as every request under load does, yet is a request of its own.
      await call(app.url, spec, 1_000_012);
      const { result, statements } = await recorder.record(() => call(app.url, spec, 1_000_002));
      if (result.body.includes('"errors"'))
        throw new Error(`statement probe ${scenario.name}: ${result.body}`);
      counts.set(scenario.name, statements);
    }
  } finally {
    await app.stop();
  }
  return counts;
}

async function login(appUrl: string, family: SeededFamily): Promise<string> {
  const { body } = await call(appUrl, {
    method: 'POST',
    path: '/graphql',
    body: JSON.stringify({
      query: LOGIN_MUTATION,
      variables: { input: { email: family.email, password: BENCH_PASSWORD } },
    }),
  });
  const parsed = JSON.parse(body) as { data?: { login: { accessToken: string } } };
  if (parsed.data === undefined) throw new Error(`login of ${family.email} failed: ${body}`);
  return parsed.data.login.accessToken;
}

async function createPersonalToken(appUrl: string, token: string, family: SeededFamily): Promise<string> {
  const { body } = await call(appUrl, {
    method: 'POST',
    path: '/graphql',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation ($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { secret } }`,
      variables: {
        input: {
          name: 'bench',
          scopes: ['READ'],
          familyId: family.familyId,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      },
    }),
  });
  const parsed = JSON.parse(body) as { data?: { createAccessToken: { secret: string } } };
  if (parsed.data === undefined) throw new Error(`createAccessToken for ${family.email} failed: ${body}`);
  return parsed.data.createAccessToken.secret;
}

interface RoundSettings {
  duration: number;
  rounds: number;
  warmup: number;
}

async function runApi(
  scenarios: Scenario[],
  settings: RoundSettings,
  profile: boolean,
): Promise<ScenarioResult[]> {
  log(
    `API scenarios ${scenarios.map((s) => s.name).join(', ')}: ${settings.rounds} alternating rounds of ${settings.duration} s`,
  );
  let db: BenchDatabase | undefined;
  const children: BenchChild[] = [];
  try {
    db = await createBenchDatabase('ff_bench');
    const today = new Date().toISOString().slice(0, 10);
    const families = await seedApiData(db.url, today);
    log(`database ${db.name}: migrated and seeded (10 families, 50 accounts, 20,020 transactions)`);

    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '10',
      REDIS_URL,
      REDIS_KEY_PREFIX: `ffbench:${stamp}:`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'silent',
      GRAPHQL_INTROSPECTION: 'false',
      // Logins may then come from a distinct X-Forwarded-For each, so the per-IP limit never binds.
      TRUSTED_PROXIES: 'loopback',
      // Counted on every request (the cost measured in f), but never reached.
      ACCESS_TOKEN_RATE_LIMIT: '1000000000',
    };
    const app = await startChild('app', env);
    children.push(app);
    const baseline = await startChild('baseline', { ...env, BENCH_PASSWORD });
    children.push(baseline);

    const tokens = await Promise.all(families.map((f) => login(app.urls.app!, f)));
    const personalTokens = await Promise.all(
      families.map((f, i) => createPersonalToken(app.urls.app!, tokens[i]!, f)),
    );
    const [year, month] = today.split('-').map(Number) as [number, number];
    const last = addMonths(year, month, -1);
    const from = isoDate(last.year, last.month, 1);
    const ctx: BenchContext = {
      appUrl: app.urls.app!,
      rawUrl: baseline.urls.raw!,
      apolloUrl: baseline.urls.apollo!,
      families,
      tokens,
      personalTokens,
      month: { from, to: addDays(isoDate(year, month, 1), -1) },
      runTag: stamp,
    };

    const statements = await countStatements(env, scenarios, ctx);
    for (const [name, list] of statements) log(`scenario ${name}: ${list.length} SQL statements per request`);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      log(`scenario ${scenario.name}: ${scenario.title} (${scenario.connections} connections)`);
      const match = await answersMatch(scenario, ctx);
      if (match === true) log('  answers match across sides');
      const targets = [
        { label: 'app', url: ctx.appUrl, request: scenario.app(ctx) },
        ...scenario.baselines(ctx),
      ];
      const sides = await alternate(targets, { ...settings, connections: scenario.connections }, log);
      const appSide = sides[0]!;
      const result: ScenarioResult = {
        name: scenario.name,
        title: scenario.title,
        connections: scenario.connections,
        sides,
        ratios: sides.slice(1).map((side) => {
          const ratio = appSide.rps / side.rps;
          const reference = side.label === scenario.reference;
          return {
            against: side.label,
            ratio,
            target: reference ? scenario.target : null,
            pass: reference ? ratio >= scenario.target : null,
          };
        }),
        answersMatch: match,
        statements: statements.get(scenario.name)?.length ?? 0,
        statementSql: (statements.get(scenario.name) ?? []).map((st) =>
          st.sql.replace(/\s+/g, ' ').slice(0, 400),
        ),
      };
      if (profile) {
        const file = path.join(RESULTS, `${stamp}-${scenario.name}-app.cpuprofile`);
        await app.profileStart();
        await drive(targets[0]!, scenario.connections, Math.max(settings.duration, 5));
        await app.profileStop(file);
        result.profile = await summarizeProfile(file);
        log(`  profile written: ${path.relative(process.cwd(), file)}`);
      }
      results.push(result);
    }
    if (scenarios.some((s) => s.name === 'e')) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const broken = await countBrokenBalances(client);
      await client.end();
      log(
        `ledger invariant after createTransaction load: ${broken === 0 ? 'holds' : `BROKEN on ${broken} accounts`}`,
      );
    }
    if (statements.has('b')) {
      log('scenario b statements:');
      for (const s of statements.get('b')!) log(`    ${s.sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    return results;
  } finally {
    for (const child of children.reverse()) await child.stop();
    await db?.drop();
  }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

/** Which code was measured: the commit, and the files of src/ and migrations/ changed on top of it. */
function codeUnderTest(): { commit: string; uncommitted: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'migrations');
    return { commit: git('rev-parse', 'HEAD'), uncommitted: changed === '' ? [] : changed.split('\n') };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

function printApiTable(results: ScenarioResult[]): void {
  const header = ['scen', 'side', 'req/s', 'p50 ms', 'p99 ms', 'fails', 'app/side', 'target', 'result'];
  const rows: string[][] = [];
  for (const r of results) {
    r.sides.forEach((side, i) => {
      const ratio = i === 0 ? undefined : r.ratios[i - 1]!;
      rows.push([
        i === 0 ? r.name : '',
        side.label,
        fmt(side.rps),
        fmt(side.p50),
        fmt(side.p99),
        String(side.failures),
        ratio === undefined ? '' : `${fmt(ratio.ratio, 2)}x`,
        ratio?.target == null ? '' : `>= ${ratio.target}x`,
        ratio?.pass == null ? '' : ratio.pass ? 'PASS' : 'FAIL',
      ]);
    });
    if (r.name === 'b') {
      rows.push([
        '',
        'SQL statements/request',
        String(r.statements),
        '',
        '',
        '',
        '',
        '<= 3',
        r.statements <= 3 ? 'PASS' : 'FAIL',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log("(medians of the rounds; app/side = app req/s divided by that side's req/s in the same run)");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rounds: RoundSettings = {
    duration: numberFromEnv('BENCH_DURATION', 5),
    rounds: numberFromEnv('BENCH_ROUNDS', 5),
    warmup: numberFromEnv('BENCH_WARMUP', 2),
  };
  const ledger = {
    rows: numberFromEnv('LEDGER_ROWS', 1_000_000),
    runs: numberFromEnv('LEDGER_RUNS', args.all ? 15 : 30),
  };
  const fanout = {
    connections: numberFromEnv('FANOUT_CONNECTIONS', 1000),
    events: numberFromEnv('FANOUT_EVENTS', 200),
  };
  mkdirSync(path.join(RESULTS, 'plans'), { recursive: true });
  const report: {
    startedAt: string;
    machine: Record<string, unknown>;
    code: ReturnType<typeof codeUnderTest>;
    settings: Record<string, unknown>;
    api?: ScenarioResult[];
    ledger?: LedgerReport;
    reads?: ReadMechanismsReport;
    fanout?: FanoutReport;
    parser?: ParserReport;
    bot?: BotReport;
    schedules?: DueOccurrencesReport;
    webhooks?: WebhookBenchReport;
    durationSeconds?: number;
  } = {
    startedAt: new Date(started).toISOString(),
    machine: {
      loadAverageAtStart: os.loadavg(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      platform: os.platform(),
    },
    code: codeUnderTest(),
    settings: {
      ...rounds,
      ledgerRows: ledger.rows,
      ledgerRuns: ledger.runs,
      fanoutConnections: fanout.connections,
      fanoutEvents: fanout.events,
      profile: args.profile,
    },
  };
  if (args.api.length > 0) report.api = await runApi(args.api, rounds, args.profile);
  if (args.ledger) {
    report.ledger = await runLedgerScale({ ...ledger, plansDir: path.join(RESULTS, 'plans', stamp), log });
  }
  // In-process reads settle fast: rounds of 2 s keep the full run under its budget.
  if (args.reads) {
    report.reads = await runReadMechanisms({ ...rounds, duration: Math.min(rounds.duration, 2), log });
  }
  if (args.fanout) report.fanout = await runFanout({ ...fanout, log, stamp });
  if (args.parser) {
    log('parser: entries per second on the corpus');
    report.parser = runParserBench({ rounds: rounds.rounds, seconds: Math.min(rounds.duration, 2) });
  }
  if (args.bot) {
    report.bot = await runBotBench({
      chats: 100,
      rounds: rounds.rounds,
      log,
      ...(args.profile && { profileFile: path.join(RESULTS, `${stamp}-bot-app.cpuprofile`) }),
    });
  }
  if (args.schedules) report.schedules = await runDueOccurrences({ log });
  if (args.webhooks) report.webhooks = await runWebhookBench({ log });
  report.durationSeconds = Math.round((Date.now() - started) / 1000);
  report.machine.loadAverageAtEnd = os.loadavg();

  if (report.api !== undefined) {
    printApiTable(report.api);
    for (const r of report.api)
      if (r.profile) console.log(`\n${formatProfile(`(${r.name}) app`, r.profile)}`);
  }
  if (report.ledger !== undefined) printLedgerTable(report.ledger);
  if (report.reads !== undefined) printReadMechanismsTable(report.reads);
  if (report.fanout !== undefined) printFanoutTable(report.fanout);
  if (report.parser !== undefined) printParserTable(report.parser);
  if (report.bot !== undefined) {
    printBotTable(report.bot);
    if (report.bot.profile) console.log(`\n${formatProfile('(bot) app', report.bot.profile)}`);
  }
  if (report.schedules !== undefined) printDueOccurrencesTable(report.schedules);
  if (report.webhooks !== undefined) printWebhookTable(report.webhooks);
  const load = (values: unknown) => (values as number[]).map((n) => n.toFixed(1)).join(' ');
  console.log(
    `\nMachine: ${os.cpus().length} cores, load average ${load(report.machine.loadAverageAtStart)} at start, ` +
      `${load(report.machine.loadAverageAtEnd)} at the end (1/5/15 min); ratios are same-run, absolute numbers are not.`,
  );
  console.log(
    `Code: ${report.code.commit.slice(0, 12)}` +
      (report.code.uncommitted.length > 0 ? ` + uncommitted: ${report.code.uncommitted.join(', ')}` : ''),
  );
  const file = path.join(RESULTS, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)} (${report.durationSeconds} s in all)`);
}

await main();
