import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row } from '../../db/rows.js';
import type { Deps } from '../../deps.js';
import { badInput, notFound } from '../../shared/errors.js';
import type { Caller } from '../auth/caller.js';
import type { FamilyAccess } from '../family/family-access.js';
import { Role } from '../family/family.entity.js';
import type { CreateWebhookInput, UpdateWebhookInput } from './webhook.inputs.js';
import {
  DELIVERIES,
  DELIVERY,
  WEBHOOK,
  WEBHOOKS,
  WebhookEvent,
  type DeliveryRow,
  type WebhookRow,
} from './webhook.read.js';
import { newWebhookSecret } from './webhook.signature.js';
import { checkWebhookUrl } from './webhook.url.js';

/** Endpoints one family may have. */
export const MAX_WEBHOOKS = 20;
export const MAX_DELIVERIES = 100;

/**
 * Webhook endpoints of a family (K2): only its owners and admins manage or see them. Personal access
 * tokens with WRITE may manage them in their one family (within their owner's role).
 */
export class WebhookService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  private get allowLoopback(): boolean {
    return this.deps.config.webhooks.allowLoopback;
  }

  async create(caller: Caller, input: CreateWebhookInput): Promise<{ webhook: WebhookRow; secret: string }> {
    const familyId = await this.access.family(input.familyId, Role.ADMIN, 'input.familyId');
    const events = eventsOf(input.events, 'input.events');
    const description = (input.description ?? '').trim();
    if (description.length > 200) throw badInput('input.description', 'At most 200 characters.');
    const url = await checkWebhookUrl(input.url, this.allowLoopback, 'input.url');
    const count = await this.em.execute<{ n: number }[]>(
      `select count(*)::int as n from webhook_endpoint where family_id = ?`,
      [familyId],
    );
    if (count[0]!.n >= MAX_WEBHOOKS) {
      throw badInput(
        'input.familyId',
        `A family can have at most ${MAX_WEBHOOKS} webhooks; delete one first.`,
      );
    }
    const secret = newWebhookSecret();
    const now = this.deps.clock.now();
    const [row] = await this.em.execute<Row[]>(
      `insert into webhook_endpoint
         (id, family_id, created_by_id, url, description, events, secret, enabled, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?::text[], ?, true, ?, ?)
       returning ${WEBHOOK.select('webhook_endpoint')}`,
      [randomUUID(), familyId, caller.userId, url, description, `{${events.join(',')}}`, secret, now, now],
    );
    return { webhook: WEBHOOK.read(row!), secret };
  }

  async list(familyId: string): Promise<WebhookRow[]> {
    const family = await this.access.family(familyId, Role.ADMIN, 'familyId');
    return this.access.list(WEBHOOKS, family, { order: 'x.created_at, x.id' });
  }

  async update(id: string, input: UpdateWebhookInput): Promise<WebhookRow> {
    const found = await this.access.row(WEBHOOKS, id, 'Webhook', Role.ADMIN);
    const sets: string[] = [];
    const params: unknown[] = [];
    if (input.url != null) {
      sets.push('url = ?');
      params.push(await checkWebhookUrl(input.url, this.allowLoopback, 'input.url'));
    }
    if (input.events != null) {
      sets.push('events = ?::text[]');
      params.push(`{${eventsOf(input.events, 'input.events').join(',')}}`);
    }
    if (input.description != null) {
      const description = input.description.trim();
      if (description.length > 200) throw badInput('input.description', 'At most 200 characters.');
      sets.push('description = ?');
      params.push(description);
    }
    if (input.enabled != null) {
      sets.push('enabled = ?', 'disabled_reason = null');
      params.push(input.enabled);
    }
    const [row] = await this.em.execute<Row[]>(
      `update webhook_endpoint set ${[...sets, 'updated_at = ?'].join(', ')}
        where id = ? and family_id = ? returning ${WEBHOOK.select('webhook_endpoint')}`,
      [...params, this.deps.clock.now(), found.id, found.familyId],
    );
    if (row === undefined) throw notFound('Webhook');
    return WEBHOOK.read(row);
  }

  async delete(id: string): Promise<string> {
    const found = await this.access.row(WEBHOOKS, id, 'Webhook', Role.ADMIN);
    await this.em.execute(`delete from webhook_endpoint where id = ? and family_id = ?`, [
      found.id,
      found.familyId,
    ]);
    return id;
  }

  /** The delivery log of an endpoint, newest first. */
  async deliveries(webhookId: string, first: number): Promise<DeliveryRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES) {
      throw badInput('first', `Between 1 and ${MAX_DELIVERIES}.`);
    }
    const found = await this.access.row(WEBHOOKS, webhookId, 'Webhook', Role.ADMIN);
    const rows = await this.em.execute<Row[]>(
      `select ${DELIVERY.select('d')} from webhook_delivery d
        where d.endpoint_id = ? and d.family_id = ? order by d.created_at desc, d.id limit ?`,
      [found.id, found.familyId, first],
    );
    return rows.map((row) => DELIVERY.read(row));
  }

  /**
   * Sends an event again as a new delivery with the same `webhook-id` (receivers that already handled it
   * drop it). The endpoint must be enabled.
   */
  async redeliver(deliveryId: string): Promise<DeliveryRow> {
    const found = await this.access.row(DELIVERIES, deliveryId, 'Webhook delivery', Role.ADMIN);
    const [endpoint] = await this.em.execute<{ enabled: boolean }[]>(
      `select enabled from webhook_endpoint where id = ?`,
      [found.webhookId],
    );
    if (endpoint?.enabled !== true) {
      throw badInput('deliveryId', 'Its webhook is disabled; enable it first (updateWebhook).');
    }
    const [row] = await this.em.execute<Row[]>(
      `insert into webhook_delivery (id, endpoint_id, family_id, event_id, event_type, payload, created_at)
       select ?, d.endpoint_id, d.family_id, d.event_id, d.event_type, d.payload, ?
         from webhook_delivery d where d.id = ?
       returning ${DELIVERY.select('webhook_delivery')}`,
      [randomUUID(), this.deps.clock.now(), found.id],
    );
    if (row === undefined) throw notFound('Webhook delivery', 'deliveryId');
    return DELIVERY.read(row);
  }
}

function eventsOf(events: readonly WebhookEvent[], field: string): WebhookEvent[] {
  const wanted = new Set(events);
  if (wanted.size === 0) throw badInput(field, 'Subscribe to at least one event.');
  return Object.values(WebhookEvent).filter((event) => wanted.has(event));
}
