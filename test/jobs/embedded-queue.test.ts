import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { openOrm, type Orm } from '../../src/db/orm.js';
import { registerJobMetrics } from '../../src/jobs/job-metrics.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/shared/logger.js';
import { Registry } from 'prom-client';

/**
 * The embedded start (`npm start` without DATABASE_URL) has one database connection: the job queue must
 * start and work jobs over the app's own pool of one, next to the app's own statements.
 */
describe('job queue on embedded PostgreSQL (PGlite, one connection)', () => {
  let embedded: EmbeddedDatabase;
  let orm: Orm;
  let queue: JobQueue;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    embedded = await startEmbeddedDatabase(undefined);
    orm = await openOrm(embedded.url, 1);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    queue = await JobQueue.start({
      databaseUrl: undefined,
      poolMax: 2,
      workers: true,
      orm,
      logger: createLogger('info', { destination: sink }),
    });
  }, 120_000);

  afterAll(async () => {
    await queue?.stop();
    await orm?.close();
    await embedded?.stop();
  }, 60_000);

  it('works every job sent, while the app uses the same connection', async () => {
    const seen: number[] = [];
    await queue.define<{ n: number }>('embedded-echo', async ({ n }) => {
      // A statement of the handler's own on the one connection, as a real job would make.
      await orm.em.fork().execute('select 1');
      seen.push(n);
    });
    for (let n = 0; n < 30; n++) await queue.send('embedded-echo', { n });
    await vi.waitFor(() => expect(seen.length).toBe(30), { timeout: 60_000, interval: 100 });
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    expect(queue.counts.completed.get('embedded-echo')).toBe(30);
  }, 90_000);

  it('retries a failing job with backoff, then logs it at error level and counts it as dead', async () => {
    let attempts = 0;
    await queue.define(
      'embedded-broken',
      async () => {
        attempts++;
        throw new Error('always broken');
      },
      { retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 30 },
    );
    await queue.send('embedded-broken', {});
    await vi.waitFor(() => expect(queue.counts.dead.get('embedded-broken')).toBe(1), {
      timeout: 60_000,
      interval: 100,
    });
    expect(attempts).toBe(2);
    expect(queue.counts.failed.get('embedded-broken')).toBe(2);
    const dead = logs.filter((line) => line.msg === 'job failed for good');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ level: 50, queue: 'embedded-broken' });
    expect(typeof dead[0]!.jobId).toBe('string');

    const registry = new Registry();
    registerJobMetrics(registry, queue);
    const text = await registry.metrics();
    expect(text).toContain('jobs_dead_total{queue="embedded-broken"} 1');
    expect(text).toContain('jobs_failed_total{queue="embedded-broken"} 2');
    expect(text).toContain('jobs_completed_total{queue="embedded-echo"} 30');
  }, 90_000);
});
