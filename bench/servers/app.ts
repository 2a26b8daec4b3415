import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { serveParent } from '../lib/child.js';

/**
 * The API under test, exactly as `npm start` builds it (startApp), configured from the environment the
 * parent gives it: NODE_ENV=production, silent logs, the bench database, the real Redis.
 */
const app = await startApp(loadConfig(process.env));
serveParent({ app: app.url }, () => app.stop());
