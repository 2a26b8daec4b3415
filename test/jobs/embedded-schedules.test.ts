import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { gql, STRONG_PASSWORD, uniqueEmail } from '../helpers/app.js';
import { REGISTER, type Tokens } from '../helpers/auth.js';
import { exitWithin, spawnApi, waitForHttp, type ApiProcess } from '../helpers/server-process.js';

/**
 * `npm start` on a machine with nothing but Node.js: the embedded database's one connection carries the
 * API, the job queue and the schedule runner together, and a schedule due today is posted by the process
 * itself.
 */
describe('schedules on the embedded start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ff-embedded-jobs-'));
  let server: ApiProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('posts a schedule due today, with no DATABASE_URL and no cron outside the project', async () => {
    server = await spawnApi({ NODE_ENV: 'development', DATA_DIR: dataDir });
    // A fresh PGlite needs ~10 s to start on an idle machine; much more on a busy one.
    await waitForHttp(server, '/readyz', 90_000);
    const registered = await gql<{ register: Tokens }>(server.url, REGISTER, {
      input: { email: uniqueEmail('embedded-jobs'), password: STRONG_PASSWORD, firstName: 'Embedded' },
    });
    const token = registered.data!.register.accessToken;
    const { data } = await gql<{ accounts: { id: string }[] }>(
      server.url,
      `{ accounts { id } }`,
      {},
      { token },
    );
    const created = await gql<{ createSchedule: { id: string; nextOn: string } }>(
      server.url,
      `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id nextOn } }`,
      {
        input: {
          accountId: data!.accounts[0]!.id,
          kind: 'EXPENSE',
          amount: '4.20',
          note: 'Embedded rent',
          rule: { frequency: 'MONTHLY' },
        },
      },
      { token },
    );
    expect(created.errors, created.text).toBeUndefined();
    await vi.waitFor(
      async () => {
        const list = await gql<{
          transactions: { edges: { node: { note: string; amount: { amount: string } } }[] };
        }>(
          server!.url,
          `{ transactions(first: 5) { edges { node { note amount { amount } } } } }`,
          {},
          {
            token,
          },
        );
        expect(list.data?.transactions.edges.map((e) => e.node)).toEqual([
          { note: 'Embedded rent', amount: { amount: '4.20' } },
        ]);
      },
      { timeout: 30_000, interval: 250 },
    );
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 30_000)).toEqual({ code: 0, signal: null });
  }, 150_000);
});
