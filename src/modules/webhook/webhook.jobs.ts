import type { Deps } from '../../deps.js';
import type { JobQueue, QueuePolicy } from '../../jobs/job-queue.js';
import { NotificationKind } from '../notification/notification-kind.js';
import { WebhookSender, type SendOutcome } from './webhook.sender.js';

/** One job per delivery (endpoint, event); its id is the delivery's id. */
export const WEBHOOK_DELIVERY = 'webhook-delivery';

export interface WebhookDeliveryJob {
  deliveryId: string;
}

/** How often the dispatcher looks for new outbox rows, and how many it queues at once. */
const DISPATCH_MS = 200;
const DISPATCH_BATCH = 500;
/** A delivery queued this long ago that never ran is queued again (the job id makes that idempotent). */
const REQUEUE_AFTER_SECONDS = 300;

/**
 * Webhook delivery (K2). The outbox is `webhook_delivery`: database triggers add one row per subscribed
 * endpoint in the same transaction as the change (Migration20261201150000_webhooks), so no committed change
 * misses its deliveries, whatever code path made it and whenever a process dies. The dispatcher marks new
 * rows queued and sends one pg-boss job per row whose job id is the row's id; a crash between the two
 * leaves a row marked queued with no job, which the sweep (every minute) queues again: sending an id the
 * queue already holds is a no-op, and the worker skips a row already delivered.
 */
export async function registerWebhookJobs(jobs: JobQueue, deps: Deps): Promise<void> {
  const { config } = deps;
  const sender = new WebhookSender({
    allowLoopback: config.webhooks.allowLoopback,
    timeoutMs: config.webhooks.timeoutMs,
    maxResponseBytes: config.webhooks.maxResponseBytes,
  });
  const worker = new DeliveryWorker(deps, sender);
  const policy: QueuePolicy = {
    retryLimit: config.webhooks.retryLimit,
    retryDelaySeconds: config.webhooks.retryDelaySeconds,
    retryDelayMaxSeconds: 6 * 3600,
    // An attempt that is still running after this long is failed and retried.
    expireInSeconds: Math.max(60, Math.ceil((config.webhooks.timeoutMs * 3) / 1000)),
    // Deliveries wait on receivers: a fetch's 100 run at once (at most 64 connections per scheme).
    batchSize: 100,
    parallel: true,
  };
  await jobs.define<WebhookDeliveryJob>(
    WEBHOOK_DELIVERY,
    (data, job) => worker.deliver(data.deliveryId, job.final),
    policy,
  );
  if (!jobs.runsWorkers) {
    sender.close();
    return;
  }
  const dispatcher = new Dispatcher(deps, jobs, policy);
  dispatcher.start();
  jobs.onStop(async () => {
    await dispatcher.stop();
    sender.close();
  });
}

class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastSweep = 0;

  constructor(
    private readonly deps: Deps,
    private readonly jobs: JobQueue,
    private readonly policy: QueuePolicy,
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error }, 'webhook dispatcher failed; retrying'),
        )
        .then((more) => this.schedule(more === true ? 0 : DISPATCH_MS));
    }, ms);
  }

  /** Queues a batch of new deliveries; true when there may be more. */
  private async tick(): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    if (Date.now() - this.lastSweep > 60_000) {
      this.lastSweep = Date.now();
      await em.execute(
        `update webhook_delivery set queued_at = null
          where status = 'pending' and attempts = 0 and queued_at < now() - make_interval(secs => ?)`,
        [REQUEUE_AFTER_SECONDS],
      );
    }
    const rows = await em.execute<{ id: string }[]>(
      `update webhook_delivery set queued_at = now()
        where id in (select id from webhook_delivery where queued_at is null
                      order by created_at limit ? for update skip locked)
        returning id`,
      [DISPATCH_BATCH],
    );
    try {
      await this.jobs.sendWithIds(
        WEBHOOK_DELIVERY,
        rows.map((row) => ({ id: row.id, data: { deliveryId: row.id } })),
        this.policy,
      );
    } catch (error) {
      // Not queued after all: the next tick tries again.
      await em.execute(`update webhook_delivery set queued_at = null where id = any(?::uuid[])`, [
        `{${rows.map((row) => row.id).join(',')}}`,
      ]);
      throw error;
    }
    return rows.length === DISPATCH_BATCH;
  }
}

interface DeliveryToSend {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: unknown;
  status: string;
  created_at: Date;
  url: string;
  secret: string;
  enabled: boolean;
}

class DeliveryWorker {
  constructor(
    private readonly deps: Deps,
    private readonly sender: WebhookSender,
  ) {}

  /** One attempt. Throws when it failed and may be retried (pg-boss then waits, doubling each time). */
  async deliver(deliveryId: string, final: boolean): Promise<void> {
    const em = this.deps.orm.em.fork();
    const [row] = await em.execute<DeliveryToSend[]>(
      `select d.id, d.endpoint_id, d.event_id, d.payload, d.status, d.created_at, e.url, e.secret, e.enabled
         from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id
        where d.id = ?`,
      [deliveryId],
    );
    // Deleted with its endpoint, or already settled (a job sent twice): nothing to do.
    if (row === undefined || row.status !== 'pending') return;
    if (!row.enabled) {
      await em.execute(
        `update webhook_delivery set status = 'failed', last_error = 'the webhook is disabled' where id = ?`,
        [row.id],
      );
      return;
    }
    const now = this.deps.clock.now();
    const body = JSON.stringify(row.payload);
    const outcome: SendOutcome = await this.sender.send(row.url, row.secret, {
      id: row.event_id,
      timestamp: Math.floor(now.getTime() / 1000),
      body,
    });
    const finished = this.deps.clock.now();
    if (outcome.ok) {
      await em.execute(
        `with d as (
           update webhook_delivery set status = 'delivered', attempts = attempts + 1, last_status_code = ?,
                  last_error = null, last_attempt_at = ?, delivered_at = ?
            where id = ? returning endpoint_id)
         update webhook_endpoint set last_success_at = ? where id in (select endpoint_id from d)`,
        [outcome.statusCode, finished, finished, row.id, finished],
      );
      return;
    }
    await em.execute(
      `update webhook_delivery set status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?,
              last_attempt_at = ?
        where id = ?`,
      [
        final ? 'failed' : 'pending',
        outcome.statusCode,
        (outcome.error ?? '').slice(0, 500),
        finished,
        row.id,
      ],
    );
    if (final) await this.disableIfFailing(row, finished);
    throw new Error(`webhook delivery failed: ${outcome.error ?? 'unknown'}`);
  }

  /**
   * A delivery that failed every attempt (about a day of them) disables its endpoint when nothing was
   * delivered to it since that event happened: it has been failing throughout. Its creator (or, once they
   * are gone, the family's owners) is told with a WEBHOOK_DISABLED notification.
   */
  private async disableIfFailing(row: DeliveryToSend, now: Date): Promise<void> {
    const em = this.deps.orm.em.fork();
    const reason = 'Every delivery failed for a day; fix the receiver and enable it again.';
    const disabled = await em.execute<
      { id: string; family_id: string; url: string; created_by_id: string | null }[]
    >(
      `update webhook_endpoint set enabled = false, disabled_reason = ?, updated_at = ?
        where id = ? and enabled and (last_success_at is null or last_success_at < ?)
        returning id, family_id, url, created_by_id`,
      [reason, now, row.endpoint_id, row.created_at],
    );
    const endpoint = disabled[0];
    if (endpoint === undefined) return;
    this.deps.logger.warn({ webhookId: endpoint.id }, 'webhook disabled: its deliveries kept failing');
    const payload = { webhookId: endpoint.id, url: endpoint.url, reason };
    const told = await em.execute<{ id: string; user_id: string; created_at: Date }[]>(
      `insert into notification (id, family_id, user_id, kind, payload, dedupe_key, created_at)
       select gen_random_uuid(), m.family_id, m.user_id, ?, ?::jsonb, ? || ':' || m.user_id, ?
         from membership m
        where m.family_id = ?
          and (m.user_id = ? or (m.role = 'owner' and not exists (
                select from membership c where c.family_id = m.family_id and c.user_id = ?)))
       on conflict (dedupe_key) do nothing
       returning id, user_id, created_at`,
      [
        NotificationKind.WEBHOOK_DISABLED,
        JSON.stringify(payload),
        `webhook-disabled:${endpoint.id}:${now.toISOString()}`,
        now,
        endpoint.family_id,
        endpoint.created_by_id,
        endpoint.created_by_id,
      ],
    );
    for (const notification of told) {
      this.deps.live.publish('notificationAdded', notification.user_id, {
        id: notification.id,
        userId: notification.user_id,
        familyId: endpoint.family_id,
        kind: NotificationKind.WEBHOOK_DISABLED,
        payload,
        createdAt: new Date(notification.created_at).toISOString(),
      });
    }
  }
}
