import { PgBoss, type JobResult, type JobWithMetadata } from 'pg-boss';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../shared/logger.js';

/**
 * Durable jobs on pg-boss: a job is a row in PostgreSQL (schema `pgboss`), so it survives restarts, and
 * workers claim rows with FOR UPDATE SKIP LOCKED, so a job runs in one process however many replicas
 * poll. Cron entries (`boss.schedule`) send one job per tick across all instances.
 *
 * Why pg-boss and not graphile-worker: both were tried on the embedded start, whose database serves ONE
 * connection. pg-boss started in about 0.3 s over the app's own pool (its `pglite` backend polls and needs
 * no LISTEN) and worked off 50 jobs; graphile-worker keeps a connection for LISTEN, so on one connection
 * its adding and fetching starved and no job completed within 30 s.
 *
 * The budget-alert outbox (`budget_alert_check`) stays where it is: its row is written by the same SQL
 * statement that records the expense, and a queue API cannot join that statement without writing into
 * pg-boss's tables by hand. A separate `send` after commit would lose the check on a crash in between,
 * which is the gap the outbox closes; it already is a SKIP LOCKED queue in every process.
 */

/** How a queue retries: `retryLimit` more attempts, waiting `retryDelay` seconds doubled each time. */
export interface QueuePolicy {
  retryLimit: number;
  retryDelaySeconds: number;
  /** No wait between attempts is longer than this (seconds); unlimited when absent. */
  retryDelayMaxSeconds?: number;
  /**
   * Jobs taken per fetch (default 20), and whether a fetch's jobs run at once rather than one after
   * another: for jobs that mostly wait on the network (webhook deliveries).
   */
  batchSize?: number;
  parallel?: boolean;
  /** A job still running after this long is failed (and retried). */
  expireInSeconds: number;
}

export const DEFAULT_POLICY: QueuePolicy = { retryLimit: 5, retryDelaySeconds: 5, expireInSeconds: 300 };

/** Jobs taken per fetch; a worker handles them one after another and settles each on its own. */
const BATCH = 20;
/** How often an idle worker looks for jobs. */
const POLL_SECONDS = 1;

export interface JobQueueOptions {
  /** A real PostgreSQL URL, or undefined for the embedded one (then `orm` lends its one connection). */
  databaseUrl: string | undefined;
  /** pg-boss's own pool on a real database. */
  poolMax: number;
  /** Run workers and cron here; false: this process only sends jobs. */
  workers: boolean;
  orm: Orm;
  logger: Logger;
}

/** What a handler knows of its job: `final` is true on its last attempt (if it throws, it is dead). */
type Handler<T> = (data: T, job: { id: string; queue: string; final: boolean }) => Promise<void>;

/** Outcome counters by queue, read by the /metrics endpoints. */
export interface JobCounts {
  completed: Map<string, number>;
  /** Attempts that failed (each retry counts). */
  failed: Map<string, number>;
  /** Jobs that failed their last attempt and will not run again. */
  dead: Map<string, number>;
}

export class JobQueue {
  readonly counts: JobCounts = { completed: new Map(), failed: new Map(), dead: new Map() };
  private started = false;
  private readonly stopHooks: (() => Promise<void>)[] = [];

  private constructor(
    private readonly boss: PgBoss,
    readonly runsWorkers: boolean,
    private readonly logger: Logger,
  ) {}

  /** Creates and starts the queue (installing or migrating pg-boss's schema when needed). */
  static async start(options: JobQueueOptions): Promise<JobQueue> {
    const common = {
      schema: 'pgboss',
      // A process that only sends leaves maintenance and cron to the workers.
      supervise: options.workers,
      schedule: options.workers,
    };
    let boss: PgBoss;
    if (options.databaseUrl !== undefined) {
      boss = new PgBoss({ ...common, connectionString: options.databaseUrl, max: options.poolMax });
    } else {
      // The embedded database serves one connection: pg-boss shares the app's pool of one.
      const pool = await options.orm.em.getConnection().getNativeClient();
      boss = new PgBoss({
        ...common,
        backend: 'pglite',
        db: { executeSql: (text, values) => pool.query(text, values) },
      });
    }
    const queue = new JobQueue(boss, options.workers, options.logger);
    // pg-boss reports trouble of its own (a failed poll, maintenance) here; without a listener it throws.
    boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
    await boss.start();
    queue.started = true;
    return queue;
  }

  /**
   * Declares a queue and, in a process that runs workers, works it with `handler`. A job whose handler
   * throws is retried with exponential backoff; one that fails its last attempt is logged at error level
   * with its queue and id, and counted as dead.
   */
  async define<T extends object>(
    queue: string,
    handler: Handler<T>,
    policy: QueuePolicy = DEFAULT_POLICY,
  ): Promise<void> {
    const options = {
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelaySeconds,
      retryBackoff: true,
      ...(policy.retryDelayMaxSeconds !== undefined && { retryDelayMax: policy.retryDelayMaxSeconds }),
      expireInSeconds: policy.expireInSeconds,
    };
    await this.boss.createQueue(queue, options);
    // A queue made by an earlier release keeps its old policy unless told: the code's policy wins.
    await this.boss.updateQueue(queue, options);
    if (!this.runsWorkers) return;
    await this.boss.work<
      T,
      unknown,
      { batchSize: number; pollingIntervalSeconds: number; includeMetadata: true; perJobResults: true }
    >(
      queue,
      {
        batchSize: policy.batchSize ?? BATCH,
        pollingIntervalSeconds: POLL_SECONDS,
        includeMetadata: true,
        perJobResults: true,
      },
      async (jobs: JobWithMetadata<T>[]) => {
        if (policy.parallel === true) return Promise.all(jobs.map((job) => this.run(queue, job, handler)));
        const results: JobResult[] = [];
        for (const job of jobs) results.push(await this.run(queue, job, handler));
        return results;
      },
    );
  }

  /** Adds a job to a defined queue; it runs in whichever process works the queue. */
  async send(queue: string, data: object): Promise<void> {
    await this.boss.send(queue, data);
  }

  /**
   * Adds jobs with ids of the caller's choosing in one statement; a job whose id is already in the queue
   * is left as it is, so sending the same ids again is harmless. `policy`, when given, overrides the
   * queue's for these jobs.
   */
  async sendWithIds(
    queue: string,
    jobs: { id: string; data: object }[],
    policy?: QueuePolicy,
  ): Promise<void> {
    if (jobs.length === 0) return;
    // The policy travels with each job: processes of another configuration share the queue's defaults.
    const options =
      policy === undefined
        ? {}
        : {
            retryLimit: policy.retryLimit,
            retryDelay: policy.retryDelaySeconds,
            retryBackoff: true,
            expireInSeconds: policy.expireInSeconds,
            ...(policy.retryDelayMaxSeconds !== undefined && { retryDelayMax: policy.retryDelayMaxSeconds }),
          };
    await this.boss.insert(
      queue,
      jobs.map((job) => ({ ...job, ...options })),
    );
  }

  /** Sends a job to `queue` on every tick of `cron` (UTC), once per tick across all instances. */
  async cron(queue: string, cron: string): Promise<void> {
    await this.boss.schedule(queue, cron);
  }

  /** Runs `hook` when the queue stops, before pg-boss does (pollers that feed it, e.g. an outbox). */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** Stops fetching, waits up to `timeoutMs` for jobs in progress, then closes pg-boss's connections. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const hook of this.stopHooks) await hook();
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }

  private async run<T>(queue: string, job: JobWithMetadata<T>, handler: Handler<T>): Promise<JobResult> {
    try {
      await handler(job.data, { id: job.id, queue, final: job.retryCount >= job.retryLimit });
      increment(this.counts.completed, queue);
      return { id: job.id, status: 'completed' };
    } catch (error) {
      increment(this.counts.failed, queue);
      const final = job.retryCount >= job.retryLimit;
      if (final) {
        increment(this.counts.dead, queue);
        this.logger.error(
          { err: error, queue, jobId: job.id, attempts: job.retryCount + 1 },
          'job failed for good',
        );
      } else {
        this.logger.warn(
          { err: error, queue, jobId: job.id, attempt: job.retryCount + 1 },
          'job failed; it will be retried',
        );
      }
      return {
        id: job.id,
        status: 'failed',
        output: { message: error instanceof Error ? error.message : String(error) },
      };
    }
  }
}

const increment = (counts: Map<string, number>, queue: string) =>
  counts.set(queue, (counts.get(queue) ?? 0) + 1);
