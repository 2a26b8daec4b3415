import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, startTestApp, type TestApp } from '../helpers/app.js';

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('health endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('GET /healthz answers 200 {status: ok}', async () => {
    expect(await getJson(`${app.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 200 when the database and the store answer', async () => {
    expect(await getJson(`${app.url}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ok', database: 'ok', store: 'ok' },
    });
  });
});

describe('readiness when a dependency is gone', () => {
  it('reports the store unavailable (503) while /healthz stays 200', async () => {
    const app = await startTestApp();
    try {
      await app.deps.kv.close();
      expect(await getJson(`${app.url}/readyz`)).toEqual({
        status: 503,
        body: { status: 'unavailable', database: 'ok', store: 'unavailable' },
      });
      expect(await getJson(`${app.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await app.stop();
    }
  });

  // Closing the ORM alone is no outage: MikroORM reconnects lazily on the next statement.
  it('reports the database unavailable (503) once its database is gone', async () => {
    const scratch = await createScratchDatabase();
    const app = await startTestApp({ DATABASE_URL: scratch.url });
    try {
      await app.deps.orm.close();
      await scratch.drop();
      expect(await getJson(`${app.url}/readyz`)).toEqual({
        status: 503,
        body: { status: 'unavailable', database: 'unavailable', store: 'ok' },
      });
      expect(await getJson(`${app.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await app.stop();
    }
  });
});
