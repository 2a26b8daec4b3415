import { createServer } from 'node:http';
import express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { createDeps } from './deps.js';
import { registerJobMetrics } from './jobs/job-metrics.js';
import { registerJobs, startJobQueue } from './jobs/jobs.js';
import { systemClock } from './shared/clock.js';
import { MemoryStore } from './shared/kv/index.js';
import { runProcess, stopOnSignals } from './shared/entry-point.js';
import { createLogger } from './shared/logger.js';

/**
 * `npm run worker`: works the job queues (and the budget-alert outbox) without serving the API, for a
 * deployment whose API processes run with JOBS_IN_PROCESS=false. Serves /health and /metrics only.
 */
async function main(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
    service: 'worker',
  });
  const database = await openDatabase(config, logger);
  const jobs = await startJobQueue(config, database, logger, true);
  // Jobs touch no session, rate limit or cache: the key-value store is there because the deps have one.
  const kv = new MemoryStore(systemClock);
  const deps = createDeps({ config, clock: systemClock, orm: database.orm, kv, logger, jobs });
  await registerJobs(jobs, deps);
  // Expenses the jobs record are checked for budget alerts here too, not only by the API processes.
  deps.budgetAlerts.start();

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerJobMetrics(registry, jobs);
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', async (_req, res) => {
    try {
      await database.orm.em.getConnection().execute('select 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.jobs.workerPort, config.host, () => resolve());
  });
  logger.info({ port: config.jobs.workerPort }, 'worker ready: working the job queues');

  stopOnSignals(logger, 'worker shutting down: finishing jobs in progress', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobs.stop();
    await deps.budgetAlerts.stop();
    await database.close();
    await kv.close();
  });
}

runProcess(main);
