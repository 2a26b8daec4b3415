import { defineConfig } from 'vitest/config';
import { TEST_DATABASE_URL, TEST_REDIS_URL, probeTestServers } from './test/helpers/environment.js';

const servers = await probeTestServers();
// First line of the run says which servers the tests talk to.
process.stdout.write(
  `Test servers: PostgreSQL ${servers.realDatabase ? TEST_DATABASE_URL : 'EMBEDDED (PGlite; none reachable)'}, ` +
    `Redis ${servers.realRedis ? TEST_REDIS_URL : 'IN-PROCESS (none reachable)'}\n`,
);

// Read by the global setup (this process) and inherited by the test workers.
process.env.FF_TEST_REAL_DATABASE = String(servers.realDatabase);
process.env.FF_TEST_REAL_REDIS = String(servers.realRedis);

export default defineConfig({
  resolve: {
    // One graphql for everyone: vite would otherwise hand our code the ESM build and type-graphql the
    // CommonJS one, and scalars defined in one are unknown to the other.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // The embedded database serves one connection, so its test files run one at a time.
    fileParallelism: servers.realDatabase,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
