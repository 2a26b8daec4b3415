import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Deps } from '../deps.js';
import { registerScheduleJobs } from '../modules/schedule/schedule.jobs.js';
import { registerWebhookJobs } from '../modules/webhook/webhook.jobs.js';
import type { Logger } from '../shared/logger.js';
import { JobQueue } from './job-queue.js';

/**
 * The one place the job queue is created: on a real database pg-boss gets a small pool of its own, on the
 * embedded one it borrows the app's single connection. `workers` false only sends (the API when
 * `npm run worker` works the queues).
 */
export function startJobQueue(
  config: Config,
  database: Database,
  logger: Logger,
  workers: boolean,
): Promise<JobQueue> {
  return JobQueue.start({
    databaseUrl: database.embedded ? undefined : config.databaseUrl,
    poolMax: config.jobs.poolMax,
    workers,
    orm: database.orm,
    logger,
  });
}

/** Declares every queue, and works them where the queue runs workers. */
export async function registerJobs(jobs: JobQueue, deps: Deps): Promise<void> {
  await registerScheduleJobs(jobs, deps);
  await registerWebhookJobs(jobs, deps);
}
