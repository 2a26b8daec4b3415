import { col, shape, type RowOf } from '../../db/rows.js';
import type { FamilyTable } from '../family/family-access.js';

/** What a webhook endpoint may subscribe to; stored as these names in `webhook_endpoint.events`. */
export enum WebhookEvent {
  TRANSACTION_CREATED = 'TRANSACTION_CREATED',
  TRANSACTION_UPDATED = 'TRANSACTION_UPDATED',
  TRANSACTION_DELETED = 'TRANSACTION_DELETED',
  BUDGET_ALERT = 'BUDGET_ALERT',
  SCHEDULE_DUE = 'SCHEDULE_DUE',
}

/** The `type` of a delivered payload (`transaction.created`), as the enum names it. */
export const eventOfType = (type: string): WebhookEvent =>
  type.replace('.', '_').toUpperCase() as WebhookEvent;

export enum DeliveryStatus {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  FAILED = 'failed',
}

/** The GraphQL `Webhook` as the read layer hands it over. The secret never leaves the database but once. */
export const WEBHOOK = shape({
  id: col.text('id'),
  url: col.text('url'),
  description: col.text('description'),
  events: col.enums<WebhookEvent>()('events'),
  enabled: col.bool('enabled'),
  disabledReason: col.textOrNull('disabled_reason'),
  createdAt: col.timestamp('created_at'),
  updatedAt: col.timestamp('updated_at'),
  lastSuccessAt: col.timestampOrNull('last_success_at'),
});

export type WebhookRow = RowOf<typeof WEBHOOK>;

export const WEBHOOKS: FamilyTable<WebhookRow> = { table: 'webhook_endpoint', shape: WEBHOOK };

/** One delivery of one event to one endpoint, as the delivery log shows it. */
export const DELIVERY = shape({
  id: col.text('id'),
  webhookId: col.text('endpoint_id'),
  eventId: col.text('event_id'),
  eventType: col.text('event_type'),
  status: col.enum<DeliveryStatus>()('status'),
  attempts: col.int('attempts'),
  lastStatusCode: col.intOrNull('last_status_code'),
  lastError: col.textOrNull('last_error'),
  createdAt: col.timestamp('created_at'),
  lastAttemptAt: col.timestampOrNull('last_attempt_at'),
  deliveredAt: col.timestampOrNull('delivered_at'),
});

export type DeliveryRow = RowOf<typeof DELIVERY>;

export const DELIVERIES: FamilyTable<DeliveryRow> = { table: 'webhook_delivery', shape: DELIVERY };
