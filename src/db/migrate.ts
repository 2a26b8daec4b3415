import { loadConfig } from '../config.js';
import { createLogger } from '../shared/logger.js';
import { openDatabase } from './database.js';

/** `npm run migrate` applies pending migrations; `npm run migrate -- down` reverts the last one. */
const config = loadConfig();
const logger = createLogger(config.logLevel);
const database = await openDatabase(config, logger);
try {
  if (process.argv[2] === 'down') {
    const reverted = await database.orm.migrator.down();
    logger.info({ reverted: reverted.map((m) => m.name) }, 'migration reverted');
  } else {
    logger.info('database is up to date');
  }
} finally {
  await database.close();
}
