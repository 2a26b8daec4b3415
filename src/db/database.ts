import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { migrate, openOrm, type Orm } from './orm.js';

export interface Database {
  orm: Orm;
  /** True when running on the in-process embedded PostgreSQL. */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset, and applies migrations.
 * The embedded server accepts one connection at a time, hence the pool of one.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl !== undefined) {
    const orm = await openOrm(config.databaseUrl, config.databasePoolMax);
    await runMigrations(orm, logger);
    return { orm, embedded: false, close: () => orm.close() };
  }
  const { startEmbeddedDatabase } = await import('./embedded.js');
  logger.warn({ dataDir: config.dataDir }, 'DATABASE_URL is unset: using embedded PostgreSQL (PGlite)');
  const embedded = await startEmbeddedDatabase(config.dataDir);
  const orm = await openOrm(embedded.url, 1);
  await runMigrations(orm, logger);
  return {
    orm,
    embedded: true,
    close: async () => {
      await orm.close();
      await embedded.stop();
    },
  };
}

async function runMigrations(orm: Orm, logger: Logger): Promise<void> {
  const applied = await migrate(orm);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
}
