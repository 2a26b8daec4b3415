import { loadConfig } from '../config.js';
import { ormOptions } from './orm.js';

/** Used by the MikroORM CLI (`npx mikro-orm ...`) against DATABASE_URL. */
const config = loadConfig();
if (config.databaseUrl === undefined) throw new Error('Set DATABASE_URL to use the MikroORM CLI');
export default ormOptions(config.databaseUrl, 1);
