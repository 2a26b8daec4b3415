import { defineConfig } from 'vitest/config';
import { TEST_DATABASE_URL, TEST_REDIS_URL, probeTestServers } from './test/helpers/environment.js';

const servers = await probeTestServers();
// First line of the run says which servers the tests talk to.
process.stdout.write(
  `Test servers: PostgreSQL ${servers.realDatabase ? TEST_DATABASE_URL : 'EMBEDDED (PGlite; none reachable)'}, ` +
    `Redis ${servers.realRedis ? TEST_REDIS_URL : 'IN-PROCESS (none reachable)'}\n`,
);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    env: {
      FF_TEST_REAL_DATABASE: String(servers.realDatabase),
      FF_TEST_REAL_REDIS: String(servers.realRedis),
    },
    // The embedded database serves one connection, so its test files run one at a time.
    fileParallelism: servers.realDatabase,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
