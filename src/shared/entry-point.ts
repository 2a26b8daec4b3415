import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Logger } from './logger.js';

/**
 * What the API (`src/main.ts`) and the worker (`src/worker.ts`) share as processes: the configuration read
 * once (a bad one prints its message and exits 1, without a stack trace), a stop on SIGTERM or SIGINT that
 * runs once and exits 0 or 1, and a start-up failure printed in one line.
 */
export function runProcess(start: (config: Config) => Promise<void>): void {
  const run = async () => {
    let config: Config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    await start(config);
  };
  run().catch((error: unknown) => {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/** On the first SIGTERM or SIGINT: logs `message`, runs `stop`, and exits. */
export function stopOnSignals(logger: Logger, message: string, stop: () => Promise<void>): void {
  let signalled = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, message);
    try {
      await stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
