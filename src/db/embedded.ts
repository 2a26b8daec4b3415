import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../shared/net.js';

export interface EmbeddedDatabase {
  /** A postgres:// URL the normal driver connects to. Serve one connection at a time. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served over the wire protocol on a loopback port so the
 * normal postgres driver, migrations and psql work unchanged. Loaded with dynamic import so a production
 * process with DATABASE_URL set never loads it. `dataDir` undefined keeps the data in memory.
 */
export async function startEmbeddedDatabase(dataDir: string | undefined): Promise<EmbeddedDatabase> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  let db;
  if (dataDir === undefined) {
    db = await PGlite.create();
  } else {
    const pgdata = path.resolve(dataDir, 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    db = await PGlite.create(pgdata);
  }
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 1 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
