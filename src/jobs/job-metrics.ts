import { Counter, type Registry } from 'prom-client';
import type { JobCounts, JobQueue } from './job-queue.js';

const OUTCOMES: { name: string; help: string; pick: (counts: JobCounts) => Map<string, number> }[] = [
  { name: 'jobs_completed_total', help: 'Jobs this process completed, by queue', pick: (c) => c.completed },
  {
    name: 'jobs_failed_total',
    help: 'Job attempts that failed in this process (each retry counts), by queue',
    pick: (c) => c.failed,
  },
  {
    name: 'jobs_dead_total',
    help: 'Jobs whose last attempt failed in this process: they will not run again, by queue',
    pick: (c) => c.dead,
  },
];

/** Adds the job outcome counters of `jobs` to `registry` (the API's and the worker's /metrics). */
export function registerJobMetrics(registry: Registry, jobs: JobQueue): void {
  for (const outcome of OUTCOMES) {
    new Counter({
      name: outcome.name,
      help: outcome.help,
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [queue, count] of outcome.pick(jobs.counts)) this.inc({ queue }, count);
      },
    });
  }
}
