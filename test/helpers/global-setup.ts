import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrate, openOrm } from '../../src/db/orm.js';
import { TEST_DATABASE_URL } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's own migrated database. */
    databaseUrl: string;
    /** A connection to the shared server's maintenance database, to create scratch databases. */
    adminDatabaseUrl: string;
  }
}

/**
 * Gives the run a database of its own: a fresh one on the real server (dropped at the end; other
 * schemas in `test` are never touched), or an in-memory embedded PostgreSQL when no server answers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.FF_TEST_REAL_DATABASE !== 'true') {
    const { startEmbeddedDatabase } = await import('../../src/db/embedded.js');
    const embedded = await startEmbeddedDatabase(undefined);
    await migrateOnce(embedded.url);
    project.provide('databaseUrl', embedded.url);
    project.provide('adminDatabaseUrl', embedded.url);
    return () => embedded.stop();
  }
  const name = `ff_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await dropStaleDatabases(admin);
  await admin.query(`create database ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  await migrateOnce(url);
  project.provide('databaseUrl', url);
  project.provide('adminDatabaseUrl', TEST_DATABASE_URL);
  return async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

async function migrateOnce(url: string): Promise<void> {
  const orm = await openOrm(url, 1);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Databases of runs that died before their teardown (older than a day). */
async function dropStaleDatabases(admin: pg.Client): Promise<void> {
  const cutoff = Date.now() - 24 * 3600 * 1000;
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname ~ '^ff_(test|scratch)_[0-9]+_'`,
  );
  for (const { datname } of rows) {
    if (Number(datname.split('_')[2]) < cutoff)
      await admin.query(`drop database if exists ${datname} with (force)`);
  }
}
