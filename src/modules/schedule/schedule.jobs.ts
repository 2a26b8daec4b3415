import type { JobQueue } from '../../jobs/job-queue.js';
import type { Deps } from '../../deps.js';
import { ScheduleRunner } from './schedule.runner.js';

/**
 * The queue the runner works: every minute by cron, when a worker starts, and at once for a schedule that
 * is due when it is created or resumed.
 */
export const SCHEDULES_DUE = 'schedules-due';

export interface SchedulesDueJob {
  /** Only this schedule; all due ones when absent (the cron tick). */
  scheduleId?: string;
}

export async function registerScheduleJobs(jobs: JobQueue, deps: Deps): Promise<void> {
  const runner = new ScheduleRunner(deps);
  await jobs.define<SchedulesDueJob>(
    SCHEDULES_DUE,
    async (data) => {
      await runner.runDue(data?.scheduleId);
    },
    // A tick that keeps failing gives up after about five minutes; the next tick starts over anyway.
    { retryLimit: 5, retryDelaySeconds: 5, expireInSeconds: 600 },
  );
  if (!jobs.runsWorkers) return;
  await jobs.cron(SCHEDULES_DUE, '* * * * *');
  // A process that comes back after downtime catches up now, not at the next tick.
  await jobs.send(SCHEDULES_DUE, {});
}
