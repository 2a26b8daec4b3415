import type { Config } from './config.js';
import type { Orm } from './db/orm.js';
import { AccessTokens } from './modules/auth/access-tokens.js';
import { BudgetAlertWorker } from './modules/budget/budget-alerts.js';
import type { Clock } from './shared/clock.js';
import type { KeyValueStore } from './shared/kv/kv-store.js';
import type { Logger } from './shared/logger.js';
import { RateLimiter } from './shared/rate-limit.js';

/** The long-lived collaborators every request shares; built once at start-up. */
export interface Deps {
  config: Config;
  clock: Clock;
  orm: Orm;
  kv: KeyValueStore;
  logger: Logger;
  accessTokens: AccessTokens;
  rateLimiter: RateLimiter;
  /** Evaluates budget alerts after commit; started and stopped with the app. */
  budgetAlerts: BudgetAlertWorker;
}

export function createDeps(base: Pick<Deps, 'config' | 'clock' | 'orm' | 'kv' | 'logger'>): Deps {
  return {
    ...base,
    accessTokens: new AccessTokens(base.config.jwt, base.clock),
    rateLimiter: new RateLimiter(base.kv),
    budgetAlerts: new BudgetAlertWorker(base.orm, base.clock, base.logger),
  };
}
