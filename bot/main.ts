import { pino } from 'pino';
import { startBot } from './bot.js';
import { BotConfigError, loadBotConfig } from './config.js';

/** config -> API client, chat store -> Telegraf -> polling or webhook -> signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadBotConfig();
  } catch (error) {
    if (error instanceof BotConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'bot' } });
  const running = await startBot(config, logger);
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping the bot');
    await running.stop();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
