import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from './deps.js';
import type { RequestRecord } from './http/request-log.js';
import { AuthService, type RequestMeta } from './modules/auth/auth.service.js';
import type { Caller } from './modules/auth/caller.js';
import type { RefreshCookie } from './modules/auth/refresh-cookie.js';
import { createLoaders, type Loaders } from './graphql/loaders.js';
import { AccountService } from './modules/account/account.service.js';
import { BudgetService } from './modules/budget/budget.service.js';
import { CategoryService } from './modules/category/category.service.js';
import { FamilyAccess } from './modules/family/family-access.js';
import { FamilyReads } from './modules/family/family.reads.js';
import { FamilyService } from './modules/family/family.service.js';
import { GoalService } from './modules/goal/goal.service.js';
import { NotificationService } from './modules/notification/notification.service.js';
import { RateService } from './modules/rate/rate.service.js';
import { ScheduleService } from './modules/schedule/schedule.service.js';
import { ReportService } from './modules/report/report.service.js';
import { TelegramService } from './modules/telegram/telegram.service.js';
import { UserService } from './modules/auth/user.service.js';
import { TelegramGroupService } from './modules/telegram/telegram-group.service.js';
import { TransactionService } from './modules/transaction/transaction.service.js';
import { isTokenSecret } from './modules/pat/pat.auth.js';
import { PersonalTokenService } from './modules/pat/pat.service.js';
import { LeavingService } from './modules/leaving/leaving.service.js';
import { WebhookService } from './modules/webhook/webhook.service.js';
import { constantTimeEquals } from './shared/crypto.js';
import { unauthenticated } from './shared/errors.js';
import type { Logger } from './shared/logger.js';
import type { LiveConnection } from './modules/live/live-connections.js';
import type { RateLimitState } from './shared/leased-rate-limit.js';

/** The services of one request, sharing that request's unit of work. */
export interface Services {
  auth: AuthService;
  telegram: TelegramService;
  users: UserService;
  /** A family's members and invites, checked against the role its row was read with. */
  families: FamilyReads;
}

/** Services that act inside the caller's families; they exist only for a signed-in caller. */
export interface FinanceServices {
  access: FamilyAccess;
  families: FamilyService;
  accounts: AccountService;
  categories: CategoryService;
  transactions: TransactionService;
  budgets: BudgetService;
  goals: GoalService;
  rates: RateService;
  reports: ReportService;
  /** The caller's own notifications (not scoped to a family). */
  notifications: NotificationService;
  telegramGroups: TelegramGroupService;
  schedules: ScheduleService;
  accessTokens: PersonalTokenService;
  /** Deleting the caller's account or a family (issue 14). */
  leaving: LeavingService;
  /** Webhook endpoints of the caller's families (owners and admins). */
  webhooks: WebhookService;
  /** Batch loaders of related rows, scoped to the caller's families. */
  loaders: Loaders;
}

/** What every resolver sees for one request: services, never the EntityManager. */
export interface Context {
  requestId: string;
  /** Written into the request's log line. */
  record: RequestRecord;
  /** The caller presented the bot credential (T1). */
  isBot: boolean;
  /** The Bearer credential is a personal access token (K1), whether or not it is valid. */
  presentsAccessToken: boolean;
  /**
   * The rate limit this request counted against, once the caller is known; shown in `extensions`. A
   * holder, because Apollo hands plugins a shallow copy of the context.
   */
  usage: { rateLimit?: RateLimitState };
  meta: RequestMeta;
  /** The browser's refresh cookie (cookie mode, C2); only refreshToken reads it. */
  refreshCookie: RefreshCookie;
  services: Services;
  logger: Logger;
  /**
   * The caller, from the Bearer token and their live session; UNAUTHENTICATED when there is none, it is
   * not valid or the session has ended. Memoized.
   */
  principal(): Promise<Caller>;
  /** The finance services, scoped to the caller's families. Memoized. */
  finance(): Promise<FinanceServices>;
  /** The WebSocket an operation arrived on (subscriptions); undefined over HTTP. */
  live: LiveConnection | undefined;
}

export interface RequestInfo {
  record: RequestRecord;
  meta: Omit<RequestMeta, 'isBot'>;
  authorization: string | undefined;
  botKey: string | undefined;
  /** Over WebSocket: the socket's connection, whose caller was authenticated at connection_init. */
  live?: LiveConnection;
  refreshCookie: RefreshCookie;
}

export function createContext(deps: Deps, request: RequestInfo): Context {
  const em = deps.orm.em.fork() as EntityManager;
  const auth = new AuthService(deps, em);
  let principal: Promise<Caller> | undefined;
  const usage: Context['usage'] = {};
  let finance: Promise<FinanceServices> | undefined;
  // Made on first use: most requests never log.
  let logger: Logger | undefined;
  const isBot =
    deps.config.botApiSecret !== undefined &&
    request.botKey !== undefined &&
    constantTimeEquals(request.botKey, deps.config.botApiSecret);
  const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.authorization?.trim() ?? '')?.[1];
  return {
    requestId: request.record.requestId,
    record: request.record,
    isBot,
    presentsAccessToken: bearer !== undefined && isTokenSecret(bearer),
    usage,
    meta: { ...request.meta, isBot },
    refreshCookie: request.refreshCookie,
    services: {
      auth,
      telegram: new TelegramService(deps, em, auth),
      users: new UserService(em),
      families: new FamilyReads(em),
    },
    get logger() {
      logger ??= deps.logger.child({ requestId: request.record.requestId });
      return logger;
    },
    live: request.live,
    principal() {
      principal ??= (async () => {
        if (request.live !== undefined) return request.live.currentCaller();
        if (bearer === undefined) throw unauthenticated();
        if (!isTokenSecret(bearer)) return auth.authenticate(bearer);
        const token = await deps.personalTokens.authenticate(em, bearer, request.meta.ip);
        usage.rateLimit = token.rateLimit;
        return token.caller;
      })();
      return principal;
    },
    finance() {
      finance ??= this.principal().then((caller) => {
        const access = new FamilyAccess(em, caller);
        const schedules = new ScheduleService(deps, em, access);
        let loaders: Loaders | undefined;
        return {
          access,
          families: new FamilyService(deps, em, access),
          accounts: new AccountService(deps, em, access),
          categories: new CategoryService(deps, em, access),
          transactions: new TransactionService(deps, em, access),
          budgets: new BudgetService(deps, em, access, schedules),
          goals: new GoalService(deps, em, access),
          rates: new RateService(deps, em, access),
          reports: new ReportService(deps, em, access, schedules),
          notifications: new NotificationService(em, deps.clock, caller.userId),
          telegramGroups: new TelegramGroupService(deps, em, access),
          schedules,
          accessTokens: new PersonalTokenService(deps, em, access),
          leaving: new LeavingService(deps, em, access),
          webhooks: new WebhookService(deps, em, access),
          // Made on first use: most requests never batch-load.
          get loaders() {
            loaders ??= createLoaders(access);
            return loaders;
          },
        };
      });
      return finance;
    },
  };
}
