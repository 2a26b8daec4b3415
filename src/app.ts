import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config.js';
import { createContext } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { createDeps, type Deps } from './deps.js';
import { createApollo } from './graphql/apollo.js';
import { corsMiddleware } from './http/cors.js';
import type { JobQueue } from './jobs/job-queue.js';
import { registerJobs, startJobQueue } from './jobs/jobs.js';
import { loadTrustedDocuments, persistedOnlyGate } from './graphql/persisted.js';
import { healthRoutes } from './http/health.js';
import { exportRoutes } from './modules/export/export.routes.js';
import { ApiMetrics } from './http/metrics.js';
import { requestLog } from './http/request-log.js';
import { accountPageRoutes } from './web/account-pages.js';
import { linkPageRoutes } from './web/link-page.js';
import { createSchema } from './schema.js';
import { CallerCache } from './modules/auth/caller-cache.js';
import { httpRefreshCookie } from './modules/auth/refresh-cookie.js';
import { createSessionEvents, type SessionEvents } from './modules/auth/session-events.js';
import { LiveConnections } from './modules/live/live-connections.js';
import { LiveEvents } from './modules/live/live-events.js';
import { createLiveServer } from './graphql/websocket.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createKeyValueStore } from './shared/kv/index.js';
import type { KeyValueStore } from './shared/kv/kv-store.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
}

export interface RunningApp {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  deps: Deps;
  database: Database;
  /** Stops accepting, finishes in-flight requests, then closes the database and the store. */
  stop(): Promise<void>;
}

/** Builds and starts the whole API: database (migrated), key-value store, schema, HTTP server. */
export async function startApp(config: Config, options: AppOptions = {}): Promise<RunningApp> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  // Read before anything opens: a bad manifest stops the start with nothing to close.
  const trusted = loadTrustedDocuments(config.graphql.trustedDocuments);
  const database = await openDatabase(config, logger);
  let kv: KeyValueStore;
  try {
    kv = await createKeyValueStore(config.redisUrl, config.redisKeyPrefix, clock);
  } catch (error) {
    await database.close();
    throw error;
  }
  if (config.redisUrl === undefined) {
    logger.warn('REDIS_URL is unset: using the in-process store (single instance only)');
  }
  const callers = new CallerCache(clock);
  let sessionEvents: SessionEvents;
  try {
    sessionEvents = await createSessionEvents(config.redisUrl, config.redisKeyPrefix, callers, logger);
  } catch (error) {
    await kv.close();
    await database.close();
    throw error;
  }
  let jobs: JobQueue;
  try {
    jobs = await startJobQueue(config, database, logger, config.jobs.inProcess);
  } catch (error) {
    await sessionEvents.close();
    await kv.close();
    await database.close();
    throw error;
  }
  let live: LiveEvents;
  try {
    live =
      config.redisUrl === undefined
        ? LiveEvents.local(logger)
        : await LiveEvents.redis(config.redisUrl, config.redisKeyPrefix, logger);
  } catch (error) {
    await jobs.stop();
    await sessionEvents.close();
    await kv.close();
    await database.close();
    throw error;
  }
  const deps = createDeps({
    config,
    clock,
    orm: database.orm,
    kv,
    logger,
    callers,
    sessionEvents,
    live,
    jobs,
  });
  if (config.mail.smtpUrl === undefined) {
    logger.warn(
      `SMTP_URL is unset: mail (verification and password-reset links) is not sent; it is written to ${config.mail.dir}` +
        (config.env === 'development' ? ' and to this log' : ''),
    );
  }
  await registerJobs(jobs, deps);
  const schema = await createSchema();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustedProxies.length > 0 ? config.trustedProxies : false);
  const httpServer = createServer(app);
  const connections = new LiveConnections(deps, live);
  const liveServer = createLiveServer(httpServer, schema, deps, connections);
  const metrics = new ApiMetrics(database.orm, callers, connections, jobs);
  const apollo = createApollo(schema, config, httpServer, trusted, [metrics.plugin(), liveServer.plugin]);
  await apollo.start();

  app.use(requestLog(logger));
  // GraphQL first: it carries nearly all the traffic, and each router before it is a detour per request.
  app.use(
    '/graphql',
    ...corsMiddleware(config.cors),
    express.json({ limit: config.bodyLimit }),
    ...(config.graphql.persistedOnly ? [persistedOnlyGate(trusted)] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createContext(deps, {
          record: res.locals.record,
          meta: { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') },
          authorization: req.get('authorization'),
          botKey: req.get('x-bot-key'),
          refreshCookie: httpRefreshCookie(req, res),
        }),
    }),
  );
  app.use(exportRoutes(deps));
  app.use(healthRoutes(database.orm, kv));
  app.use(linkPageRoutes());
  app.use(accountPageRoutes());
  app.use(metrics.routes());
  app.use(httpErrorHandler(logger));

  await listen(httpServer, config.host, config.port);
  deps.budgetAlerts.start();
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    deps,
    database,
    stop() {
      stopping ??= (async () => {
        // Apollo's drain closes the sockets (liveServer.plugin) and finishes in-flight requests.
        await apollo.stop();
        await live.close();
        // Mail the last requests started, before the database it reads from closes.
        await deps.background.drain();
        deps.mailer.close();
        await sessionEvents.close();
        // After the last request, so every expense it recorded is evaluated here or by another process.
        await deps.budgetAlerts.stop();
        // Jobs in progress finish (or are retried elsewhere once their claim expires) before the pool closes.
        await jobs.stop();
        await database.close();
        await kv.close();
      })();
      return stopping;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Errors before GraphQL runs (body too large, malformed JSON) answer in the GraphQL error shape with
 * the right status; nothing else about the server leaks.
 */
function httpErrorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = status === 413 ? 'Request body is too large.' : 'Request body is not valid JSON.';
      res.status(status).json({
        errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }],
      });
      return;
    }
    logger.error({ err: error, requestId: res.locals.record?.requestId }, 'unhandled HTTP error');
    res.status(500).json({
      errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}
