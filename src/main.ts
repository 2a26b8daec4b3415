import { startApp } from './app.js';
import type { Config } from './config.js';
import { runProcess, stopOnSignals } from './shared/entry-point.js';
import { createLogger } from './shared/logger.js';

/** config -> app (ORM, store, schema, HTTP) -> signals. */
async function main(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
  });
  const app = await startApp(config, { logger });
  logger.info(
    `API ready at ${app.url}/graphql${config.graphql.introspection ? ' (Apollo Sandbox: open it in a browser)' : ''}`,
  );

  stopOnSignals(logger, 'shutting down: draining requests', () => app.stop());
}

runProcess(main);
