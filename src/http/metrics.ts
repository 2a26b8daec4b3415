import type { ApolloServerPlugin } from '@apollo/server';
import { Router } from 'express';
import { Kind } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Context } from '../context.js';
import type { Orm } from '../db/orm.js';
import type { CallerCache } from '../modules/auth/caller-cache.js';
import type { LiveConnections } from '../modules/live/live-connections.js';
import { registerJobMetrics } from '../jobs/job-metrics.js';
import type { JobQueue } from '../jobs/job-queue.js';

/**
 * Prometheus metrics of one API process: requests and errors by operation and code, the DB pool, and the
 * jobs it worked.
 */
export class ApiMetrics {
  readonly registry = new Registry();

  readonly requests = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL requests by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors returned to clients, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor(orm: Orm, callers: CallerCache, live?: LiveConnections, jobs?: JobQueue) {
    collectDefaultMetrics({ register: this.registry });
    if (jobs !== undefined) registerJobMetrics(this.registry, jobs);
    new Gauge({
      name: 'live_connections',
      help: 'Authenticated WebSocket connections (graphql-ws) open on this process',
      registers: [this.registry],
      collect() {
        this.set(live?.size ?? 0);
      },
    });
    new Gauge({
      name: 'live_subscriptions',
      help: 'Subscriptions running on those connections',
      registers: [this.registry],
      collect() {
        this.set(live?.subscriptionCount ?? 0);
      },
    });
    new Counter({
      name: 'caller_lookups_total',
      help: 'Signed-in callers by source: hit (memory), miss (database, remembered), unsubscribed (database, not remembered)',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [result, count] of Object.entries(callers.counts)) this.inc({ result }, count);
      },
    });
    new Gauge({
      name: 'caller_cache_listening',
      help: '1 while this process hears every session change and may remember callers',
      registers: [this.registry],
      collect() {
        this.set(callers.isListening ? 1 : 0);
      },
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const p = await orm.em.getConnection().getNativeClient();
        this.set({ state: 'used' }, p.totalCount - p.idleCount);
        this.set({ state: 'free' }, p.idleCount);
        this.set({ state: 'pending' }, p.waitingCount);
      },
    });
  }

  /**
   * Times each operation and counts its error codes. The label is the root fields the operation selects
   * (bounded by the schema), not the client-chosen operation name, so label values cannot explode.
   */
  plugin(): ApolloServerPlugin<Context> {
    const { requests, errors: errorCount } = this;
    return {
      async requestDidStart() {
        const end = requests.startTimer();
        return {
          async willSendResponse({ response, operation }) {
            const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
            for (const error of errors) errorCount.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
            const fields = (operation?.selectionSet.selections ?? [])
              .flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
              .sort();
            end({ operation: fields.join(',') || 'invalid', outcome: errors.length > 0 ? 'error' : 'ok' });
          },
        };
      },
    };
  }

  routes(): Router {
    const router = Router();
    router.get('/metrics', async (_req, res) => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    });
    return router;
  }
}
