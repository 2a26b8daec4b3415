import type { Config } from './config.js';
import type { Orm } from './db/orm.js';
import { AccessTokens } from './modules/auth/access-tokens.js';
import { LoginThrottle } from './modules/auth/login-throttle.js';
import { CallerCache } from './modules/auth/caller-cache.js';
import { LocalSessionEvents, type SessionEvents } from './modules/auth/session-events.js';
import { BudgetAlertWorker } from './modules/budget/budget-alerts.js';
import { LiveEvents } from './modules/live/live-events.js';
import type { JobQueue } from './jobs/job-queue.js';
import { PersonalTokenAuth } from './modules/pat/pat.auth.js';
import type { Clock } from './shared/clock.js';
import type { KeyValueStore } from './shared/kv/kv-store.js';
import type { Logger } from './shared/logger.js';
import { LeasedRateLimiter } from './shared/leased-rate-limit.js';
import { RateLimiter } from './shared/rate-limit.js';
import { AccountMail } from './modules/auth/account-mail.js';
import { BackgroundTasks } from './shared/background.js';
import { createMailer, type Mailer } from './shared/mailer.js';

/** The long-lived collaborators every request shares; built once at start-up. */
export interface Deps {
  config: Config;
  clock: Clock;
  orm: Orm;
  kv: KeyValueStore;
  logger: Logger;
  accessTokens: AccessTokens;
  /** Personal access tokens presented as Bearer credentials (K1). */
  personalTokens: PersonalTokenAuth;
  rateLimiter: RateLimiter;
  loginThrottle: LoginThrottle;
  /** The callers of live sessions this process remembers; kept true by `sessionEvents`. */
  callers: CallerCache;
  /** Where services announce changes to sessions, memberships and family settings, after they commit. */
  sessionEvents: SessionEvents;
  /** Work requests start and do not wait for (mail); drained on shutdown. */
  background: BackgroundTasks;
  mailer: Mailer;
  /** Verification and password-reset mails, sent in the background. */
  accountMail: AccountMail;
  /** Evaluates budget alerts after commit; started and stopped with the app. */
  budgetAlerts: BudgetAlertWorker;
  /** Where services announce committed changes to live subscribers, across processes. */
  live: LiveEvents;
  /** Durable jobs (pg-boss); absent where a tool builds the deps without one (the benchmarks). */
  jobs?: JobQueue;
}

export function createDeps(
  base: Pick<Deps, 'config' | 'clock' | 'orm' | 'kv' | 'logger'> &
    Partial<Pick<Deps, 'callers' | 'sessionEvents' | 'live' | 'jobs'>>,
): Deps {
  const callers = base.callers ?? new CallerCache(base.clock);
  const live = base.live ?? LiveEvents.local(base.logger);
  const background = new BackgroundTasks(base.logger);
  const mailer = createMailer(base.config, base.logger);
  return {
    ...base,
    accessTokens: new AccessTokens(base.config.jwt, base.clock),
    personalTokens: new PersonalTokenAuth(
      callers,
      base.clock,
      new LeasedRateLimiter(base.kv, base.clock, base.config.rateLimits.accessToken),
    ),
    rateLimiter: new RateLimiter(base.kv),
    loginThrottle: new LoginThrottle(
      base.kv,
      base.clock,
      base.config.loginThrottle,
      base.config.rateLimits.login,
    ),
    callers,
    sessionEvents: base.sessionEvents ?? new LocalSessionEvents(callers),
    budgetAlerts: new BudgetAlertWorker(base.orm, base.clock, base.logger, live),
    live,
    background,
    mailer,
    accountMail: new AccountMail({ ...base, mailer, background }),
  };
}
