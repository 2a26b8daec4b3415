import pg from 'pg';
import { migrate, openOrm } from '../../src/db/orm.js';

/** The server the benchmarks run on; its maintenance database is used to create and drop theirs. */
export const ADMIN_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates `<prefix>_<timestamp>` on the real server and applies the app's migrations to it. Databases of
 * bench runs that died before dropping theirs (older than six hours) are dropped first.
 */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname ~ '^ff_bench_([a-z0-9]+_)*[0-9]{13}$'`,
    );
    const cutoff = Date.now() - 6 * 3600 * 1000;
    for (const { datname } of rows) {
      if (Number(datname.split('_').at(-1)) < cutoff)
        await admin.query(`drop database if exists ${datname} with (force)`);
    }
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(ADMIN_DATABASE_URL, name);
  const orm = await openOrm(url, 1);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  return {
    name,
    url,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
