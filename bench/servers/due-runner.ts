import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { openOrm } from '../../src/db/orm.js';
import { createDeps } from '../../src/deps.js';
import { ScheduleRunner } from '../../src/modules/schedule/schedule.runner.js';
import { systemClock } from '../../src/shared/clock.js';
import { MemoryStore } from '../../src/shared/kv/index.js';
import { createLogger } from '../../src/shared/logger.js';

/**
 * One worker of `npm run bench -- schedules`: the schedule runner as a `schedules-due` job runs it, in a
 * process of its own with its own pool, started on the parent's word so both workers begin together.
 */
const url = process.env.BENCH_DUE_DATABASE_URL!;
const orm = await openOrm(url, 5);
const deps = createDeps({
  config: loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: url,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    LOG_LEVEL: 'silent',
  }),
  clock: systemClock,
  orm,
  kv: new MemoryStore(systemClock),
  logger: createLogger('silent'),
});
const runner = new ScheduleRunner(deps);

process.on('message', (message: { type: 'run' | 'stop' }) => {
  void (async () => {
    if (message.type === 'stop') {
      await orm.close();
      process.exit(0);
    }
    const started = performance.now();
    try {
      const handled = await runner.runDue();
      process.send!({ type: 'done', handled, ms: performance.now() - started });
    } catch (error) {
      process.send!({ type: 'done', error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.send!({ type: 'ready' });
