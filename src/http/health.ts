import { Router } from 'express';
import type { Orm } from '../db/orm.js';
import type { KeyValueStore } from '../shared/kv/kv-store.js';

const CHECK_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process answers. /readyz: the database and the key-value store answer too. */
export function healthRoutes(orm: Orm, kv: KeyValueStore): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, store] = await Promise.all([
      check(() => orm.em.getConnection().execute('select 1')),
      check(() => kv.ping()),
    ]);
    const ready = database === 'ok' && store === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', database, store });
  });
  return router;
}
