import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { col, shape, type Row } from '../src/db/rows.js';
import { openOrm, type Orm } from '../src/db/orm.js';
import { Account } from '../src/modules/account/account.entity.js';
import { LedgerTransaction } from '../src/modules/transaction/transaction.entity.js';
import { isoDate } from '../src/shared/dates.js';
import { createBenchDatabase } from './lib/db.js';
import { median } from './lib/load.js';
import { fixBalances, generateLedger, insertFamilies, type SeededFamily } from './lib/seed.js';

/**
 * `npm run bench -- reads`: the read layer's mechanism against the ones it was chosen over, on the same
 * two reads, in one process, on the real PostgreSQL:
 *
 *   accounts   a family's open accounts, ordered (the read of scenario a);
 *   page       a family's newest 50 transactions with their account, category and creator joined (b).
 *
 * Each read is written four ways, each producing the same typed values (amounts as bigint):
 *
 *   read layer     `shape` declarations (src/db/rows.ts), SQL text built once, `em.execute`;
 *   QueryBuilder   MikroORM's QueryBuilder, raw rows (`execute('all', false)`), mapped by hand;
 *   kysely         MikroORM 7's kysely instance (`em.getKysely<Tables>()`), mapped by hand;
 *   pg             a pg Pool and a parameterised statement: the floor, with no library between.
 *
 * Every side runs with 10 reads in flight (the pool's size) for `duration` seconds per round, the sides
 * alternating over `rounds` rounds; the medians are compared with pg's from the same run. Answers are
 * checked to be equal before anything is timed.
 */

export interface MechanismTiming {
  read: string;
  mechanism: string;
  opsPerSecond: number;
  /** ops/s divided by pg's ops/s in the same run. */
  ratio: number;
}

export interface ReadMechanismsReport {
  rounds: number;
  duration: number;
  timings: MechanismTiming[];
}

const IN_FLIGHT = 10;
const PAGE = 50;

interface AccountValue {
  id: string;
  name: string;
  type: string;
  currency: string;
  archived: boolean;
  balance: bigint;
  openingBalance: bigint;
}

interface TransactionValue {
  id: string;
  seq: string;
  kind: string;
  occurredOn: string;
  amount: bigint;
  currency: string;
  note: string | null;
  account: { id: string; name: string };
  category: { id: string; name: string } | null;
  createdBy: { id: string; firstName: string };
}

/** The columns kysely reads, as the database names them (bigints arrive as text from pg). */
interface Tables {
  account: {
    id: string;
    family_id: string;
    name: string;
    type: string;
    currency: string;
    archived: boolean;
    balance: string;
    opening_balance: string;
  };
  ledger_transaction: {
    id: string;
    family_id: string;
    seq: string;
    kind: string;
    occurred_on: string;
    amount: string;
    currency: string;
    note: string | null;
    account_id: string;
    category_id: string | null;
    created_by_id: string;
  };
  category: { id: string; name: string };
  app_user: { id: string; first_name: string };
}

type Reader<T> = (familyId: string) => Promise<T[]>;

interface Mechanisms<T> {
  'read layer': Reader<T>;
  QueryBuilder: Reader<T>;
  kysely: Reader<T>;
  pg: Reader<T>;
}

// The read layer: a shape per object, as the app declares them.
const ACCOUNT = shape({
  id: col.text('id'),
  name: col.text('name'),
  type: col.text('type'),
  currency: col.text('currency'),
  archived: col.bool('archived'),
  balance: col.bigint('balance'),
  openingBalance: col.bigint('opening_balance'),
});
const TRANSACTION = shape({
  id: col.text('id'),
  seq: col.int64('seq'),
  kind: col.text('kind'),
  occurredOn: col.date('occurred_on'),
  amount: col.bigint('amount'),
  currency: col.text('currency'),
  note: col.textOrNull('note'),
});
const NAMED = shape({ id: col.text('id'), name: col.text('name') });
const MEMBER = shape({ id: col.text('id'), firstName: col.text('first_name') });

const ACCOUNTS_SQL = `select ${ACCOUNT.select('x')} from account x
  where x.family_id = ? and not x.archived order by x.name, x.id`;
const PAGE_SQL = `select ${TRANSACTION.select('t')}, ${NAMED.select('a', 'a_')}, ${NAMED.select('c', 'c_')},
    ${MEMBER.select('u', 'u_')}
  from ledger_transaction t join account a on a.id = t.account_id
  left join category c on c.id = t.category_id join app_user u on u.id = t.created_by_id
  where t.family_id = ? order by t.occurred_on desc, t.seq desc limit ${PAGE}`;

// The other mechanisms hand back untyped rows; each maps them to the same values.
const accountOf = (r: Row): AccountValue => ({
  id: r.id as string,
  name: r.name as string,
  type: r.type as string,
  currency: r.currency as string,
  archived: r.archived as boolean,
  balance: BigInt(r.balance as string),
  openingBalance: BigInt(r.opening_balance as string),
});
const transactionOf = (r: Row): TransactionValue => ({
  id: r.id as string,
  seq: String(r.seq),
  kind: r.kind as string,
  occurredOn: r.occurred_on as string,
  amount: BigInt(r.amount as string),
  currency: r.currency as string,
  note: r.note as string | null,
  account: { id: r.a_id as string, name: r.a_name as string },
  category: r.c_id == null ? null : { id: r.c_id as string, name: r.c_name as string },
  createdBy: { id: r.u_id as string, firstName: r.u_first_name as string },
});

function accountReaders(orm: Orm, pool: pg.Pool): Mechanisms<AccountValue> {
  const em = () => orm.em.fork() as EntityManager;
  return {
    'read layer': async (familyId) =>
      (await em().execute<Row[]>(ACCOUNTS_SQL, [familyId])).map((row) => ACCOUNT.read(row)),
    QueryBuilder: async (familyId) => {
      const rows = await em()
        .createQueryBuilder(Account, 'x')
        .select(['id', 'name', 'type', 'currency', 'archived', 'balance', 'openingBalance'])
        .where({ family: familyId, archived: false })
        .orderBy({ name: 'asc', id: 'asc' })
        .execute<Row[]>('all', false);
      return rows.map(accountOf);
    },
    kysely: async (familyId) => {
      const rows = await em()
        .getKysely<Tables>()
        .selectFrom('account as x')
        .select(['x.id', 'x.name', 'x.type', 'x.currency', 'x.archived', 'x.balance', 'x.opening_balance'])
        .where('x.family_id', '=', familyId)
        .where('x.archived', '=', false)
        .orderBy('x.name')
        .orderBy('x.id')
        .execute();
      return rows.map((row) => accountOf(row as Row));
    },
    pg: async (familyId) =>
      (
        await pool.query(
          `select id, name, type, currency, archived, balance::text, opening_balance::text from account
           where family_id = $1 and not archived order by name, id`,
          [familyId],
        )
      ).rows.map(accountOf),
  };
}

function pageReaders(orm: Orm, pool: pg.Pool): Mechanisms<TransactionValue> {
  const em = () => orm.em.fork() as EntityManager;
  return {
    'read layer': async (familyId) =>
      (await em().execute<Row[]>(PAGE_SQL, [familyId])).map((row) => ({
        ...TRANSACTION.read(row),
        account: NAMED.read(row, 'a_'),
        category: row.c_id == null ? null : NAMED.read(row, 'c_'),
        createdBy: MEMBER.read(row, 'u_'),
      })),
    QueryBuilder: async (familyId) => {
      const rows = await em()
        .createQueryBuilder(LedgerTransaction, 't')
        .select([
          't.id',
          't.kind',
          't.amount',
          't.currency',
          't.note',
          // The QueryBuilder maps property names but casts and aliases go in as raw SQL.
          raw('t.seq::text as seq'),
          raw('t.occurred_on::text as occurred_on'),
          raw('a.id as a_id'),
          raw('a.name as a_name'),
          raw('c.id as c_id'),
          raw('c.name as c_name'),
          raw('u.id as u_id'),
          raw('u.first_name as u_first_name'),
        ])
        .join('t.account', 'a')
        .leftJoin('t.category', 'c')
        .join('t.createdBy', 'u')
        .where({ family: familyId })
        .orderBy({ occurredOn: 'desc', seq: 'desc' })
        .limit(PAGE)
        .execute<Row[]>('all', false);
      return rows.map(transactionOf);
    },
    kysely: async (familyId) => {
      const rows = await em()
        .getKysely<Tables>()
        .selectFrom('ledger_transaction as t')
        .innerJoin('account as a', 'a.id', 't.account_id')
        .leftJoin('category as c', 'c.id', 't.category_id')
        .innerJoin('app_user as u', 'u.id', 't.created_by_id')
        .select((eb) => [
          't.id',
          't.seq',
          't.kind',
          eb.cast<string>('t.occurred_on', 'text').as('occurred_on'),
          't.amount',
          't.currency',
          't.note',
          'a.id as a_id',
          'a.name as a_name',
          'c.id as c_id',
          'c.name as c_name',
          'u.id as u_id',
          'u.first_name as u_first_name',
        ])
        .where('t.family_id', '=', familyId)
        .orderBy('t.occurred_on', 'desc')
        .orderBy('t.seq', 'desc')
        .limit(PAGE)
        .execute();
      return rows.map((row) => transactionOf(row as Row));
    },
    pg: async (familyId) =>
      (
        await pool.query(
          `select t.id, t.seq::text, t.kind, t.occurred_on::text, t.amount::text, t.currency, t.note,
                  a.id as a_id, a.name as a_name, c.id as c_id, c.name as c_name,
                  u.id as u_id, u.first_name as u_first_name
           from ledger_transaction t join account a on a.id = t.account_id
           left join category c on c.id = t.category_id join app_user u on u.id = t.created_by_id
           where t.family_id = $1 order by t.occurred_on desc, t.seq desc limit ${PAGE}`,
          [familyId],
        )
      ).rows.map(transactionOf),
  };
}

/** The same value whoever built it: plain JSON, bigints as text, own fields in one order. */
const canonical = (values: unknown[]): string =>
  JSON.stringify(values, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((k) => [k, record[k]]),
      );
    }
    return value;
  });

/** Reads for `seconds` with IN_FLIGHT in flight, families in turn; reads per second. */
async function throughput(read: Reader<unknown>, families: string[], seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (offset: number) => {
    for (let n = offset; performance.now() < until; n += IN_FLIGHT) {
      await read(families[n % families.length]!);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => worker(i)));
  return done / ((performance.now() - started) / 1000);
}

export async function runReadMechanisms(options: {
  rounds: number;
  duration: number;
  log: (line: string) => void;
}): Promise<ReadMechanismsReport> {
  const db = await createBenchDatabase('ff_bench_reads');
  let orm: Orm | undefined;
  const pool = new pg.Pool({ connectionString: db.url, max: IN_FLIGHT });
  try {
    options.log('reads: seeding 10 families, 5 accounts each, 4,004 transactions');
    const seed = new pg.Client({ connectionString: db.url });
    await seed.connect();
    let families: SeededFamily[];
    try {
      const today = new Date();
      families = await insertFamilies(seed, {
        families: 10,
        accountsPerFamily: 5,
        emailPrefix: 'reads',
        budgetsFrom: isoDate(today.getUTCFullYear(), today.getUTCMonth() + 1, 1),
      });
      await generateLedger(seed, {
        end: today.toISOString().slice(0, 10),
        days: 91,
        perDay: 44,
        firstFamilyPerDay: 4,
        families: 10,
        accountsPerFamily: 5,
      });
      await fixBalances(seed);
      await seed.query('analyze');
    } finally {
      await seed.end();
    }
    orm = await openOrm(db.url, IN_FLIGHT);
    const ids = families.map((f) => f.familyId);
    const timings: MechanismTiming[] = [];
    const reads: [string, Mechanisms<unknown>][] = [
      ['accounts', accountReaders(orm, pool)],
      ['page', pageReaders(orm, pool)],
    ];
    for (const [read, mechanisms] of reads) {
      const sides = Object.entries(mechanisms) as [string, Reader<unknown>][];
      // Same answer from every side, for two families, before anything is timed.
      for (const familyId of ids.slice(0, 2)) {
        const answers = await Promise.all(sides.map(async ([, r]) => canonical(await r(familyId))));
        const differing = sides.filter((_, i) => answers[i] !== answers[0]).map(([name]) => name);
        if (differing.length > 0) throw new Error(`${read}: ${differing.join(', ')} answer differently`);
        if (answers[0] === '[]') throw new Error(`${read}: no rows to read`);
      }
      for (const [, r] of sides) await throughput(r, ids, 1); // warm-up
      const samples = new Map<string, number[]>(sides.map(([name]) => [name, []]));
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const [name, r] of sides) samples.get(name)!.push(await throughput(r, ids, options.duration));
        options.log(
          `    ${read} round ${round}/${options.rounds}: ` +
            sides.map(([name]) => `${name} ${samples.get(name)!.at(-1)!.toFixed(0)}/s`).join(' | '),
        );
      }
      const floor = median(samples.get('pg')!);
      for (const [name] of sides) {
        const opsPerSecond = median(samples.get(name)!);
        timings.push({ read, mechanism: name, opsPerSecond, ratio: opsPerSecond / floor });
      }
    }
    return { rounds: options.rounds, duration: options.duration, timings };
  } finally {
    await orm?.close();
    await pool.end();
    await db.drop();
  }
}

export function printReadMechanismsTable(report: ReadMechanismsReport): void {
  console.log('\nread      mechanism       reads/s   vs pg');
  console.log('--------  ------------  ---------  ------');
  for (const t of report.timings) {
    console.log(
      `${t.read.padEnd(8)}  ${t.mechanism.padEnd(12)}  ${t.opsPerSecond.toFixed(0).padStart(9)}  ${t.ratio.toFixed(2).padStart(5)}x`,
    );
  }
  console.log(
    `(medians of ${report.rounds} rounds of ${report.duration} s each, ${IN_FLIGHT} reads in flight, in one process)`,
  );
}
